"""Who may report and moderate. Pure predicates."""
from __future__ import annotations
from app.auth.permissions import signed_in


def can_report(user, obj) -> bool:
    return signed_in(user) and getattr(obj, "author_id", None) != user.id


def can_moderate(user, *_args) -> bool:
    return signed_in(user) and user.is_staff
