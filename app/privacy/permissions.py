"""Who may see and do what with privacy records. Pure predicates over the acting user."""
from __future__ import annotations


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def can_publish_policy(user) -> bool:
    return _active(user) and user.is_admin


def can_view_pending_deletions(user) -> bool:
    """Staff see which accounts are waiting to be erased and what the law keeps."""
    return _active(user) and user.is_staff


def can_view_data_access_log(user) -> bool:
    return _active(user) and user.is_admin


def can_manage_breaches(user) -> bool:
    return _active(user) and user.is_admin


def can_request_deletion(user) -> bool:
    return _active(user)
