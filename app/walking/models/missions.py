"""Missions staff set with a period and a bonus, and who completed them (once each)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import utcnow
from app.extensions import db
from app.sql import value_enum


class MissionKind(enum.Enum):
    STEPS = "steps"  # walk target_steps within the period
    PLACE = "place"  # check in within radius_m of the coordinates (location consent)
    PROGRAMME = "programme"  # attend a health programme session (a living-lab session)

    @property
    def label(self):
        return {MissionKind.STEPS: _l("Walk a number of steps"), MissionKind.PLACE: _l("Visit a place"),
                MissionKind.PROGRAMME: _l("Attend a health programme session")}[self]


class Mission(db.Model):
    __tablename__ = "walking_missions"
    __table_args__ = (
        CheckConstraint("bonus_won >= 0", name="bonus_not_negative"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[MissionKind] = mapped_column(value_enum(MissionKind))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    bonus_won: Mapped[int] = mapped_column(Integer)
    target_steps: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int | None] = mapped_column(Integer)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("lab_sessions.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def open_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class MissionCompletion(db.Model):
    """A resident completed a mission; the unique constraint pays the bonus once."""

    __tablename__ = "walking_mission_completions"
    __table_args__ = (UniqueConstraint("mission_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("walking_missions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
