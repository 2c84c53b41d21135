"""One-time codes sent by text message, and the verified phone number of an account."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import utcnow
from app.extensions import db


class PhoneCode(db.Model):
    """A code sent to a phone number for one purpose ("signup", "account", "recovery", "claim",
    "consultation:12", ...). The number is kept only as its keyed hash (``phone_lookup``) and the code only
    as an HMAC; wrong attempts are counted; a code is used at most once (``used_at``)."""

    __tablename__ = "phone_codes"
    __table_args__ = (Index("ix_phone_codes_lookup_purpose", "phone_lookup", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_lookup: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(60))
    code_hash: Mapped[str] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserPhone(db.Model):
    """An account's verified mobile number: Fernet-encrypted like bank account numbers, plus a keyed hash
    so that an account can be found by its number (recovery, claiming what staff entered) without decrypting
    every row. One account per number."""

    __tablename__ = "user_phones"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_lookup: Mapped[str] = mapped_column(String(64), unique=True)
    verified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
