"""The lab itself: its stages (a lifecycle moved by ``Lab.move_to``), facilitators, linked proposals and
stage timeline."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

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
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.sql import value_enum

if TYPE_CHECKING:
    from app.labs.models.membership import LabMembership


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


class GateNotMet(DomainError):
    """The lab cannot leave its stage yet; ``missing`` lists every unmet condition."""

    status = 409

    def __init__(self, missing: list):
        super().__init__(_l("The lab cannot move on yet."))
        self.missing = missing


lab_facilitators = Table(
    "lab_facilitators",
    db.metadata,
    Column("lab_id", ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


# City-commissioned labs come from proposals; each side links to the other.
lab_proposals = Table(
    "lab_proposals",
    db.metadata,
    Column("lab_id", ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True),
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
        from app.labs.models.membership import LabMembership

        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return db.session.scalar(select(LabMembership).filter_by(lab_id=self.id, user_id=user.id))

    def is_member(self, user) -> bool:
        from app.labs.models.membership import MembershipStatus

        membership = self.membership_of(user)
        return membership is not None and membership.status is MembershipStatus.ACCEPTED

    def recruitment_open(self, today: date) -> bool:
        return self.stage is not LabStage.CLOSED and today <= self.recruitment_deadline

    @property
    def is_closed(self) -> bool:
        return self.stage is LabStage.CLOSED

    def move_to(self, to_stage: LabStage | None, *, actor_id: int | None, reason: str | None = None,
                unmet_conditions: Callable[[Lab], list] | None = None) -> LabStageChange:
        """Move one stage on or one stage back, or raise DomainError; returns the timeline row to add.

        Stages go in ``LabStage`` order, one at a time. Moving on needs the current stage's gate met:
        ``unmet_conditions(lab)`` (``gates.unmet_conditions``) lists what is still missing; from stage 5 the
        lab closes. Moving back needs a reason. The caller adds the row, audits and notifies."""
        if self.is_closed:
            raise DomainError(_l("This lab is closed."))
        reason = (reason or "").strip() or None
        if to_stage is not None and to_stage is self.stage.next:
            missing = unmet_conditions(self) if unmet_conditions else []
            if missing:
                raise GateNotMet(missing)
        elif to_stage is None:  # the stage before the first
            raise DomainError(_l("The lab is already in the first stage."))
        elif to_stage is not self.stage.previous:
            raise DomainError(_l("A lab moves one stage at a time."), field="stage", status=422)
        elif reason is None:
            raise DomainError(_l("Say why the lab moves back a stage."), field="reason", status=422)
        change = LabStageChange(lab_id=self.id, from_stage=self.stage, to_stage=to_stage, actor_id=actor_id,
                                reason=reason, at=utcnow())
        self.stage = to_stage
        if to_stage is LabStage.CLOSED:
            self.closed_at = change.at
        return change

    def __repr__(self) -> str:
        return f"<Lab {self.id} {self.stage.value}>"


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
