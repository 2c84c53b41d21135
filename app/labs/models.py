"""Living labs: the lab itself, its members, sessions, attendance and stage timeline.

The stage workspaces (problem cards, plan, prototypes, data, praise) live in ``workspace.py``.
Other packages (allowances, certificates) build on these names; keep them stable.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum



class LabStage(LabelledEnum):
    PROBLEM = "problem", _l("Finding problems we share")
    PLANNING = "planning", _l("Planning together")
    PROTOTYPING = "prototyping", _l("Prototyping")
    REVIEW = "review", _l("Looking back with data")
    SHARING = "sharing", _l("Sharing and praise")
    CLOSED = "closed", _l("Closed")

    @property
    def number(self) -> int | None:
        """1..5 for the working stages, None once the lab is closed."""
        return None if self is LabStage.CLOSED else _STAGE_ORDER.index(self) + 1

    @property
    def next(self) -> "LabStage | None":
        position = _STAGE_ORDER.index(self)
        return _STAGE_ORDER[position + 1] if position + 1 < len(_STAGE_ORDER) else None

    @property
    def previous(self) -> "LabStage | None":
        position = _STAGE_ORDER.index(self)
        return _STAGE_ORDER[position - 1] if position > 0 else None


_STAGE_ORDER = list(LabStage)

class LabMode(LabelledEnum):
    RESIDENT_LED = "resident_led", _l("Resident-led")
    CITY_COMMISSIONED = "city_commissioned", _l("City-commissioned")


class MemberGroup(LabelledEnum):
    CITIZEN = "citizen", _l("Citizen")
    SUPPORTER = "supporter", _l("Practical supporter")
    COORDINATOR = "coordinator", _l("Institutional coordinator")
    EXPERT = "expert", _l("Knowledge and technology expert")


class MembershipStatus(LabelledEnum):
    APPLIED = "applied", _l("Applied")
    ACCEPTED = "accepted", _l("Accepted")
    DECLINED = "declined", _l("Declined")
    WAITLISTED = "waitlisted", _l("Waitlisted")
    LEFT = "left", _l("Left")


class AttendanceMethod(enum.Enum):
    FACILITATOR = "facilitator"
    CHECKIN = "checkin"


class RsvpAnswer(LabelledEnum):
    YES = "yes", _l("Yes")
    NO = "no", _l("No")
    MAYBE = "maybe", _l("Maybe")


lab_facilitators = Table(
    "lab_facilitators",
    db.metadata,
    Column("lab_id", ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Lab(db.Model):
    __tablename__ = "labs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    mode: Mapped[LabMode] = mapped_column(value_enum(LabMode))
    district: Mapped[str] = mapped_column(String(40))
    budget_won: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    recruitment_deadline: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[LabStage] = mapped_column(value_enum(LabStage), default=LabStage.PROBLEM, index=True)
    findings: Mapped[str | None] = mapped_column(Text)  # stage 4
    retrospective: Mapped[str | None] = mapped_column(Text)  # stage 5
    results_summary: Mapped[str | None] = mapped_column(Text)  # stage 5, public
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    facilitators: Mapped[list[User]] = relationship(secondary=lab_facilitators, lazy="selectin")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    memberships: Mapped[list["LabMembership"]] = relationship(
        back_populates="lab", cascade="all, delete-orphan"
    )

    def is_facilitator(self, user) -> bool:
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return any(f.id == user.id for f in self.facilitators)

    def membership_of(self, user) -> "LabMembership | None":
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return db.session.scalar(select(LabMembership).filter_by(lab_id=self.id, user_id=user.id))

    def is_member(self, user) -> bool:
        membership = self.membership_of(user)
        return membership is not None and membership.status is MembershipStatus.ACCEPTED

    def recruitment_open(self, today: date) -> bool:
        return self.stage is not LabStage.CLOSED and today <= self.recruitment_deadline

    @property
    def is_closed(self) -> bool:
        return self.stage is LabStage.CLOSED

    def __repr__(self) -> str:
        return f"<Lab {self.id} {self.stage.value}>"


class LabMembership(db.Model):
    """An application to a lab and, once accepted, the membership itself."""

    __tablename__ = "lab_memberships"
    __table_args__ = (UniqueConstraint("lab_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group: Mapped[MemberGroup] = mapped_column(value_enum(MemberGroup))
    motivation: Mapped[str] = mapped_column(Text)
    status: Mapped[MembershipStatus] = mapped_column(value_enum(MembershipStatus), default=MembershipStatus.APPLIED)
    plan_role: Mapped[str | None] = mapped_column(String(100))  # the member's role in the stage-2 plan
    applied_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Waitlist order: the accepted-into-waitlist time, earliest moves up first.
    waitlisted_at: Mapped[datetime | None] = mapped_column(DateTime)

    lab: Mapped[Lab] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def accept(self, by: User, now: datetime) -> None:
        if self.status not in (MembershipStatus.APPLIED, MembershipStatus.WAITLISTED):
            raise DomainError(_l("Only a pending or waitlisted application can be accepted."))
        self.status = MembershipStatus.ACCEPTED
        self.decided_at, self.decided_by_id = now, by.id

    def waitlist(self, by: User, now: datetime) -> None:
        if self.status is not MembershipStatus.APPLIED:
            raise DomainError(_l("Only a pending application can be waitlisted."))
        self.status = MembershipStatus.WAITLISTED
        self.decided_at, self.decided_by_id, self.waitlisted_at = now, by.id, now

    def decline(self, by: User, now: datetime) -> None:
        if self.status not in (MembershipStatus.APPLIED, MembershipStatus.WAITLISTED):
            raise DomainError(_l("Only a pending or waitlisted application can be declined."))
        self.status = MembershipStatus.DECLINED
        self.decided_at, self.decided_by_id = now, by.id

    def leave(self) -> None:
        if self.status not in (MembershipStatus.ACCEPTED, MembershipStatus.WAITLISTED, MembershipStatus.APPLIED):
            raise DomainError(_l("You are not a member of this lab."))
        self.status = MembershipStatus.LEFT


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


class LabStageChange(db.Model):
    """One entry on the lab's timeline."""

    __tablename__ = "lab_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[LabStage | None] = mapped_column(value_enum(LabStage))
    to_stage: Mapped[LabStage] = mapped_column(value_enum(LabStage))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
