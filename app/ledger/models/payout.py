"""Bank accounts for payouts and payout batches."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.ledger.models.allowance import Allowance
from app.sql import value_enum

# Stored as the Korean name (the key); shown through bank_label() in the page's language, so the English
# site reads "NongHyup Bank". The English forms are the banks' own.
BANK_LABELS = {
    "농협은행": _l("NH NongHyup Bank"), "국민은행": _l("KB Kookmin Bank"), "신한은행": _l("Shinhan Bank"),
    "우리은행": _l("Woori Bank"), "하나은행": _l("Hana Bank"), "기업은행": _l("IBK Industrial Bank of Korea"),
    "카카오뱅크": _l("KakaoBank"), "토스뱅크": _l("Toss Bank"), "우체국": _l("Korea Post (post office bank)"),
    "새마을금고": _l("MG Community Credit Cooperatives"), "지역농협": _l("Local NongHyup cooperative"),
}
KOREAN_BANKS = list(BANK_LABELS)


def bank_label(bank: str) -> str:
    """A bank's name in the page's language (an unknown name as written)."""
    label = BANK_LABELS.get(bank)
    return str(label) if label is not None else bank


class BankAccount(db.Model):
    """Where a resident's allowances are paid. The number is stored only Fernet-encrypted."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    bank: Mapped[str] = mapped_column(String(20))
    account_number_encrypted: Mapped[str] = mapped_column(Text)
    account_last4: Mapped[str] = mapped_column(String(4))
    holder_name: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    @property
    def masked_number(self) -> str:
        return f"***-****-{self.account_last4}"


class BatchStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    PAID = "paid", _l("Paid")


class PayoutBatch(db.Model):
    """Approved allowances sent together to the city's bank-transfer system."""

    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[BatchStatus] = mapped_column(value_enum(BatchStatus), default=BatchStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(DateTime)
    exported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    allowances: Mapped[list[Allowance]] = relationship(order_by=Allowance.id)
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def mark_paid(self, by: User, now: datetime) -> None:
        if self.status is not BatchStatus.OPEN:
            raise DomainError(_l("This batch was paid already."))
        if self.exported_at is None:
            raise DomainError(_l("Export the batch for the bank transfer before marking it paid."))
        self.status = BatchStatus.PAID
        self.paid_at, self.paid_by_id = now, by.id
