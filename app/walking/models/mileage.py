"""The resident's side of the money: an append-only mileage ledger, and conversions to local currency."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.ledger.models import LedgerIsAppendOnly
from app.sql import value_enum


class MileageKind(enum.Enum):
    DAY = "day"  # a day's reward, or the difference when the day's count changed
    BONUS = "bonus"  # a completed mission
    CONVERSION = "conversion"  # taken from the balance for a coupon or an account transfer (negative)
    RETURN = "return"  # an expired coupon or a released transfer comes back (positive)

    @property
    def label(self):
        return MILEAGE_LABELS[self]


MILEAGE_LABELS = {
    MileageKind.DAY: _l("Steps"),
    MileageKind.BONUS: _l("Mission bonus"),
    MileageKind.CONVERSION: _l("Converted to local currency"),
    MileageKind.RETURN: _l("Returned to your balance"),
}


class MileageEntry(db.Model):
    """One movement of a resident's mileage. Only ever inserted (listeners below)."""

    __tablename__ = "walking_mileage_entries"
    __table_args__ = (Index("ix_walking_mileage_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[MileageKind] = mapped_column(value_enum(MileageKind))
    amount_won: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date | None] = mapped_column(Date)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("walking_reward_rules.id"))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("walking_missions.id"))
    conversion_id: Mapped[int | None] = mapped_column(ForeignKey("walking_conversions.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


@event.listens_for(MileageEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise LedgerIsAppendOnly(f"mileage entry {target.id} cannot be changed")


@event.listens_for(MileageEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise LedgerIsAppendOnly(f"mileage entry {target.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == MileageEntry.__tablename__:
        raise LedgerIsAppendOnly("mileage entries cannot be updated or deleted in bulk")


class Provider(enum.Enum):
    COUPON = "coupon"
    ACCOUNT = "account"

    @property
    def label(self):
        return {Provider.COUPON: _l("Mobile coupon"), Provider.ACCOUNT: _l("Local-currency account")}[self]


class ConversionStatus(enum.Enum):
    RESERVED = "reserved"  # taken from the balance, the provider has not confirmed yet
    ISSUED = "issued"  # a coupon that can be redeemed
    REDEEMED = "redeemed"  # the coupon was cashed at the bank
    PAID = "paid"  # the account provider confirmed the transfer
    EXPIRED = "expired"  # the coupon was not redeemed in time: the amount came back
    RELEASED = "released"  # the provider refused, or never confirmed in time: the amount came back

    @property
    def label(self):
        return CONVERSION_LABELS[self]

    @property
    def is_final(self) -> bool:
        return not CONVERSION_TRANSITIONS[self]


CONVERSION_LABELS = {
    ConversionStatus.RESERVED: _l("Being transferred"),
    ConversionStatus.ISSUED: _l("Ready to use"),
    ConversionStatus.REDEEMED: _l("Cashed"),
    ConversionStatus.PAID: _l("Transferred"),
    ConversionStatus.EXPIRED: _l("Expired, returned"),
    ConversionStatus.RELEASED: _l("Not transferred, returned"),
}

CONVERSION_TRANSITIONS = {
    ConversionStatus.RESERVED: {ConversionStatus.ISSUED, ConversionStatus.PAID, ConversionStatus.RELEASED},
    ConversionStatus.ISSUED: {ConversionStatus.REDEEMED, ConversionStatus.EXPIRED},
    ConversionStatus.REDEEMED: set(),
    ConversionStatus.PAID: set(),
    ConversionStatus.EXPIRED: set(),
    ConversionStatus.RELEASED: set(),
}


class Conversion(db.Model):
    """Mileage turned into local currency. ``idempotency_key`` is the client's, unique per resident;
    the provider receives ``provider_key`` so that a retried transfer is credited once."""

    __tablename__ = "walking_conversions"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[Provider] = mapped_column(value_enum(Provider))
    status: Mapped[ConversionStatus] = mapped_column(value_enum(ConversionStatus), index=True)
    amount_won: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    provider_key: Mapped[str] = mapped_column(String(64), unique=True)
    coupon_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(DateTime)
    redeemed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    redeemed_place: Mapped[str | None] = mapped_column(String(100))
    transfer_reference: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    redeemed_by: Mapped[User | None] = relationship(foreign_keys=[redeemed_by_id])

    def move_to(self, new: ConversionStatus) -> None:
        if new not in CONVERSION_TRANSITIONS[self.status]:
            raise DomainError(_l("A conversion cannot go from “%(current)s” to “%(new)s”.",
                                 current=self.status.label, new=new.label))
        self.status = new
