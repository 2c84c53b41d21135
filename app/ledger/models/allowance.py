"""Allowances (참여수당) for attended sessions and actual-expense claims (실비), and their lifecycle."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.labs.models import LabSession
from app.ledger.models.budget import Budget, ProgrammeType
from app.sql import value_enum


class AllowanceKind(LabelledEnum):
    SESSION = "session", _l("Session allowance")
    EXPENSE = "expense", _l("Expense claim")


class ExpenseCategory(LabelledEnum):
    TRANSPORT = "transport", _l("Transport")
    MATERIALS = "materials", _l("Materials")


class AllowanceStatus(LabelledEnum):
    PENDING = "pending", _l("Pending")  # created by attendance or a claim
    CONFIRMED = "confirmed", _l("Confirmed")  # a facilitator of the programme vouched for it
    APPROVED = "approved", _l("Approved")  # staff approved it: the budget is committed
    PAID = "paid", _l("Paid")  # its payout batch was paid
    REJECTED = "rejected", _l("Rejected")  # refused, with a reason the resident sees
    REVERSED = "reversed", _l("Reversed")  # a payment corrected by a reversing ledger entry


class Allowance(db.Model):
    __tablename__ = "allowances"
    __table_args__ = (
        # No second allowance for the same member and session (NULL session ids, i.e. claims, are distinct).
        UniqueConstraint("user_id", "session_id"),
        # A committee member is paid once per meeting: one meeting allowance and one travel expense.
        UniqueConstraint("user_id", "committee_meeting_id", "kind"),
        CheckConstraint("amount_won > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    programme_type: Mapped[ProgrammeType] = mapped_column(value_enum(ProgrammeType))
    programme_id: Mapped[int] = mapped_column(Integer)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    kind: Mapped[AllowanceKind] = mapped_column(value_enum(AllowanceKind))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("lab_sessions.id"))
    committee_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    expense_category: Mapped[ExpenseCategory | None] = mapped_column(value_enum(ExpenseCategory))
    description: Mapped[str] = mapped_column(Text, default="")
    amount_won: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[date] = mapped_column(Date)  # Asia/Seoul date: decides the month of the cap
    receipt_file: Mapped[str | None] = mapped_column(String(80))
    receipt_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[AllowanceStatus] = mapped_column(value_enum(AllowanceStatus), default=AllowanceStatus.PENDING,
                                                    index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic lock: two staff acting on the same allowance at once cannot both succeed.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    budget: Mapped[Budget] = relationship()
    session: Mapped[LabSession | None] = relationship()
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def confirm(self, by: User, now: datetime) -> None:
        if self.status is not AllowanceStatus.PENDING:
            raise DomainError(_l("Only a pending allowance can be confirmed."))
        self.status = AllowanceStatus.CONFIRMED
        self.confirmed_at, self.confirmed_by_id = now, by.id

    def approve(self, by: User, now: datetime) -> None:
        if self.status is not AllowanceStatus.CONFIRMED:
            raise DomainError(_l("Only an allowance a facilitator has confirmed can be approved."))
        self.status = AllowanceStatus.APPROVED
        self.decided_at, self.decided_by_id = now, by.id

    def reject(self, by: User, now: datetime, reason: str) -> bool:
        """Reject; returns True when the allowance had committed budget that must be released."""
        if self.status not in (AllowanceStatus.PENDING, AllowanceStatus.CONFIRMED, AllowanceStatus.APPROVED):
            raise DomainError(_l("A paid or already rejected allowance cannot be rejected."))
        if self.batch_id is not None:
            raise DomainError(_l("This allowance is in a payout batch and can no longer be rejected."))
        had_commitment = self.status is AllowanceStatus.APPROVED
        self.status = AllowanceStatus.REJECTED
        self.rejection_reason = reason
        self.decided_at, self.decided_by_id = now, by.id
        return had_commitment

    def mark_paid(self, now: datetime) -> None:
        if self.status is not AllowanceStatus.APPROVED:
            raise DomainError(_l("Only an approved allowance can be paid."))
        self.status = AllowanceStatus.PAID
        self.paid_at = now

    def reverse(self, by: User, now: datetime, reason: str) -> None:
        if self.status is not AllowanceStatus.PAID:
            raise DomainError(_l("Only a paid allowance can be reversed."))
        self.status = AllowanceStatus.REVERSED
        self.reversal_reason = reason
        self.reversed_at, self.reversed_by_id = now, by.id
