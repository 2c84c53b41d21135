"""Certificates' section of the resident's data export."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.certificates.models import Certificate
from app.extensions import db


def _certificates(user) -> list[dict]:
    rows = db.session.scalars(select(Certificate).where(Certificate.holder_id == user.id).order_by(Certificate.id))
    return [{"kind": c.kind.value, "status": c.status.value, "lab_title": c.lab_title, "holder_name": c.holder_name,
             "period_start": c.period_start.isoformat(), "period_end": c.period_end.isoformat(),
             "attended_minutes": c.attended_minutes, "verification_code": c.verification_code,
             "issued_at": iso(c.issued_at), "revoked_at": iso(c.revoked_at), "revoked_reason": c.revoked_reason}
            for c in rows]


def register() -> None:
    register_export("certificates", _certificates)
