"""Policies and projects (정책·사업) born from adopted proposals: steps, progress, status timeline, updates."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum
from app.proposals.models import Field, Proposal



class PolicyStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")
    ON_HOLD = "on_hold", _l("On hold")
    STOPPED = "stopped", _l("Stopped")

    @property
    def is_final(self) -> bool:
        return self in (PolicyStatus.DONE, PolicyStatus.STOPPED)


# Where each status may go next. Done and stopped are final.
ALLOWED_TRANSITIONS = {
    PolicyStatus.PLANNED: {PolicyStatus.IN_PROGRESS, PolicyStatus.ON_HOLD, PolicyStatus.STOPPED},
    PolicyStatus.IN_PROGRESS: {PolicyStatus.DONE, PolicyStatus.ON_HOLD, PolicyStatus.STOPPED},
    PolicyStatus.ON_HOLD: {PolicyStatus.PLANNED, PolicyStatus.IN_PROGRESS, PolicyStatus.STOPPED},
    PolicyStatus.DONE: set(),
    PolicyStatus.STOPPED: set(),
}


class Horizon(LabelledEnum):
    """The Asan plan's roadmap horizons (003:3259-3262)."""

    NEAR = "near", _l("Near future (2023-2025)")
    MID = "mid", _l("Mid future (2026-2027)")
    FAR = "far", _l("Far future (2028 onwards)")

    @classmethod
    def for_year(cls, year: int) -> "Horizon":
        if year <= 2025:
            return cls.NEAR
        if year <= 2027:
            return cls.MID
        return cls.FAR


class StepState(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")
    CANCELLED = "cancelled", _l("Cancelled")


def compute_progress(steps, status: PolicyStatus) -> int:
    """Weighted share of completed work, 0..100, rounded down so that 100 means everything is done.

    Cancelled steps count for nothing either way. A done step counts 100 %, an in-progress step its
    partial percentage (0 when none is given), a planned step 0 %. Without any countable step the
    policy has no measure of its own: it reads 100 once done and 0 before.
    """
    counted = [step for step in steps if step.state is not StepState.CANCELLED]
    total_weight = sum(step.weight for step in counted)
    if total_weight == 0:
        return 100 if status is PolicyStatus.DONE else 0
    completed = sum(step.weight * step.completion for step in counted)
    return completed // total_weight


policy_proposals = Table(
    "policy_proposals",
    db.metadata,
    Column("policy_id", ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Policy(db.Model):
    __tablename__ = "policies"
    __table_args__ = (CheckConstraint("budget_won IS NULL OR budget_won >= 0", name="budget_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(100), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    official_name: Mapped[str | None] = mapped_column(String(100))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_fields.id", ondelete="SET NULL"), index=True)
    horizon: Mapped[Horizon | None] = mapped_column(value_enum(Horizon), index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    budget_won: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[PolicyStatus] = mapped_column(value_enum(PolicyStatus), default=PolicyStatus.PLANNED, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    official: Mapped[User | None] = relationship(foreign_keys=[official_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    field: Mapped[Field | None] = relationship()
    steps: Mapped[list["PolicyStep"]] = relationship(
        back_populates="policy", order_by="PolicyStep.position", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list["PolicyStatusChange"]] = relationship(
        back_populates="policy", order_by="PolicyStatusChange.id", cascade="all, delete-orphan"
    )
    proposals: Mapped[list[Proposal]] = relationship(secondary=policy_proposals, order_by=Proposal.id)

    @property
    def progress(self) -> int:
        return compute_progress(self.steps, self.status)

    @property
    def official_display(self) -> str | None:
        return self.official.display_name if self.official is not None else self.official_name

    def can_move_to(self, new_status: PolicyStatus) -> bool:
        return new_status in ALLOWED_TRANSITIONS[self.status]

    def move_to(self, new_status: PolicyStatus, reason: str | None = None) -> None:
        """Change the status or raise DomainError; the caller records the timeline row."""
        if new_status is self.status:
            raise DomainError(_l("The policy is already in this status."), field="status", status=409)
        if self.status.is_final:
            raise DomainError(_l("A policy that is done or stopped cannot change its status any more."),
                              field="status", status=409)
        if not self.can_move_to(new_status):
            raise DomainError(
                _l("A policy cannot go from “%(current)s” to “%(new)s”.", current=self.status.label,
                   new=new_status.label), field="status", status=409)
        if new_status is PolicyStatus.STOPPED and not (reason and reason.strip()):
            raise DomainError(_l("Give the reason for stopping the policy."), field="reason", status=422)
        if new_status is PolicyStatus.DONE and any(
            step.state not in (StepState.DONE, StepState.CANCELLED) for step in self.steps
        ):
            raise DomainError(_l("Mark every step done or cancelled before completing the policy."),
                              field="status", status=409)
        self.status = new_status

    def ensure_open(self) -> None:
        if self.status.is_final:
            raise DomainError(_l("This policy is done or stopped; its steps can no longer change."), status=409)


class PolicyStep(db.Model):
    __tablename__ = "policy_steps"
    __table_args__ = (
        CheckConstraint("weight >= 1", name="weight_positive"),
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[StepState] = mapped_column(value_enum(StepState), default=StepState.PLANNED)
    percent: Mapped[int | None] = mapped_column(Integer)

    policy: Mapped[Policy] = relationship(back_populates="steps")

    @property
    def completion(self) -> int:
        """How much of this step is done, in percent."""
        if self.state is StepState.DONE:
            return 100
        if self.state is StepState.IN_PROGRESS:
            return self.percent or 0
        return 0

    def set_state(self, state: StepState, percent: int | None = None) -> None:
        if percent is not None and not 0 <= percent <= 100:
            raise DomainError(_l("A percentage is between 0 and 100."), field="step_percent", status=422)
        if percent is not None and state is not StepState.IN_PROGRESS:
            raise DomainError(_l("Only a step in progress has a partial percentage."), field="step_percent",
                              status=422)
        self.state = state
        self.percent = percent if state is StepState.IN_PROGRESS else None


class PolicyStatusChange(db.Model):
    """One entry of the policy's timeline: who moved it from which status to which, when and why."""

    __tablename__ = "policy_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[PolicyStatus | None] = mapped_column(value_enum(PolicyStatus))
    to_status: Mapped[PolicyStatus] = mapped_column(value_enum(PolicyStatus))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    policy: Mapped[Policy] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()


class PolicyUpdate(db.Model):
    """A progress update posted by staff, with an optional attachment and step change."""

    __tablename__ = "policy_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("policy_steps.id", ondelete="SET NULL"))
    step_state: Mapped[StepState | None] = mapped_column(value_enum(StepState))
    step_percent: Mapped[int | None] = mapped_column(Integer)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    attachment_mime: Mapped[str | None] = mapped_column(String(50))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    # Denormalized, changed only by SQL increments in the comment's transaction (see policies/comments.py).
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    policy: Mapped[Policy] = relationship()
    author: Mapped[User | None] = relationship()
    step: Mapped[PolicyStep | None] = relationship()

    @property
    def attachment_is_image(self) -> bool:
        return bool(self.attachment_mime and self.attachment_mime.startswith("image/"))


class PolicyFollow(db.Model):
    __tablename__ = "policy_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
