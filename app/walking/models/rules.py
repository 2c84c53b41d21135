"""The reward rule, versioned: each day keeps the version in force on that day."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.core import utcnow
from app.extensions import db


class RewardRule(db.Model):
    """Nothing below ``min_steps``; ``base_won`` at ``min_steps``, ``unit_won`` more per further full
    ``step_unit`` steps, at most ``daily_max_won``. Residents convert at most
    ``conversion_daily_cap_won`` a day. Rows are never changed: a new rule is a new version."""

    __tablename__ = "walking_reward_rules"
    __table_args__ = (
        CheckConstraint("min_steps >= 0 AND step_unit > 0", name="steps_positive"),
        CheckConstraint("base_won >= 0 AND unit_won >= 0 AND daily_max_won >= 0 AND conversion_daily_cap_won >= 0",
                        name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    min_steps: Mapped[int] = mapped_column(Integer)
    base_won: Mapped[int] = mapped_column(Integer)
    step_unit: Mapped[int] = mapped_column(Integer)
    unit_won: Mapped[int] = mapped_column(Integer)
    daily_max_won: Mapped[int] = mapped_column(Integer)
    conversion_daily_cap_won: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def reward_for(self, steps: int) -> int:
        if steps < self.min_steps:
            return 0
        return min(self.daily_max_won, self.base_won + (steps - self.min_steps) // self.step_unit * self.unit_won)


DEFAULT_RULE = dict(min_steps=5000, base_won=50, step_unit=1000, unit_won=10, daily_max_won=100,
                    conversion_daily_cap_won=10_000)
