"""Who may do what with accounts. Pure predicates over the acting user."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from app.auth.models import Role


def signed_in(user) -> bool:
    """A signed-in, active account: the first condition of every permission in every domain."""
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", False)


def can_manage_users(user) -> bool:
    return signed_in(user) and user.is_admin


def can_view_audit_log(user) -> bool:
    return signed_in(user) and user.is_admin


def is_staff(user) -> bool:
    return signed_in(user) and user.is_staff


def has_role(user, role: Role) -> bool:
    return signed_in(user) and role in user.roles


def require(predicate, *args):
    """Abort 401 for anonymous users and 403 when ``predicate(current_user, *args)`` is false."""
    if not current_user.is_authenticated:
        abort(401)
    if not predicate(current_user, *args):
        abort(403)


def requires(predicate):
    """View decorator form of :func:`require`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(predicate)
            return view(*args, **kwargs)

        return wrapped

    return decorator
