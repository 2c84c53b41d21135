"""A lab with members, sessions held and attendance, built straight from the labs models."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.core import utcnow
from app.extensions import db
from app.labs.models import (
    Attendance,
    AttendanceMethod,
    Lab,
    LabMembership,
    LabMode,
    LabSession,
    LabStage,
    LabStageChange,
    MemberGroup,
    MembershipStatus,
)

NOW = datetime(2026, 11, 20, 12, 0)


@pytest.fixture
def make_lab(make_user):
    """make_lab(attendance={user: sessions attended}, sessions=5, closed=True, ...) -> Lab.

    Held sessions are two hours long (1 h 30 for the first), on consecutive days before NOW; ``upcoming``
    sessions lie in the future. A member attends the first N held sessions. A closed lab went from
    stage 5 to closed."""

    def factory(attendance: dict | None = None, *, sessions: int = 5, upcoming: int = 0, closed: bool = True,
                title: str = "온양동 골목 주차 리빙랩", facilitator=None, extra_members=()):
        facilitator = facilitator or make_user(roles=["facilitator"], display_name="이진행")
        lab = Lab(title=title, summary="골목 주차 문제를 함께 풉니다.", mode=LabMode.RESIDENT_LED, district="onyang1",
                  capacity=20, recruitment_deadline=date(2026, 8, 31), starts_on=date(2026, 9, 1),
                  ends_on=date(2026, 11, 15), stage=LabStage.CLOSED if closed else LabStage.SHARING,
                  created_by_id=facilitator.id, closed_at=NOW - timedelta(days=1) if closed else None)
        lab.facilitators.append(facilitator)
        db.session.add(lab)
        db.session.flush()
        if closed:
            db.session.add(LabStageChange(lab_id=lab.id, from_stage=LabStage.SHARING, to_stage=LabStage.CLOSED,
                                          actor_id=facilitator.id, at=NOW - timedelta(days=1)))
        held = []
        for number in range(sessions):
            starts = NOW - timedelta(days=sessions - number + 1, hours=2)
            length = timedelta(minutes=90) if number == 0 else timedelta(hours=2)
            held.append(LabSession(lab_id=lab.id, title=f"{number + 1}회차 모임", starts_at=starts,
                                   ends_at=starts + length, place="온양1동 주민센터", checkin_code=f"C{number:05d}"))
        for number in range(upcoming):
            starts = utcnow() + timedelta(days=number + 1)
            held.append(LabSession(lab_id=lab.id, title="다가오는 모임", starts_at=starts,
                                   ends_at=starts + timedelta(hours=2), checkin_code=f"U{number:05d}"))
        db.session.add_all(held)
        db.session.flush()
        members = dict(attendance or {})
        for member in extra_members:
            members.setdefault(member, 0)
        for member, attended in members.items():
            db.session.add(LabMembership(lab_id=lab.id, user_id=member.id, group=MemberGroup.CITIZEN,
                                         motivation="참여하고 싶습니다.", status=MembershipStatus.ACCEPTED,
                                         decided_at=NOW, decided_by_id=facilitator.id))
            for session in held[:attended]:
                db.session.add(Attendance(session_id=session.id, user_id=member.id, recorded_by_id=facilitator.id,
                                          method=AttendanceMethod.FACILITATOR, recorded_at=session.ends_at))
        db.session.commit()
        return lab

    return factory


@pytest.fixture
def english(app):
    """A request context in English, for calling services whose messages are translated."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
