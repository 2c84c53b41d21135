"""Concurrent signatures and attendance on PostgreSQL: the request becomes due exactly once, the chair is
told once, and a member is paid once per meeting however many requests race."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.committees.models import Meeting, MeetingRequest, RequestSignature, RequestStatus
from app.committees.services import meetings
from app.extensions import db
from app.ledger.models import Allowance, ProgrammeType
from app.ledger.services import funds
from app.notifications.models import Notification
from tests.concurrency import run_together
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]


def test_racing_signatures_make_the_request_due_once(app, formed, make_user, with_chair):
    users = [make_user() for _ in range(8)]
    committee, members = formed(5, 4, users=users)  # 9 members: 3 signatures are a third
    with_chair(committee, members[0])
    request = meetings.create_request(committee, users[1], "임시회 요구")
    db.session.commit()
    request_id, signer_ids = request.id, [u.id for u in users[2:8]]

    def sign(user_id):
        meetings.sign_request(db.session.get(MeetingRequest, request_id), db.session.get(User, user_id))

    _, errors = run_together(app, sign, signer_ids)
    db.session.expire_all()
    request = db.session.get(MeetingRequest, request_id)
    signatures = db.session.scalar(select(func.count()).select_from(RequestSignature)
                                   .where(RequestSignature.request_id == request_id))
    assert request.status is RequestStatus.DUE and request.signature_count == signatures
    assert signatures >= 3 and len(errors) == 7 - signatures  # the rest found it no longer open
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "committee_request_due"))
    assert told == 1


def test_racing_attendance_pays_once(app, formed, make_user, held_meeting, staff):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    admin = make_user(["admin", "staff"], city_employee=True)
    funds.create_budget(programme_type=ProgrammeType.COMMITTEE, programme_id=committee.id,
                        fiscal_year=date.today().year, allocated_won=1_000_000, actor=admin)
    funds.set_allowance_rule(programme_type=ProgrammeType.COMMITTEE, programme_id=committee.id,
                             amount_per_session_won=100_000, monthly_cap_won=500_000, actor=admin)
    meeting = held_meeting(committee, members, present=[])
    meeting_id, member_id, staff_id = meeting.id, members[0].id, staff.id

    def attend(_):
        meetings.record_attendance(db.session.get(Meeting, meeting_id), db.session.get(User, staff_id), [member_id])

    _, errors = run_together(app, attend, range(4))
    assert len(errors) <= 3
    paid = db.session.scalar(select(func.count()).select_from(Allowance).where(Allowance.user_id == resident.id))
    assert paid == 2  # the meeting allowance and the travel expense, once
