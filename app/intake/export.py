"""What staff entered on the resident's behalf and they claimed: part of their data export."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.intake.models import IntakeRecord


def _claimed(user) -> list[dict]:
    rows = db.session.scalars(select(IntakeRecord).where(IntakeRecord.claimed_by_id == user.id)
                              .order_by(IntakeRecord.id))
    return [{"kind": r.kind.value, "channel": r.channel.value, "title": r.title, "entered_at": iso(r.created_at),
             "entered_by": r.entered_by.display_name if r.entered_by else None, "name_given": r.resident_name,
             "consent_privacy": r.consent_privacy, "consent_texts": r.consent_texts, "consent_note": r.consent_note,
             "policy_version": r.policy_version, "claimed_at": iso(r.claimed_at)} for r in rows]


def register() -> None:
    register_export("intake_claimed", _claimed)
