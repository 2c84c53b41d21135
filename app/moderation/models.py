"""Reports from residents, and the hidden state every moderated model carries."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import utcnow
from app.extensions import db


class ModeratedMixin:
    """Hidden content disappears from lists, search and the API for everyone but its author and staff.

    ``review_pending`` marks content hidden automatically by reports and not yet looked at by staff;
    ``hidden_reason`` is the staff's reason, shown to the author."""

    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    review_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    hidden_reason: Mapped[str | None] = mapped_column(String(500))


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "target_type", "target_id", name="uq_reports_reporter_target"),
        Index("ix_reports_open_target", "resolved_at", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
