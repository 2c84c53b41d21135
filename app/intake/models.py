"""Participation that community-centre staff entered for a resident, until the resident claims it."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.sql import value_enum


class IntakeKind(LabelledEnum):
    PROPOSAL = "proposal", _l("Proposal")
    OPINION = "opinion", _l("Opinion on a consultation")
    LAB_APPLICATION = "lab_application", _l("Living lab application")


class IntakeChannel(LabelledEnum):
    PHONE = "phone", _l("By phone")
    PAPER = "paper", _l("On paper")
    IN_PERSON = "in_person", _l("In person at the community centre")


class IntakeRecord(db.Model):
    """What a resident gave by phone, on paper or in person, entered by a staff member.

    Proposals and lab applications need an account, so each record that holds one gets a *holder*: an
    account that cannot log in (inactive, no password), shown under the name the resident agreed to.
    Opinions need none (consultations already take opinions without an account). When the resident
    claims the record with their verified phone number, the proposal, opinion or application moves to
    their own account, once (``claimed_at`` is set by one conditional UPDATE).

    The phone number is encrypted like bank account numbers; ``phone_lookup`` is its keyed hash, which is
    how a claim finds the records of a number without decrypting any. Both become ``ERASED_PHONE`` when the
    number is no longer needed (at the claim, or by ``flask privacy purge`` once unclaimed too long); the
    record and what it holds stay, but it can no longer be claimed."""

    __tablename__ = "intake_records"
    __table_args__ = (
        Index("ix_intake_records_phone_unclaimed", "phone_lookup", "claimed_at"),
        Index("ix_intake_records_entered", "entered_by_id", "created_at"),
        CheckConstraint("consent_privacy", name="privacy_consent_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IntakeKind] = mapped_column(value_enum(IntakeKind))
    channel: Mapped[IntakeChannel] = mapped_column(value_enum(IntakeChannel))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resident_name: Mapped[str] = mapped_column(String(50))
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_lookup: Mapped[str] = mapped_column(String(64))
    birth_year: Mapped[int] = mapped_column(Integer)
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    # The consent items read out or signed, as the staff member recorded them, and the policy in force.
    consent_privacy: Mapped[bool] = mapped_column(Boolean)
    consent_texts: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_note: Mapped[str] = mapped_column(String(200), default="")
    policy_version: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))  # the proposal's, consultation's or lab's title, for lists
    url: Mapped[str] = mapped_column(String(300))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    opinion_id: Mapped[int | None] = mapped_column(ForeignKey("opinions.id", ondelete="SET NULL"))
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("lab_memberships.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)

    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id], lazy="joined")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])

    @property
    def claimed(self) -> bool:
        return self.claimed_at is not None

    @property
    def phone_erased(self) -> bool:
        from app.phones.numbers import is_erased

        return is_erased(self.phone_lookup)
