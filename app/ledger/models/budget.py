"""Budgets per programme and fiscal year, allowance rules, and the append-only money ledger."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import utcnow
from app.extensions import db
from app.sql import value_enum


class ProgrammeType(LabelledEnum):
    """What a budget pays for. A lab's programme id is the lab's id; the committee and the walking
    programme have no table of their own yet, so any positive id names one of them."""

    LAB = "lab", _l("Living lab")
    COMMITTEE = "committee", _l("Policy advisory committee")
    WALKING = "walking", _l("Walking programme")


class Budget(db.Model):
    """Money a programme may pay out in one fiscal year. ``committed_won`` (approved, unpaid) and
    ``paid_won`` are cached sums of the ledger, changed only by conditional UPDATEs in services."""

    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("programme_type", "programme_id", "fiscal_year"),
        CheckConstraint("allocated_won >= 0", name="allocated_not_negative"),
        CheckConstraint("committed_won >= 0 AND paid_won >= 0", name="totals_not_negative"),
        CheckConstraint("committed_won + paid_won <= allocated_won", name="within_allocation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_type: Mapped[ProgrammeType] = mapped_column(value_enum(ProgrammeType))
    programme_id: Mapped[int] = mapped_column(Integer)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    allocated_won: Mapped[int] = mapped_column(BigInteger)
    committed_won: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_won: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def remaining_won(self) -> int:
        return self.allocated_won - self.committed_won - self.paid_won


class AllowanceRule(db.Model):
    """How much a programme pays per attended session and at most per person and month."""

    __tablename__ = "allowance_rules"
    __table_args__ = (
        UniqueConstraint("programme_type", "programme_id"),
        CheckConstraint("amount_per_session_won >= 0 AND monthly_cap_won >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_type: Mapped[ProgrammeType] = mapped_column(value_enum(ProgrammeType))
    programme_id: Mapped[int] = mapped_column(Integer)
    amount_per_session_won: Mapped[int] = mapped_column(Integer)
    monthly_cap_won: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LedgerEntryType(LabelledEnum):
    COMMIT = "commit", _l("Committed")  # approval: committed_won += amount
    RELEASE = "release", _l("Released")  # an approved allowance was withdrawn: committed_won += amount (negative)
    PAYOUT = "payout", _l("Paid out")  # paid: committed_won -= amount, paid_won += amount
    REVERSAL = "reversal", _l("Reversed")  # a payment corrected: paid_won += amount (negative)


class LedgerEntry(db.Model):
    """One money event. Rows are only ever inserted: see the listeners below."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    allowance_id: Mapped[int | None] = mapped_column(ForeignKey("allowances.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    entry_type: Mapped[LedgerEntryType] = mapped_column(value_enum(LedgerEntryType))
    amount_won: Mapped[int] = mapped_column(BigInteger)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class LedgerIsAppendOnly(RuntimeError):
    """A programming error: ledger rows are never changed or deleted; write a reversing entry."""


@event.listens_for(LedgerEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise LedgerIsAppendOnly(f"ledger entry {target.id} cannot be changed")


@event.listens_for(LedgerEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise LedgerIsAppendOnly(f"ledger entry {target.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == LedgerEntry.__tablename__:
        raise LedgerIsAppendOnly("ledger entries cannot be updated or deleted in bulk")
