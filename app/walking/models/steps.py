"""Step counts as they arrive (one row per resident, day and source) and each day's credited result."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum


class ReviewStatus(enum.Enum):
    """A count above the plausibility limit waits for staff; only OK and CLEARED counts earn."""

    OK = "ok"
    FLAGGED = "flagged"
    CLEARED = "cleared"
    REJECTED = "rejected"

    @property
    def label(self):
        return REVIEW_LABELS[self]

    @property
    def counts(self) -> bool:
        return self in (ReviewStatus.OK, ReviewStatus.CLEARED)


REVIEW_LABELS = {
    ReviewStatus.OK: _l("Counted"),
    ReviewStatus.FLAGGED: _l("Waiting for review"),
    ReviewStatus.CLEARED: _l("Cleared by staff"),
    ReviewStatus.REJECTED: _l("Rejected by staff"),
}

REVIEW_TRANSITIONS = {
    ReviewStatus.OK: set(),
    ReviewStatus.FLAGGED: {ReviewStatus.CLEARED, ReviewStatus.REJECTED},
    ReviewStatus.CLEARED: {ReviewStatus.REJECTED},
    ReviewStatus.REJECTED: {ReviewStatus.CLEARED},
}

COUNTING = [ReviewStatus.OK.value, ReviewStatus.CLEARED.value]


class StepRecord(db.Model):
    """A source's count for one day. Re-sending the same day and source replaces the count."""

    __tablename__ = "walking_step_records"
    __table_args__ = (UniqueConstraint("user_id", "day", "source"), Index("ix_walking_step_records_review", "review"),
                      Index("ix_walking_step_records_received_at", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(40))
    steps: Mapped[int] = mapped_column(Integer)
    review: Mapped[ReviewStatus] = mapped_column(value_enum(ReviewStatus))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def review_to(self, new: ReviewStatus, by: User, now: datetime) -> None:
        if new not in REVIEW_TRANSITIONS[self.review]:
            raise DomainError(_l("This count cannot go from “%(current)s” to “%(new)s”.",
                                 current=self.review.label, new=new.label))
        self.review, self.reviewed_by_id, self.reviewed_at = new, by.id, now


class WalkingDay(db.Model):
    """A resident's day: the highest counting source's steps, the reward they earn under the day's
    rule version, and how much of it the ledger holds. ``pending`` is true while the two differ
    (the budget ran out); crediting turns it false by appending the difference."""

    __tablename__ = "walking_days"
    __table_args__ = (Index("ix_walking_days_pending", "pending"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    steps: Mapped[int] = mapped_column(Integer, default=0)
    rule_id: Mapped[int] = mapped_column(ForeignKey("walking_reward_rules.id"))
    reward_won: Mapped[int] = mapped_column(BigInteger, default=0)
    credited_won: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
