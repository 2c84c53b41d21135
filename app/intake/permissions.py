"""Who may take part on a resident's behalf, and who sees what was entered. Pure predicates.

``INTAKE_RULES`` says, per kind of participation, which kinds of actor may enter it for a resident
(like ``labs.permissions.WORKSPACE_RULES``): community-centre staff (role ``intake``) and city staff.
"""
from __future__ import annotations

from app.auth.models import Role
from app.auth.permissions import signed_in
from app.intake.models import IntakeKind, IntakeRecord

CENTRE = "centre"  # community-centre staff (role intake)
STAFF = "staff"    # city staff or admin

INTAKE_RULES: dict[IntakeKind, frozenset[str]] = {
    IntakeKind.PROPOSAL: frozenset({CENTRE, STAFF}),
    IntakeKind.OPINION: frozenset({CENTRE, STAFF}),
    IntakeKind.LAB_APPLICATION: frozenset({CENTRE, STAFF}),
}


def actor_kinds(user) -> frozenset[str]:
    if not signed_in(user):
        return frozenset()
    kinds = set()
    if Role.INTAKE in user.roles:
        kinds.add(CENTRE)
    if user.is_staff:
        kinds.add(STAFF)
    return frozenset(kinds)


def can_enter(user, kind: IntakeKind) -> bool:
    return bool(INTAKE_RULES[kind] & actor_kinds(user))


def can_use_intake(user) -> bool:
    """The intake pages at all: anyone who may enter some kind."""
    return any(can_enter(user, kind) for kind in IntakeKind)


def can_see_all_records(user) -> bool:
    """City staff see every record; community-centre staff the ones they entered."""
    return STAFF in actor_kinds(user)


def can_view_record(user, record: IntakeRecord) -> bool:
    if can_see_all_records(user):
        return True
    return can_use_intake(user) and record.entered_by_id == user.id


def can_claim(user) -> bool:
    """Any resident with an account may claim what was entered with their verified phone number."""
    return signed_in(user)
