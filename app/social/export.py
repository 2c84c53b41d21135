"""The linked logins section of the resident's data export."""
from __future__ import annotations

from app.auth.export import iso, register_export
from app.social.services import logins_of


def _logins(user) -> list[dict]:
    return [{"provider": row.provider, "provider_user_id": row.subject, "email": row.email,
             "linked_at": iso(row.created_at), "last_login_at": iso(row.last_login_at)} for row in logins_of(user)]


def register() -> None:
    register_export("linked_logins", _logins)
