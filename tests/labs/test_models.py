from datetime import date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.labs.models import Attendance, AttendanceMethod, Lab, LabMode, LabSession, LabStage


def test_stage_numbers_follow_the_five_stages():
    assert [s.number for s in LabStage] == [1, 2, 3, 4, 5, None]
    assert LabStage.PROBLEM.next is LabStage.PLANNING
    assert LabStage.SHARING.next is LabStage.CLOSED
    assert LabStage.PROBLEM.previous is None


def test_one_attendance_row_per_member_and_session(make_user):
    facilitator = make_user(roles=["facilitator"])
    member = make_user()
    lab = Lab(
        title="t", summary="s", mode=LabMode.RESIDENT_LED, district="onyang1", capacity=5,
        recruitment_deadline=date(2026, 1, 1), starts_on=date(2026, 1, 2), ends_on=date(2026, 3, 1),
        created_by_id=facilitator.id,
    )
    lab.facilitators.append(facilitator)
    db.session.add(lab)
    db.session.flush()
    session = LabSession(
        lab_id=lab.id, title="1st", starts_at=datetime(2026, 1, 5, 10), checkin_code="ABCDEF",
        ends_at=datetime(2026, 1, 5, 12),
    )
    db.session.add(session)
    db.session.flush()
    assert session.duration_minutes == 120
    assert lab.is_facilitator(facilitator) and not lab.is_facilitator(member)
    for _ in range(2):
        db.session.add(Attendance(session_id=session.id, user_id=member.id, recorded_by_id=facilitator.id,
                                  method=AttendanceMethod.FACILITATOR))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
