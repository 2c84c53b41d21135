"""The versioned reward rule: admins add versions; each day keeps the version in force on that day."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.core import DomainError, utcnow
from app.sql import insert_unless_exists
from app.extensions import db
from app.walking.models import DEFAULT_RULE, RewardRule
from app.walking.services import today

DEFAULT_RULE_FROM = date(2000, 1, 1)  # the default rule covers every day before the first version set

def rule_on(day: date) -> RewardRule:
    """The version in force on ``day``; the default rule is stored as version 1 the first time it is needed."""
    rule = db.session.scalar(select(RewardRule).where(RewardRule.effective_from <= day)
                             .order_by(RewardRule.effective_from.desc()).limit(1))
    if rule is not None:
        return rule
    first = db.session.scalar(select(RewardRule).order_by(RewardRule.effective_from).limit(1))
    if first is not None:  # days before the first version are earned under it
        return first
    # ON CONFLICT DO NOTHING: two first requests at once both store it, and one row results
    insert_unless_exists(RewardRule, version=1, effective_from=DEFAULT_RULE_FROM, created_at=utcnow(), **DEFAULT_RULE)
    return db.session.scalars(select(RewardRule).where(RewardRule.version == 1)).one()


def rules_by_day(days) -> dict[date, RewardRule]:
    return {day: rule_on(day) for day in set(days)}


def all_rules() -> list[RewardRule]:
    return list(db.session.scalars(select(RewardRule).order_by(RewardRule.version.desc())))


def set_rule(*, effective_from: date, min_steps: int, base_won: int, step_unit: int, unit_won: int,
             daily_max_won: int, conversion_daily_cap_won: int, actor) -> RewardRule:
    """Add a version. It cannot start in the past: days already earned keep the rule they were earned under."""
    if effective_from < today():
        raise DomainError(_l("A new rule cannot start in the past."), field="effective_from", status=422)
    if step_unit <= 0:
        raise DomainError(_l("The step unit must be at least 1."), field="step_unit", status=422)
    if min(min_steps, base_won, unit_won, daily_max_won, conversion_daily_cap_won) < 0:
        raise DomainError(_l("The amount cannot be negative."), field="base_won", status=422)
    if conversion_daily_cap_won % 1000:
        raise DomainError(_l("The daily conversion cap must be a multiple of 1,000 won."),
                          field="conversion_daily_cap_won", status=422)
    rule_on(effective_from)  # the default exists before the first change, so older days keep it
    if db.session.scalar(select(RewardRule.id).where(RewardRule.effective_from == effective_from)):
        raise DomainError(_l("A rule version already starts on that day."), field="effective_from", status=422)
    version = (db.session.scalar(select(func.max(RewardRule.version))) or 0) + 1
    rule = RewardRule(version=version, effective_from=effective_from, min_steps=min_steps, base_won=base_won,
                      step_unit=step_unit, unit_won=unit_won, daily_max_won=daily_max_won,
                      conversion_daily_cap_won=conversion_daily_cap_won, created_by_id=actor.id)
    db.session.add(rule)
    db.session.flush()
    audit.record(actor, "walking_rule.created", "walking_reward_rule", rule.id, version=version,
                 effective_from=effective_from.isoformat())
    return rule
