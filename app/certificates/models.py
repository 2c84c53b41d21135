"""Certificates of completion (수료증) and participation (참여확인서), and each lab's completion rule."""
from __future__ import annotations

import base64
import re
import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import DomainError
from app.extensions import db
from app.sql import value_enum
from app.labs.models import Lab

DEFAULT_MIN_ATTENDANCE_PERCENT = 80
CODE_BYTES = 20  # 160 random bits: 32 base32 characters, shown in eight groups of four
_NOT_BASE32 = re.compile(r"[^A-Z2-7]")
# Characters people confuse with base32 letters when they type a code from paper.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})



class CertificateKind(LabelledEnum):
    COMPLETION = "completion", _l("Certificate of completion")
    PARTICIPATION = "participation", _l("Certificate of participation")


class CertificateStatus(LabelledEnum):
    VALID = "valid", _l("Valid")
    REVOKED = "revoked", _l("Revoked")


def new_verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalize_code(typed: str) -> str:
    """The stored form of a code as someone typed or scanned it: grouping, case and look-alikes ignored."""
    return _NOT_BASE32.sub("", (typed or "").upper().translate(_LOOKALIKES))


def grouped_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class CompletionRule(db.Model):
    """What a member of one lab must have done to earn a certificate of completion.

    A lab without a row uses the defaults: closed after stage 5 and at least 80% attendance."""

    __tablename__ = "certificate_completion_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), unique=True)
    min_attendance_percent: Mapped[int] = mapped_column(Integer, default=DEFAULT_MIN_ATTENDANCE_PERCENT)
    require_closed: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Certificate(db.Model):
    """One issued certificate. The holder's name, lab title, period and hours are copied at issue,
    so the document and its verification stay what was certified."""

    __tablename__ = "certificates"
    __table_args__ = (
        # At most one valid certificate of each kind per member and lab, enforced by the database
        # on SQLite and PostgreSQL alike (both support partial indexes); revoked ones do not count.
        Index(
            "uq_certificates_valid_per_holder", "lab_id", "holder_id", "kind", unique=True,
            sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CertificateKind] = mapped_column(value_enum(CertificateKind))
    status: Mapped[CertificateStatus] = mapped_column(value_enum(CertificateStatus), default=CertificateStatus.VALID)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_verification_code)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    lab_title: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    attended_minutes: Mapped[int] = mapped_column(Integer)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    issuer_organisation: Mapped[str] = mapped_column(String(100))
    # Set when staff issued a completion certificate by hand, outside the lab's completion rule.
    manual_reason: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lab: Mapped[Lab] = relationship()
    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    issuer: Mapped[User] = relationship(foreign_keys=[issuer_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_valid(self) -> bool:
        return self.status is CertificateStatus.VALID

    @property
    def display_code(self) -> str:
        return grouped_code(self.verification_code)

    @property
    def hours(self) -> float:
        return round(self.attended_minutes / 60, 1)

    def revoke(self, by: User, reason: str, now: datetime) -> None:
        if not self.is_valid:
            raise DomainError(_l("This certificate is already revoked."))
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_l("Say why the certificate is revoked."), field="reason", status=422)
        self.status = CertificateStatus.REVOKED
        self.revoked_at, self.revoked_reason, self.revoked_by_id = now, reason, by.id

    def __repr__(self) -> str:
        return f"<Certificate {self.id} {self.kind.value} {self.status.value}>"
