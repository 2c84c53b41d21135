"""Public consultations (의견수렴) with documents, an optional hearing (공청회), opinions and published results.

The deadline is one instant, stored as naive UTC and entered in Korea time to the minute (004: '24.1.29.(월)
18:00까지). An opinion is accepted while the server's clock is at or before it, never after.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.consultations.clock import utc_to_seoul
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum
from app.timefmt import format_when


class ConsultationStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    RESULTS = "results"  # results published

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ConsultationStatus.DRAFT: _l("Draft"),
    ConsultationStatus.OPEN: _l("Open for opinions"),
    ConsultationStatus.RESULTS: _l("Results published"),
}


class Channel(enum.Enum):
    """How an opinion reached the city (004: in person at the hearing, in writing, online)."""

    ONLINE = "online"
    PAPER = "paper"      # post, fax or handed in on paper
    PHONE = "phone"
    HEARING = "hearing"  # said at the hearing

    @property
    def label(self):
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.PAPER: _l("On paper (post, fax, in person)"),
    Channel.PHONE: _l("By phone"),
    Channel.HEARING: _l("At the hearing"),
}
STAFF_CHANNELS = (Channel.PAPER, Channel.PHONE, Channel.HEARING)


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("hearing_capacity IS NULL OR hearing_capacity >= 1", name="hearing_capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(200), default="")
    paper_address: Mapped[str] = mapped_column(String(300), default="")  # 제출처 for opinions on paper
    deadline_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # naive UTC, to the minute in Korea
    status: Mapped[ConsultationStatus] = mapped_column(value_enum(ConsultationStatus),
                                                       default=ConsultationStatus.DRAFT, index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="SET NULL"), index=True)
    # The optional hearing: all of starts_at/ends_at/capacity and a place or an online link, or none.
    hearing_starts_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    hearing_ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    hearing_place: Mapped[str | None] = mapped_column(String(300))
    hearing_url: Mapped[str | None] = mapped_column(String(500))
    hearing_capacity: Mapped[int | None] = mapped_column(Integer)
    results_summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    results_at: Mapped[datetime | None] = mapped_column(DateTime)

    documents: Mapped[list["ConsultationDocument"]] = relationship(
        back_populates="consultation", order_by="ConsultationDocument.id", cascade="all, delete-orphan")
    themes: Mapped[list["OpinionTheme"]] = relationship(
        back_populates="consultation", order_by="OpinionTheme.position", cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship()

    @property
    def has_hearing(self) -> bool:
        return self.hearing_starts_at is not None

    @property
    def deadline_seoul(self) -> datetime:
        return utc_to_seoul(self.deadline_at)

    def accepting(self, now: datetime) -> bool:
        return self.status is ConsultationStatus.OPEN and now <= self.deadline_at

    def closed(self, now: datetime) -> bool:
        """Past the deadline (or results out): the time to group opinions and answer them."""
        return self.status is ConsultationStatus.RESULTS or (
            self.status is ConsultationStatus.OPEN and now > self.deadline_at)

    def ensure_accepting(self, now: datetime) -> None:
        """Refuse an opinion unless the consultation is open and the deadline has not passed."""
        if self.status is ConsultationStatus.DRAFT:
            raise DomainError(_l("This consultation is not open yet."), status=409)
        if self.status is ConsultationStatus.RESULTS or now > self.deadline_at:
            raise DomainError(_l("The deadline for opinions was %(deadline)s (Korea time); opinions are no "
                                 "longer accepted.", deadline=format_when(self.deadline_at)),
                              status=409)

    def open(self, now: datetime) -> None:
        if self.status is not ConsultationStatus.DRAFT:
            raise DomainError(_l("Only a draft consultation can be opened."), status=409)
        if self.deadline_at <= now:
            raise DomainError(_l("The deadline must be in the future."), field="deadline_date", status=422)
        self.status = ConsultationStatus.OPEN
        self.opened_at = now

    def publish_results(self, now: datetime, *, unthemed: int) -> None:
        if self.status is not ConsultationStatus.OPEN:
            raise DomainError(_l("Only an open consultation's results can be published, once."), status=409)
        if now <= self.deadline_at:
            raise DomainError(_l("Results can be published only after the deadline."), status=409)
        if unthemed:
            raise DomainError(_l("Put every opinion under a theme first (%(count)s left).", count=unthemed),
                              status=409)
        if not self.themes:
            raise DomainError(_l("Group the opinions into at least one theme first."), status=409)
        if any(not theme.response.strip() for theme in self.themes):
            raise DomainError(_l("Write the city's response to every theme first."), status=409)
        self.status = ConsultationStatus.RESULTS
        self.results_at = now

    def ensure_editable_results(self) -> None:
        if self.status is ConsultationStatus.RESULTS:
            raise DomainError(_l("The results are published; themes and responses can no longer change."),
                              status=409)


class ConsultationDocument(db.Model):
    """A PDF that explains the plan under consultation, checked by its content when uploaded."""

    __tablename__ = "consultation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="documents")


class OpinionTheme(db.Model):
    """A group of similar opinions and the city's response to them."""

    __tablename__ = "opinion_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    response: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="themes")


class Opinion(db.Model):
    """One opinion, with the notice's form fields (004: 소속, 성명, 직위, 전화번호, 의견, 일자).

    Name and phone are for the city only: no page or API response shows them to anyone but staff."""

    __tablename__ = "opinions"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR guest_email IS NOT NULL OR guest_phone_lookup IS NOT NULL "
                        "OR entered_by_id IS NOT NULL", name="opinion_has_source"),
        Index("ix_opinions_consultation_channel", "consultation_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    guest_email: Mapped[str | None] = mapped_column(String(254))  # confirmed by a code, for people without account
    # A guest's mobile number confirmed by a texted code: encrypted (to text the results) and its keyed hash.
    guest_phone_encrypted: Mapped[str | None] = mapped_column(Text)
    guest_phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    affiliation: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    body: Mapped[str] = mapped_column(Text)
    written_on: Mapped[date] = mapped_column(Date)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_themes.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    theme: Mapped[OpinionTheme | None] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])


class RegistrationStatus(enum.Enum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return REGISTRATION_LABELS[self]


REGISTRATION_LABELS = {
    RegistrationStatus.REGISTERED: _l("Registered"),
    RegistrationStatus.WAITLISTED: _l("On the waitlist"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


class HearingRegistration(db.Model):
    """A seat at the hearing or a place on its waitlist (earliest ``waitlisted_at`` moves up first)."""

    __tablename__ = "hearing_registrations"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(value_enum(RegistrationStatus))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    waitlisted_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)  # set once by `flask consultations remind`

    consultation: Mapped[Consultation] = relationship()
    user: Mapped[User] = relationship()


class GuestCode(db.Model):
    """A confirmation code mailed to someone without an account (an opinion, an open survey).

    Only a hash is stored; a code expires, counts wrong attempts, and once confirmed stands for the
    email address until it expires."""

    __tablename__ = "guest_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    purpose: Mapped[str] = mapped_column(String(40))  # "consultation:12", "survey:3"
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
