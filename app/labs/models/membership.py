"""Applications to a lab and, once accepted, memberships: four groups, a waitlist in order."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.labs.models.lab import Lab
from app.sql import value_enum


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
