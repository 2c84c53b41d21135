"""A lab's sessions (모임), each member's attendance (the basis of allowances and certificates) and RSVPs."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.labs.models.lab import Lab
from app.sql import value_enum


class AttendanceMethod(enum.Enum):
    FACILITATOR = "facilitator"
    CHECKIN = "checkin"


class RsvpAnswer(LabelledEnum):
    YES = "yes", _l("Yes")
    NO = "no", _l("No")
    MAYBE = "maybe", _l("Maybe")


class LabSession(db.Model):
    """A meeting (모임) of the lab, offline at a place or online at a meeting URL."""

    __tablename__ = "lab_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    checkin_code: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lab: Mapped[Lab] = relationship()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_online(self) -> bool:
        return bool(self.meeting_url)


class Attendance(db.Model):
    """Exactly one row per member per session: the basis of allowances and certificates."""

    __tablename__ = "lab_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("lab_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    method: Mapped[AttendanceMethod] = mapped_column(value_enum(AttendanceMethod))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    session: Mapped[LabSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class SessionRsvp(db.Model):
    """A member's answer to whether they will come to a session."""

    __tablename__ = "lab_session_rsvps"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("lab_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[RsvpAnswer] = mapped_column(value_enum(RsvpAnswer))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
