"""Privacy records: policy versions, deletion requests, retained legal records, staff access to
personal data, breach incidents and purge runs (issue 18; seeds 003:2690-2824)."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum


class PrivacyPolicy(db.Model):
    """One published version of the privacy policy (개인정보 처리방침). Versions are never edited:
    a change is a new version. The text lives here so that a city can change it without a deploy."""

    __tablename__ = "privacy_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    body_ko: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="")
    # True when a required item (purpose, items collected, retention) changed: everyone agrees again.
    required_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DeletionStatus(enum.Enum):
    PENDING = "pending"  # cooling-off: the resident can still cancel
    CANCELLED = "cancelled"
    DONE = "done"  # personal data erased

    @property
    def label(self):
        return DELETION_STATUS_LABELS[self]


DELETION_STATUS_LABELS = {
    DeletionStatus.PENDING: _l("Waiting (can be cancelled)"),
    DeletionStatus.CANCELLED: _l("Cancelled"),
    DeletionStatus.DONE: _l("Erased"),
}


class DeletionReason(enum.Enum):
    RESIDENT = "resident"  # the resident asked
    INACTIVE = "inactive"  # a deactivated account past its retention period

    @property
    def label(self):
        return {DeletionReason.RESIDENT: _l("The resident asked"),
                DeletionReason.INACTIVE: _l("Deactivated account past its retention period")}[self]


class DeletionRequest(db.Model):
    """A resident's request to delete their account (파기), with a cooling-off period."""

    __tablename__ = "privacy_deletion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[DeletionStatus] = mapped_column(value_enum(DeletionStatus), default=DeletionStatus.PENDING,
                                                   index=True)
    reason: Mapped[DeletionReason] = mapped_column(value_enum(DeletionReason), default=DeletionReason.RESIDENT)
    keep_content: Mapped[bool] = mapped_column(Boolean, default=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # what the erasure removed and kept, counted

    user: Mapped[User] = relationship(lazy="joined")

    def cancel(self) -> None:
        if self.status is not DeletionStatus.PENDING:
            raise DomainError(_l("This deletion request can no longer be cancelled."))
        self.status = DeletionStatus.CANCELLED
        self.cancelled_at = utcnow()

    def complete(self, summary: dict, now: datetime) -> None:
        if self.status is not DeletionStatus.PENDING:
            raise DomainError(_l("This deletion request is not waiting."))
        self.status = DeletionStatus.DONE
        self.completed_at = now
        self.summary = summary

    def is_due(self, now: datetime) -> bool:
        return self.status is DeletionStatus.PENDING and self.due_at <= now


class RetainedRecord(db.Model):
    """The least identity the law makes us keep after an account is erased (allowances paid,
    certificates issued), kept apart from everything else and erased when ``keep_until`` passes."""

    __tablename__ = "privacy_retained_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # a retention kind: payment_records, certificate_records
    name: Mapped[str] = mapped_column(String(50))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    record_count: Mapped[int] = mapped_column(Integer)
    keep_until: Mapped[datetime] = mapped_column(DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DataKind(enum.Enum):
    """Kinds of personal data whose viewing by staff is logged."""

    CONTACT = "contact"
    BANK_ACCOUNT = "bank_account"
    RECEIPT = "receipt"
    APPLICATION = "application"
    ATTENDANCE = "attendance"

    @property
    def label(self):
        return DATA_KIND_LABELS[self]


DATA_KIND_LABELS = {
    DataKind.CONTACT: _l("Contact details"),
    DataKind.BANK_ACCOUNT: _l("Bank accounts"),
    DataKind.RECEIPT: _l("Receipts"),
    DataKind.APPLICATION: _l("Applications"),
    DataKind.ATTENDANCE: _l("Attendance"),
}


class DataAccessAction(enum.Enum):
    VIEW = "view"
    EXPORT = "export"

    @property
    def label(self):
        return {DataAccessAction.VIEW: _l("Viewed"), DataAccessAction.EXPORT: _l("Exported")}[self]


class PersonalDataAccess(db.Model):
    """A staff member or facilitator saw or exported someone's personal data (접속기록, kept >= 1 year)."""

    __tablename__ = "privacy_data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[DataKind] = mapped_column(value_enum(DataKind))
    action: Mapped[DataAccessAction] = mapped_column(value_enum(DataAccessAction))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))  # page, api
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id], lazy="joined")


NOTIFICATION_HOURS = 72
# The authority is told as well when this many people or more are affected (seeds 003:2822).
AUTHORITY_REPORT_THRESHOLD = 1000


class BreachIncident(db.Model):
    """A personal-data breach (유출) and the steps of the 72-hour notification."""

    __tablename__ = "privacy_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    data_kinds: Mapped[list] = mapped_column(JSON)  # DataKind values involved
    occurred_from: Mapped[datetime] = mapped_column(DateTime)  # the window the breach covers
    occurred_until: Mapped[datetime] = mapped_column(DateTime)
    discovered_at: Mapped[datetime] = mapped_column(DateTime)  # the 72 hours start here
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # step -> ISO time it was done

    suspect: Mapped[User | None] = relationship(foreign_keys=[suspect_id], lazy="joined")

    @property
    def deadline(self) -> datetime:
        return self.discovered_at + timedelta(hours=NOTIFICATION_HOURS)

    def mark_done(self, step: str, at: datetime) -> None:
        from app.privacy.breach import CHECKLIST

        if step not in CHECKLIST:
            raise DomainError(_l("Unknown checklist step."), status=404)
        if step in (self.checklist or {}):
            raise DomainError(_l("This step is already done."))
        self.checklist = {**(self.checklist or {}), step: at.isoformat()}


class PurgeRun(db.Model):
    """One run of ``flask privacy purge``: what it deleted, by kind."""

    __tablename__ = "privacy_purge_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
