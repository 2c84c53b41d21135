"""Who takes part in the walking programme, and their mileage wallet (a cached balance)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum


class ParticipationStatus(enum.Enum):
    ACTIVE = "active"
    LEFT = "left"

    @property
    def label(self):
        return {ParticipationStatus.ACTIVE: _l("Taking part"), ParticipationStatus.LEFT: _l("Left")}[self]


class WalkingParticipant(db.Model):
    """One row per resident who ever joined. ``balance_won`` is the cached sum of their mileage
    entries, changed only by conditional UPDATEs in the services (the same rule as budgets). The
    conversion columns hold today's converted total so that the daily cap is checked in the same
    UPDATE that takes the money."""

    __tablename__ = "walking_participants"
    __table_args__ = (CheckConstraint("converted_today_won >= 0", name="converted_today_not_negative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[ParticipationStatus] = mapped_column(value_enum(ParticipationStatus))
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)
    balance_won: Mapped[int] = mapped_column(BigInteger, default=0)
    converted_day: Mapped[date | None] = mapped_column(Date)
    converted_today_won: Mapped[int] = mapped_column(BigInteger, default=0)
    # The linked local-currency account (Asan Pay), Fernet-encrypted like bank account numbers.
    pay_account_encrypted: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.status is ParticipationStatus.ACTIVE

    def rejoin(self, now: datetime) -> None:
        if self.active:
            raise DomainError(_l("You already take part in the walking programme."))
        self.status, self.joined_at, self.left_at = ParticipationStatus.ACTIVE, now, None

    def leave(self, now: datetime) -> None:
        if not self.active:
            raise DomainError(_l("You do not take part in the walking programme."))
        self.status, self.left_at = ParticipationStatus.LEFT, now
