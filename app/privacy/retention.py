"""Retention: ``flask privacy purge`` erases what is past its period, kind by kind.

Each step deletes by a cutoff computed from ``now`` and the configured days, so a second run the
same day finds nothing more to delete (idempotent) and the command is safe to run daily from cron.
Every run is recorded (``PurgeRun``) with its counts, and logged."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, or_, select, update

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


def _erase_intake_numbers(now: datetime) -> tuple[int, int]:
    """(unclaimed, claimed) intake records whose resident's number was erased: unclaimed ones past their
    period, claimed ones at once (a claim erases it itself; this catches records claimed before it did)."""
    from app.intake.models import IntakeRecord
    from app.phones.numbers import ERASED_PHONE

    def erase(*conditions) -> int:
        return rowcount(db.session.execute(
            update(IntakeRecord).where(IntakeRecord.phone_lookup != ERASED_PHONE, *conditions)
            .values(phone_encrypted=ERASED_PHONE, phone_lookup=ERASED_PHONE)
            .execution_options(synchronize_session=False)))

    return (erase(IntakeRecord.claimed_at.is_(None), IntakeRecord.created_at < _cutoff(now, "intake_unclaimed")),
            erase(IntakeRecord.claimed_at.is_not(None)))


ERASED_GUEST_PREFIX = "erased:"


def _guest_marker(key: bytes, scope: int, email: str | None, lookup: str | None) -> str:
    """What a guest's lookup column holds once their email/number is erased: distinct guests of one
    consultation or survey keep distinct values (participant counts, one answer per guest), but with a key
    that is never stored nothing links it back to the email or number. Fits the 64-character column and is
    never a 64-hex ``phone_lookup``."""
    digest = hmac.new(key, f"{scope}|{email or ''}|{lookup or ''}".encode(), hashlib.sha256).hexdigest()
    return ERASED_GUEST_PREFIX + digest[:56]


def _not_erased(model):
    """Rows of ``model`` (Opinion or SurveyResponse) that still hold a guest's email or number."""
    lookup = model.guest_phone_lookup
    return or_(model.guest_email.is_not(None), model.guest_phone_encrypted.is_not(None),
               and_(lookup.is_not(None), lookup.not_like(ERASED_GUEST_PREFIX + "%")))


def _erase_guest_rows(rows, scope_of, key: bytes, *, clear_phone: bool = False) -> int:
    for row in rows:
        lookup = row.guest_phone_lookup
        if row.guest_email is not None or (lookup is not None and not lookup.startswith(ERASED_GUEST_PREFIX)):
            row.guest_phone_lookup = _guest_marker(key, scope_of(row), row.guest_email, lookup)
        row.guest_email = None
        row.guest_phone_encrypted = None
        if clear_phone:
            row.phone = ""
    db.session.flush()
    return len(rows)


def _erase_consultation_contacts(now: datetime, key: bytes) -> int:
    """Opinions whose contact details were erased: a guest's confirmed email or number (used to mail or text
    the results) and the phone number staff typed from a paper form, once the consultation's results were
    published long enough ago, or its deadline passed long ago without results. Name and opinion stay."""
    from app.consultations.models import Consultation, Opinion

    due = select(Consultation.id).where(or_(
        Consultation.results_at < _cutoff(now, "consultation_contacts"),
        and_(Consultation.results_at.is_(None),
             Consultation.deadline_at < _cutoff(now, "consultation_contacts_no_results"))))
    rows = db.session.scalars(select(Opinion).where(Opinion.consultation_id.in_(due),
                                                    or_(_not_erased(Opinion), Opinion.phone != ""))
                              .order_by(Opinion.id).with_for_update(skip_locked=True, of=Opinion)).all()
    return _erase_guest_rows(rows, lambda row: row.consultation_id, key, clear_phone=True)


def _erase_survey_guest_contacts(now: datetime, key: bytes) -> int:
    """Survey responses whose guest email or number was erased, some time after the survey closed: it served
    only to keep one answer per guest (and let them change it) while the survey was open. Answers stay."""
    from app.surveys.models import Survey, SurveyResponse, SurveyStatus

    closed = func.coalesce(Survey.closed_at, Survey.closes_at)
    due = select(Survey.id).where(Survey.status != SurveyStatus.DRAFT,
                                  closed < _cutoff(now, "survey_guest_contacts"))
    rows = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id.in_(due),
                                                           _not_erased(SurveyResponse))
                              .order_by(SurveyResponse.id).with_for_update(skip_locked=True, of=SurveyResponse)).all()
    return _erase_guest_rows(rows, lambda row: row.survey_id, key)


def purge(now: datetime | None = None) -> dict[str, int]:
    """Delete everything past its retention period. The caller commits."""
    from app.notifications.models import Notification

    now = now or utcnow()
    key = secrets.token_bytes(32)  # for this run's guest markers only; never stored
    intake_unclaimed, intake_claimed = _erase_intake_numbers(now)
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
        "intake_numbers_unclaimed": intake_unclaimed,
        "intake_numbers_claimed": intake_claimed,
        "consultation_contacts": _erase_consultation_contacts(now, key),
        "survey_guest_contacts": _erase_survey_guest_contacts(now, key),
    }
    db.session.add(PurgeRun(started_at=now, counts=counts))
    current_app.logger.info("privacy purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def recent_purge_runs(limit: int = 10) -> list[PurgeRun]:
    return list(db.session.scalars(select(PurgeRun).order_by(PurgeRun.id.desc()).limit(limit)))
