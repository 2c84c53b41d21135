"""A resident who has done a bit of everything: proposed, commented, supported, followed, joined a
lab, attended, was paid an allowance and holds a certificate; built through the real services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.auth.models import User
from app.core import utcnow
from app.extensions import db
from app.labs.models import (
    Attendance,
    AttendanceMethod,
    Lab,
    LabMembership,
    LabMode,
    LabSession,
    MemberGroup,
    MembershipStatus,
)
from tests.factories import choices, make_comment, make_proposal  # noqa: F401


@dataclass
class World:
    resident: User
    other: User
    facilitator: User
    staff: User
    admin: User
    lab: Lab
    proposal: object
    comment: object


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def world(app, make_user, make_proposal, make_comment):
    from app.certificates.services import issue_by_hand
    from app.labs.signals import attendance_recorded
    from app.ledger.models import Allowance, ProgrammeType
    from app.ledger.programmes import fiscal_year
    from app.ledger.services import funds, payouts
    from app.ledger.services.allowances import approve_allowance, confirm_allowance
    from app.proposals.services import follow_proposal, support_proposal

    with app.test_request_context(headers={"Accept-Language": "en"}):
        resident = make_user(display_name="홍길동", email="hong@example.kr", district="baebang", birth_year=1950)
        other = make_user(display_name="박영희", email="park@example.kr")
        facilitator = make_user(["facilitator"], display_name="이진행")
        staff = make_user(["staff"], display_name="김담당", city_employee=True)
        admin = make_user(["admin", "staff"], display_name="관리자", city_employee=True)
        proposal = make_proposal(resident, title="골목길 가로등 설치")
        theirs = make_proposal(other, title="버스 정류장 의자")
        comment = make_comment(resident, theirs, body="저도 찬성합니다. 의자가 꼭 필요해요.")
        make_comment(other, proposal, body="좋은 생각이에요.")
        support_proposal(resident, theirs)
        follow_proposal(resident, theirs)

        today = date.today()
        lab = Lab(title="골목 주차 리빙랩", summary="요약", mode=LabMode.RESIDENT_LED, district="onyang1", capacity=20,
                  recruitment_deadline=today, starts_on=today, ends_on=today + timedelta(days=90),
                  created_by_id=facilitator.id)
        lab.facilitators.append(facilitator)
        db.session.add(lab)
        db.session.flush()
        db.session.add(LabMembership(lab_id=lab.id, user_id=resident.id, group=MemberGroup.CITIZEN,
                                     motivation="우리 골목 주차 문제를 풀고 싶어요", status=MembershipStatus.ACCEPTED))
        funds.create_budget(programme_type=ProgrammeType.LAB, programme_id=lab.id, fiscal_year=fiscal_year(utcnow()),
                            allocated_won=1_000_000, actor=admin)
        funds.set_allowance_rule(programme_type=ProgrammeType.LAB, programme_id=lab.id, amount_per_session_won=20_000,
                                 monthly_cap_won=100_000, actor=admin)
        starts = utcnow() - timedelta(hours=3)
        session = LabSession(lab_id=lab.id, title="첫 모임", starts_at=starts, ends_at=starts + timedelta(hours=2),
                             checkin_code="ABC123")
        db.session.add(session)
        db.session.flush()
        attendance = Attendance(session_id=session.id, user_id=resident.id, recorded_by_id=facilitator.id,
                                method=AttendanceMethod.FACILITATOR)
        db.session.add(attendance)
        db.session.flush()
        attendance_recorded.send(attendance)
        payouts.save_bank_account(resident, bank="농협은행", account_number="3020000123456", holder_name="홍길동")
        db.session.commit()
        allowance = db.session.scalars(db.select(Allowance).where(Allowance.user_id == resident.id)).one()
        confirm_allowance(allowance, facilitator)
        approve_allowance(allowance, staff)
        db.session.commit()
        batch, _ = payouts.create_batch(staff)
        payouts.export_batch_csv(batch, staff)
        payouts.mark_batch_paid(batch, staff)
        issue_by_hand(lab, resident, facilitator, "모든 모임에 성실히 참여")
        db.session.commit()
    return World(resident=resident, other=other, facilitator=facilitator, staff=staff, admin=admin, lab=lab,
                 proposal=proposal, comment=comment)
