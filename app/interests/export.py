"""The interests section of the resident's data export."""
from __future__ import annotations

from app.auth.export import iso, register_export
from app.interests.services import interests_of


def _interests(user) -> list[dict]:
    return [{"kind": i.kind.value, "key": i.key, "since": iso(i.created_at)} for i in interests_of(user)]


def register() -> None:
    register_export("interests", _interests)
