"""Who may do what with a committee: pure predicates over the user, their seat and the meeting's status.

Meeting actions are opened per status by ``MEETING_RULES`` (one table, like ``labs/permissions.py``):
an action is usable only in its statuses and only by the kinds of actor listed for it. Pass the
viewer's serving seat (``member``) and the chair's seat in; nothing here queries the database."""
from __future__ import annotations

from app.auth.permissions import signed_in
from app.committees.models import Meeting, MeetingRequest, MeetingStatus, RequestStatus

PUBLIC = "public"  # anyone
MEMBER = "member"  # a serving member of this committee, logged in with their own account
CHAIR = "chair"  # the serving chair, logged in
STAFF = "staff"  # staff or admin

M = MeetingStatus
# action: (meeting statuses in which it is open, actors who may use it)
MEETING_RULES: dict[str, tuple[frozenset[MeetingStatus], frozenset[str]]] = {
    "view": (frozenset({M.SCHEDULED, M.PUBLISHED}), frozenset({PUBLIC})),
    "view_record": (frozenset({M.SCHEDULED, M.HELD, M.PUBLISHED, M.CANCELLED}), frozenset({STAFF})),
    "edit_agenda": (frozenset({M.SCHEDULED, M.HELD}), frozenset({STAFF, CHAIR})),
    "record_recusal": (frozenset({M.SCHEDULED, M.HELD}), frozenset({STAFF})),
    "step_aside": (frozenset({M.SCHEDULED, M.HELD}), frozenset({MEMBER})),
    "hold": (frozenset({M.SCHEDULED}), frozenset({STAFF})),
    "cancel": (frozenset({M.SCHEDULED}), frozenset({STAFF, CHAIR})),
    "record_attendance": (frozenset({M.HELD}), frozenset({STAFF})),
    "decide_challenge": (frozenset({M.HELD}), frozenset({STAFF})),
    "record_votes": (frozenset({M.HELD}), frozenset({STAFF})),
    "write_minutes": (frozenset({M.HELD}), frozenset({STAFF})),
    "publish": (frozenset({M.HELD}), frozenset({STAFF})),
}


def _staff(user) -> bool:
    return signed_in(user) and user.is_staff


def _holds(user, seat) -> bool:
    return signed_in(user) and seat is not None and seat.user_id == user.id


def actor_kinds(user, member=None, chair=None) -> frozenset[str]:
    kinds = {PUBLIC}
    if _staff(user):
        kinds.add(STAFF)
    if _holds(user, member):
        kinds.add(MEMBER)
    if _holds(user, chair):
        kinds.add(CHAIR)
    return frozenset(kinds)


def can_use(action: str, user, meeting: Meeting, member=None, chair=None) -> bool:
    statuses, actors = MEETING_RULES[action]
    return meeting.status in statuses and bool(actors & actor_kinds(user, member, chair))


def can_view_meeting(user, meeting: Meeting) -> bool:
    return can_use("view", user, meeting) or can_use("view_record", user, meeting)


def can_create_committee(user) -> bool:
    return signed_in(user) and user.is_admin


def can_manage_committee(user) -> bool:
    """Membership, elections, the staff page with contacts and expiring terms."""
    return _staff(user)


def can_view_contacts(user) -> bool:
    """Members' contact details are for staff only; no public page or public API answer carries them."""
    return _staff(user)


def can_call_meeting(user, chair=None) -> bool:
    """The chair calls meetings (제15조③); staff enter the chair's call for them."""
    return _staff(user) or _holds(user, chair)


def can_request_meeting(user, member) -> bool:
    return _holds(user, member)


def can_sign_request(user, member, request: MeetingRequest, already_signed: bool) -> bool:
    return _holds(user, member) and request.status is RequestStatus.OPEN and not already_signed
