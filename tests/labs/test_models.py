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


def test_move_to_goes_one_stage_at_a_time_on_the_model():
    from app.core import DomainError
    from app.labs.models import GateNotMet

    lab = Lab(id=7, stage=LabStage.PROBLEM)
    with pytest.raises(GateNotMet) as blocked:
        lab.move_to(LabStage.PLANNING, actor_id=1, unmet_conditions=lambda _lab: ["a", "b"])
    assert blocked.value.missing == ["a", "b"] and lab.stage is LabStage.PROBLEM
    with pytest.raises(DomainError) as first:
        lab.move_to(LabStage.PROBLEM.previous, actor_id=1, reason="다시")
    assert first.value.status == 409 and first.value.field is None
    with pytest.raises(DomainError) as jump:
        lab.move_to(LabStage.REVIEW, actor_id=1, unmet_conditions=lambda _lab: [])
    assert jump.value.status == 422 and jump.value.field == "stage" and lab.stage is LabStage.PROBLEM

    change = lab.move_to(LabStage.PLANNING, actor_id=1, reason="  ", unmet_conditions=lambda _lab: [])
    assert (change.from_stage, change.to_stage, change.reason, change.lab_id) == (
        LabStage.PROBLEM, LabStage.PLANNING, None, 7)
    assert lab.stage is LabStage.PLANNING
    with pytest.raises(DomainError) as no_reason:
        lab.move_to(LabStage.PROBLEM, actor_id=1, reason=" ")
    assert no_reason.value.field == "reason" and lab.stage is LabStage.PLANNING
    assert lab.move_to(LabStage.PROBLEM, actor_id=1, reason=" 문제를 다시 봅니다 ").reason == "문제를 다시 봅니다"

    lab.stage = LabStage.SHARING
    closing = lab.move_to(LabStage.CLOSED, actor_id=1, unmet_conditions=lambda _lab: [])
    assert lab.is_closed and lab.closed_at == closing.at
    with pytest.raises(DomainError):
        lab.move_to(LabStage.SHARING, actor_id=1, reason="되돌리기")
