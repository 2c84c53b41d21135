"""The resident's phone number in the privacy export (the codes keep no number, only a keyed hash)."""
from __future__ import annotations

from app.auth.export import iso
from app.auth.models import User


def phone_section(user: User) -> dict | None:
    from app.phones.numbers import decrypt_phone, format_phone
    from app.phones.services import user_phone

    row = user_phone(user)
    if row is None:
        return None
    return {"number": format_phone(decrypt_phone(row.phone_encrypted)), "verified_at": iso(row.verified_at)}
