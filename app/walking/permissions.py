"""Who may do what in the walking programme. Pure predicates over the acting user (and object)."""
from __future__ import annotations

from app.auth.models import Role
from app.auth.permissions import has_role, is_staff


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def can_walk(user) -> bool:
    """Join, leave, send steps, convert, take part in missions: any active account (every account is a resident)."""
    return _active(user)


def can_view_conversion(user, conversion) -> bool:
    return _active(user) and conversion.user_id == user.id


def can_redeem_coupons(user) -> bool:
    """Bank clerks cash coupons; nobody else (staff see redemptions but do not cash them)."""
    return has_role(user, Role.REDEEMER)


def can_manage_walking(user) -> bool:
    """Participants, flagged counts, imports, missions, budget top-ups, redemptions, exports."""
    return is_staff(user)


def can_set_walking_rule(user) -> bool:
    return _active(user) and user.is_admin
