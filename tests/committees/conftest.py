"""Factories for the committee tests: a committee, its members (appointed through the services), meetings."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.committees.models import CallBasis, Gender, MemberCategory, Office
from app.committees.services import membership, meetings, today
from app.core import utcnow
from app.extensions import db

from tests.factories import choices, make_proposal, request_context  # noqa: F401

F, M = Gender.FEMALE, Gender.MALE


@pytest.fixture
def staff(make_user):
    return make_user(["staff"], city_employee=True)


@pytest.fixture
def make_committee(staff):
    def factory(name="스마트도시 정책자문위원회", travel_expense_won=20_000):
        committee = membership.create_committee(staff, name=name, description="자문",
                                                travel_expense_won=travel_expense_won)
        db.session.commit()
        return committee

    return factory


@pytest.fixture
def seat(staff):
    """seat(committee, gender, category=EXPERT, user=None, starts_on=None) -> an appointed member."""

    def factory(committee, gender=F, category=MemberCategory.EXPERT, *, user=None, starts_on=None, name=None,
                city_employee=False):
        member = membership.nominate_member(committee, staff, name=name or f"위원{gender.value}", gender=gender,
                                            category=category, user_id=user.id if user else None,
                                            is_city_employee=city_employee, contact="010-1234-5678")
        membership.appoint_members(committee, staff, [member.id], starts_on or today())
        db.session.commit()
        return member

    return factory


@pytest.fixture
def formed(make_committee, staff):
    """formed(women, men, users=()) -> (committee, members): appointed together, so the gender rule sees the
    whole; ``users`` gives accounts to the first members in order."""

    made = iter(range(1, 100))

    def factory(women, men, users=(), starts_on=None):
        number = next(made)
        committee = make_committee(**({} if number == 1 else {"name": f"위원회 {number}"}))
        nominees = []
        genders = [F] * women + [M] * men
        for index, gender in enumerate(genders):
            user = users[index] if index < len(users) else None
            nominees.append(membership.nominate_member(
                committee, staff, name=f"위원{index + 1}", gender=gender, category=MemberCategory.EXPERT,
                user_id=user.id if user else None, contact=f"010-0000-{index:04d}"))
        if nominees:
            membership.appoint_members(committee, staff, [m.id for m in nominees], starts_on or today())
        db.session.commit()
        return committee, nominees

    return factory


@pytest.fixture
def with_chair(staff):
    def factory(committee, member):
        officer = membership.elect_officer(committee, staff, office=Office.CHAIR, member_id=member.id,
                                           elected_on=today(), present=_enrolled(committee),
                                           votes_for=_enrolled(committee))
        db.session.commit()
        return officer

    return factory


def _enrolled(committee):
    from app.committees.queries import enrolled_count

    return enrolled_count(committee.id, today())


@pytest.fixture
def held_meeting(staff, with_chair):
    """held_meeting(committee, members, present=members) -> a meeting called, held, with attendance."""

    def factory(committee, members, present=None, items=1):
        with_chair(committee, members[0])
        meeting = meetings.call_meeting(committee, staff, title="제1차 회의", starts_at=utcnow() + timedelta(hours=1),
                                        place="구청 회의실", basis=CallBasis.CHAIR)
        for n in range(items):
            meetings.add_item(meeting, staff, title=f"안건 {n + 1}")
        meeting.starts_at = utcnow() - timedelta(minutes=5)
        meetings.hold_meeting(meeting, staff)
        attending = members if present is None else present
        if attending:
            meetings.record_attendance(meeting, staff, [m.id for m in attending])
        db.session.commit()
        return meeting

    return factory
