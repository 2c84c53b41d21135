"""Factories for the ledger tests: labs with members, sessions, attendance, budgets and rules."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import FileStorage

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
from app.labs.signals import attendance_recorded
from app.ledger.models import ProgrammeType
from app.ledger.services import funds

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def make_lab(make_user):
    """make_lab(facilitator=None, members=()) -> a Lab whose members are accepted."""

    def factory(facilitator=None, members=(), title="골목 주차 리빙랩"):
        facilitator = facilitator or make_user(roles=["facilitator"])
        today = date.today()
        lab = Lab(title=title, summary="요약", mode=LabMode.RESIDENT_LED, district="onyang1", capacity=20,
                  recruitment_deadline=today, starts_on=today, ends_on=today + timedelta(days=90),
                  created_by_id=facilitator.id)
        lab.facilitators.append(facilitator)
        db.session.add(lab)
        db.session.flush()
        for member in members:
            db.session.add(LabMembership(lab_id=lab.id, user_id=member.id, group=MemberGroup.CITIZEN,
                                         motivation="참여", status=MembershipStatus.ACCEPTED))
        db.session.commit()
        return lab

    return factory


@pytest.fixture
def make_session():
    def factory(lab, starts_at=None, title="모임"):
        starts_at = starts_at or utcnow() - timedelta(hours=3)
        session = LabSession(lab_id=lab.id, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                             checkin_code="ABC123")
        db.session.add(session)
        db.session.commit()
        return session

    return factory


@pytest.fixture
def attend():
    """attend(session, member, by) records attendance the way the labs service does: flush, then signal."""

    def record(session, member, by):
        attendance = Attendance(session_id=session.id, user_id=member.id, recorded_by_id=by.id,
                                method=AttendanceMethod.FACILITATOR)
        db.session.add(attendance)
        db.session.flush()
        attendance_recorded.send(attendance)
        db.session.commit()
        return attendance

    return record


@pytest.fixture
def fund(make_user):
    """fund(lab, allocated=..., per_session=..., cap=...) gives a lab this year's budget and a rule."""

    def factory(lab, allocated=1_000_000, per_session=20_000, cap=100_000, admin=None):
        admin = admin or make_user(roles=["admin", "staff"])
        budget = funds.create_budget(programme_type=ProgrammeType.LAB, programme_id=lab.id,
                                     fiscal_year=_seoul_year(),
                                     allocated_won=allocated, actor=admin)
        funds.set_allowance_rule(programme_type=ProgrammeType.LAB, programme_id=lab.id,
                                 amount_per_session_won=per_session, monthly_cap_won=cap, actor=admin)
        db.session.commit()
        return budget

    return factory


def _seoul_year() -> int:
    from app.ledger.programmes import fiscal_year

    return fiscal_year(utcnow())


def upload(content: bytes = PNG, filename: str = "receipt.png") -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=filename)


@pytest.fixture(autouse=True)
def request_context(app):
    """Services build URLs and translated messages, as they do inside a request (in English here)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
