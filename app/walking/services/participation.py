"""Joining and leaving the programme. Joining needs the health consent; withdrawing it leaves at once."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from app import audit
from app.auth.models import ConsentItem
from app.auth.services import has_consent
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import rowcount
from app.walking.models import ParticipationStatus, StepRecord, WalkingParticipant


def participant_of(user) -> WalkingParticipant | None:
    return db.session.get(WalkingParticipant, user.id)


def is_participating(user) -> bool:
    participant = participant_of(user)
    return participant is not None and participant.active


def join(user) -> WalkingParticipant:
    if not has_consent(user, ConsentItem.HEALTH):
        raise DomainError(_l("Joining the walking programme needs your consent to the use of health data (steps)."),
                          field="consent_health")
    participant = participant_of(user)
    if participant is None:
        participant = WalkingParticipant(user_id=user.id, status=ParticipationStatus.ACTIVE, joined_at=utcnow(),
                                         balance_won=0, converted_today_won=0)
        db.session.add(participant)
    else:
        participant.rejoin(utcnow())
    db.session.flush()
    audit.record(user, "walking.joined", "user", user.id)
    return participant


def leave(user) -> WalkingParticipant:
    participant = participant_of(user)
    if participant is None:
        raise DomainError(_l("You do not take part in the walking programme."))
    participant.leave(utcnow())
    db.session.flush()
    audit.record(user, "walking.left", "user", user.id)
    return participant


def on_consent_changed(user, item, granted, **_) -> None:
    """Withdrawing the health consent stops collection at once: the resident leaves the programme."""
    if item is ConsentItem.HEALTH and not granted and is_participating(user):
        leave(user)


def retention_cutoff():
    return utcnow() - timedelta(days=current_app.config["WALKING_RETENTION_DAYS"])


def purge_step_records() -> int:
    """Delete step records received longer ago than the retention period (``flask walking purge``).
    The days' totals and the mileage ledger stay: they are money records, not health data."""
    result = db.session.execute(delete(StepRecord).where(StepRecord.received_at < retention_cutoff()))
    return rowcount(result) or 0
