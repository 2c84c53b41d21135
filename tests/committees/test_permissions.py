"""The role × seat × meeting-status matrix of the committee predicates, on unsaved objects."""
from itertools import product

import pytest
from flask_login import AnonymousUserMixin

from app.auth.models import Role, User, UserRole
from app.committees import permissions as perm
from app.committees.models import CommitteeMember, Meeting, MeetingRequest, MeetingStatus, RequestStatus

ROLES = ["anonymous", "resident", "member", "chair", "staff", "admin", "inactive_member"]
STATUSES = list(MeetingStatus)


def _user(user_id, *roles, active=True):
    user = User(id=user_id, email=f"u{user_id}@example.kr", display_name="u", district="onyang1", birth_year=1980,
                active=active)
    user.role_rows = [UserRole(role=r) for r in roles]
    return user


USERS = {
    "anonymous": AnonymousUserMixin(),
    "resident": _user(2),
    "member": _user(3),
    "chair": _user(4),
    "staff": _user(5, Role.STAFF),
    "admin": _user(6, Role.ADMIN, Role.STAFF),
    "inactive_member": _user(7, active=False),
}
CHAIR = CommitteeMember(id=40, user_id=4)


def _seat(role):
    """The viewer's own serving seat, as the routes pass it in (None for people without one)."""
    return {"member": CommitteeMember(id=30, user_id=3), "chair": CHAIR,
            "inactive_member": CommitteeMember(id=70, user_id=7)}.get(role)


S = MeetingStatus
# What the ordinance and the issue ask, written out plainly: (statuses, roles).
EXPECTED = {
    "view": ({S.SCHEDULED, S.PUBLISHED}, set(ROLES)),
    "view_record": (set(S), {"staff", "admin"}),
    "edit_agenda": ({S.SCHEDULED, S.HELD}, {"staff", "admin", "chair"}),
    "record_recusal": ({S.SCHEDULED, S.HELD}, {"staff", "admin"}),
    "step_aside": ({S.SCHEDULED, S.HELD}, {"member", "chair"}),
    "hold": ({S.SCHEDULED}, {"staff", "admin"}),
    "cancel": ({S.SCHEDULED}, {"staff", "admin", "chair"}),
    "record_attendance": ({S.HELD}, {"staff", "admin"}),
    "decide_challenge": ({S.HELD}, {"staff", "admin"}),
    "record_votes": ({S.HELD}, {"staff", "admin"}),
    "write_minutes": ({S.HELD}, {"staff", "admin"}),
    "publish": ({S.HELD}, {"staff", "admin"}),
}


def test_the_table_covers_exactly_the_expected_actions():
    assert set(perm.MEETING_RULES) == set(EXPECTED)


@pytest.mark.parametrize("action, role, status", list(product(EXPECTED, ROLES, STATUSES)))
def test_meeting_actions(action, role, status):
    statuses, roles = EXPECTED[action]
    meeting = Meeting(id=1, status=status)
    assert perm.can_use(action, USERS[role], meeting, _seat(role), CHAIR) is (status in statuses and role in roles)


@pytest.mark.parametrize("role, status", list(product(ROLES, STATUSES)))
def test_who_sees_a_meeting(role, status):
    public = status in (S.SCHEDULED, S.PUBLISHED)
    assert perm.can_view_meeting(USERS[role], Meeting(status=status)) is (public or role in {"staff", "admin"})


COMMITTEE_EXPECTED = {
    "create": {"admin"},
    "manage": {"staff", "admin"},
    "contacts": {"staff", "admin"},
    "call": {"staff", "admin", "chair"},
    "request": {"member", "chair"},
}


@pytest.mark.parametrize("check, role", list(product(COMMITTEE_EXPECTED, ROLES)))
def test_committee_predicates(check, role):
    user, seat = USERS[role], _seat(role)
    result = {
        "create": lambda: perm.can_create_committee(user),
        "manage": lambda: perm.can_manage_committee(user),
        "contacts": lambda: perm.can_view_contacts(user),
        "call": lambda: perm.can_call_meeting(user, CHAIR),
        "request": lambda: perm.can_request_meeting(user, seat),
    }[check]()
    assert result is (role in COMMITTEE_EXPECTED[check])


@pytest.mark.parametrize("status, signed, role", list(product(RequestStatus, [False, True], ROLES)))
def test_signing_a_request(status, signed, role):
    request = MeetingRequest(id=1, status=status)
    expected = role in {"member", "chair"} and status is RequestStatus.OPEN and not signed
    assert perm.can_sign_request(USERS[role], _seat(role), request, signed) is expected


def test_someone_elses_seat_gives_no_rights():
    assert not perm.can_request_meeting(USERS["resident"], _seat("member"))
    assert not perm.can_call_meeting(USERS["member"], CHAIR)
