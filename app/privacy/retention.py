"""Retention: ``flask privacy purge`` erases what is past its period, kind by kind.

Each step deletes by a cutoff computed from ``now`` and the configured days, so a second run the
same day finds nothing more to delete (idempotent) and the command is safe to run daily from cron.
Every run is recorded (``PurgeRun``) with its counts, and logged."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, select, update

from app.auth.models import AccessLog, ApiToken, User
from app.core import utcnow
from app.extensions import db
from app.sql import rowcount
from app.privacy.deletion import ERASED_NAME, erase_account
from app.privacy.models import (
    DeletionReason,
    DeletionRequest,
    DeletionStatus,
    PersonalDataAccess,
    PurgeRun,
    RetainedRecord,
)


def _cutoff(now: datetime, kind: str) -> datetime:
    return now - timedelta(days=current_app.config["PRIVACY_RETENTION_DAYS"][kind])


def _erase_due_requests(now: datetime) -> int:
    # Row locks (PostgreSQL; SQLite runs one writer anyway): two purges started together never erase
    # the same account twice, the second skips what the first holds.
    due = db.session.scalars(select(DeletionRequest).where(DeletionRequest.status == DeletionStatus.PENDING,
                                                           DeletionRequest.due_at <= now)
                             .order_by(DeletionRequest.id).with_for_update(skip_locked=True, of=DeletionRequest)).all()
    for row in due:
        erase_account(row, now)
    return len(due)


def _erase_long_deactivated(now: datetime) -> int:
    """Accounts deactivated (not deleted) longer than their retention period are erased too."""
    cutoff = _cutoff(now, "deactivated_accounts")
    users = db.session.scalars(select(User).where(
        User.active.is_(False), User.deactivated_at < cutoff, User.email.not_like("erased-%@invalid"),
        ~exists().where(DeletionRequest.user_id == User.id, DeletionRequest.status == DeletionStatus.PENDING),
    ).order_by(User.id)).all()
    for user in users:
        row = DeletionRequest(user_id=user.id, keep_content=True, requested_at=now, due_at=now,
                              reason=DeletionReason.INACTIVE)
        db.session.add(row)
        db.session.flush()
        erase_account(row, now)
    return len(users)


def _expire_retained_records(now: datetime) -> int:
    from app.certificates.models import Certificate

    expired = db.session.scalars(select(RetainedRecord).where(RetainedRecord.keep_until <= now)).all()
    for record in expired:
        if record.kind == "certificate_records":
            db.session.execute(update(Certificate).where(Certificate.holder_id == record.user_id)
                               .values(holder_name=ERASED_NAME))
        db.session.delete(record)
    return len(expired)


def purge(now: datetime | None = None) -> dict[str, int]:
    """Delete everything past its retention period. The caller commits."""
    from app.notifications.models import Notification

    now = now or utcnow()
    sign_in_cutoff = now - timedelta(days=max(365, current_app.config["ACCESS_LOG_RETENTION_DAYS"]))
    counts = {
        "accounts_erased": _erase_due_requests(now),
        "deactivated_accounts_erased": _erase_long_deactivated(now),
        "retained_records_expired": _expire_retained_records(now),
        "notifications": rowcount(db.session.execute(
            delete(Notification).where(Notification.created_at < _cutoff(now, "notifications")))),
        "revoked_api_tokens": rowcount(db.session.execute(
            delete(ApiToken).where(ApiToken.revoked_at < _cutoff(now, "revoked_api_tokens")))),
        "sign_in_log": rowcount(db.session.execute(delete(AccessLog).where(AccessLog.created_at < sign_in_cutoff))),
        "staff_access_log": rowcount(db.session.execute(
            delete(PersonalDataAccess).where(PersonalDataAccess.created_at < _cutoff(now, "staff_access_log"))
        )),
    }
    db.session.add(PurgeRun(started_at=now, counts=counts))
    current_app.logger.info("privacy purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def recent_purge_runs(limit: int = 10) -> list[PurgeRun]:
    return list(db.session.scalars(select(PurgeRun).order_by(PurgeRun.id.desc()).limit(limit)))
