"""What each resident wants outside the site, and every message sent there."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import utcnow
from app.enums import LabelledEnum
from app.extensions import db


class Channel(LabelledEnum):
    EMAIL = "email", _l("Email")
    TEXT = "text", _l("Text message")


class Frequency(LabelledEnum):
    OFF = "off", _l("Off")
    IMMEDIATE = "immediate", _l("At once")
    DAILY = "daily", _l("Daily digest")
    WEEKLY = "weekly", _l("Weekly digest")


class DeliveryStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting to be sent")
    SENT = "sent", _l("Sent")
    REFUSED = "refused", _l("Refused by the recipient's server or the provider")
    FAILED = "failed", _l("Failed after every retry")
    SKIPPED = "skipped", _l("Not sent")


class ChannelPreference(db.Model):
    """A resident's explicit choice for one notification kind on one channel. Kinds without a row use the
    defaults in app/channels/preferences.py."""

    __tablename__ = "channel_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Delivery(db.Model):
    """One message by mail or text: a notification sent at once, or a digest. Written in the transaction
    of the action that caused it and sent by the job queue after it; ``reference`` makes a digest unique
    per resident, channel and period (and is the provider's idempotency key)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_status_next", "status", "next_attempt_at"),
                      Index("ix_notification_deliveries_user_channel", "user_id", "channel", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(50))  # a notification kind, or "digest_daily" / "digest_weekly"
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    message_id: Mapped[str | None] = mapped_column(String(100))
    batch: Mapped[str] = mapped_column(String(32), index=True)
    reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()

    @property
    def status_label(self):
        return DeliveryStatus(self.status).label
