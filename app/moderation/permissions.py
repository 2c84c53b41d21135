"""Who may report and moderate. Pure predicates."""
from __future__ import annotations


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def can_report(user, obj) -> bool:
    return _active(user) and getattr(obj, "author_id", None) != user.id


def can_moderate(user, *_args) -> bool:
    return _active(user) and user.is_staff
