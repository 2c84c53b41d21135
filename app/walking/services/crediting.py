"""Crediting: each resident's day earns once, under the rule version of that day, within the budget.

``recompute`` derives each touched day from its step records (the highest counting source, never the
sum) and stores the reward it earns. ``credit_pending`` then appends, for every day whose reward
differs from what the ledger holds, one mileage entry with the difference, and commits the total
against that year's walking budget with the conditional UPDATE of ``ledger.services.funds``. When the
budget cannot cover every day, the days that fit are credited (oldest first) and the rest stay
``pending``: earning pauses until staff add to the budget, then ``credit_pending`` resumes.

Everything is set-based: a handful of INSERT … SELECT and UPDATE statements whatever the number of
residents, so a city's day of 100,000 residents credits in seconds. Only when the budget cannot cover
a batch are the rows read into Python, to credit the prefix that fits."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import islice

from flask import current_app
from sqlalchemy import Date, Integer, and_, bindparam, case, false, func, insert, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core import utcnow
from app.extensions import db
from app.ledger.models import Budget, ProgrammeType
from app.ledger.services.funds import budget_for, release_batch_funds, try_commit_funds
from app.walking.models import (
    COUNTING,
    MileageEntry,
    MileageKind,
    RewardRule,
    StepRecord,
    WalkingDay,
    WalkingParticipant,
)
from app.walking.services.bulk import one_of, rows_of
from app.walking.services.rules import rules_by_day

CHUNK = 2000
DAYS = WalkingDay.__table__
RECORDS = StepRecord.__table__
ENTRIES = MileageEntry.__table__
PARTICIPANTS = WalkingParticipant.__table__


def chunks(items, size=CHUNK):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def dialect_insert():
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _scope(table, days, user_ids):
    conditions = [table.c.day.in_(days)]
    if user_ids is not None:  # a batch's residents as one parameter, however many
        conditions.append(one_of(table.c.user_id, user_ids))
    return and_(*conditions)


def reward_sql(steps, rule: RewardRule):
    """``RewardRule.reward_for`` in SQL.

    ``//`` is integer division on both databases; steps - min_steps is never negative there.
    """
    earned = literal(rule.base_won) + (steps - rule.min_steps) // rule.step_unit * rule.unit_won
    return case((steps < rule.min_steps, 0), (earned > rule.daily_max_won, rule.daily_max_won), else_=earned)


def reward_by_rule(steps, rules: list[RewardRule]):
    """The reward of ``steps`` under the rule of each ``walking_days`` row (a CASE over rule versions)."""
    if len(rules) == 1:
        return reward_sql(steps, rules[0])
    return case(*((DAYS.c.rule_id == rule.id, reward_sql(steps, rule)) for rule in rules[:-1]),
                else_=reward_sql(steps, rules[-1]))


def claim_days(pairs: list[tuple[int, date]], rules: dict[date, RewardRule]) -> None:
    """Create, or lock, the ``walking_days`` rows of (user_id, day) ``pairs`` (sorted, distinct) before
    their step records are written and read; a new day starts empty under the rule of its date.

    On PostgreSQL a second batch for the same resident and day waits here until the first commits; its
    later statements then see the first batch's records, so the day's highest count is never taken from
    half the sources. The sorted order keeps two batches from waiting on each other. Existing rows are
    locked without being rewritten. (SQLite lets one writer in at a time anyway.)"""
    if not pairs:
        return
    batch = rows_of("claimed", [("user_id", Integer()), ("day", Date()), ("rule_id", Integer())],
                    [(user_id, day, rules[day].id) for user_id, day in pairs])
    statement = dialect_insert()(DAYS).from_select(
        ["user_id", "day", "steps", "rule_id", "reward_won", "credited_won", "pending"],
        select(batch.c.user_id, batch.c.day, literal(0), batch.c.rule_id, literal(0), literal(0), false())
        .where(true()).order_by(batch.c.user_id, batch.c.day))
    # DO UPDATE … WHERE false changes no row but locks every existing one (PostgreSQL's documented rule)
    db.session.execute(statement.on_conflict_do_update(index_elements=["user_id", "day"],
                                                       set_={"steps": DAYS.c.steps}, where=false()))


def recompute(days, user_ids=None, *, claimed: bool = False) -> None:
    """Bring ``walking_days`` in line with the step records of ``days`` (of ``user_ids`` when given):
    the highest counting source's steps, and the reward under the day's own rule version.

    Unless the caller ``claimed`` them, the rows of residents with records are created first (a new day
    under the rule of its date). Then one UPDATE … FROM the grouped records writes the rows that change."""
    days = sorted(set(days))
    if not days:
        return
    if not claimed:
        rules = rules_by_day(days)
        for day in days:
            db.session.execute(dialect_insert()(DAYS).from_select(
                ["user_id", "day", "steps", "rule_id", "reward_won", "credited_won", "pending"],
                select(RECORDS.c.user_id, RECORDS.c.day, literal(0), literal(rules[day].id), literal(0), literal(0),
                       false()).where(_scope(RECORDS, [day], user_ids)).distinct()).on_conflict_do_nothing())
    best = (select(RECORDS.c.user_id, RECORDS.c.day,
                   func.max(case((RECORDS.c.review.in_(COUNTING), RECORDS.c.steps), else_=0)).label("steps"))
            .where(_scope(RECORDS, days, user_ids)).group_by(RECORDS.c.user_id, RECORDS.c.day).subquery("best"))
    reward = reward_by_rule(best.c.steps, list(db.session.scalars(select(RewardRule).order_by(RewardRule.id))))
    db.session.execute(
        update(DAYS).where(DAYS.c.user_id == best.c.user_id, DAYS.c.day == best.c.day,
                           or_(DAYS.c.steps != best.c.steps, DAYS.c.reward_won != reward))
        .values(steps=best.c.steps, reward_won=reward, pending=DAYS.c.credited_won != reward))
    db.session.expire_all()


def credit_pending(days=None, user_ids=None, *, actor=None) -> dict:
    """Append the difference for every pending day (of ``days``/``user_ids`` when given), within budget.

    Answers {"credited_days", "credited_won", "pending_days"}."""
    where = [DAYS.c.pending.is_(True)]
    if days is not None:
        where.append(DAYS.c.day.in_(sorted(set(days))))
    if user_ids is not None:
        where.append(one_of(DAYS.c.user_id, user_ids))
    delta = DAYS.c.reward_won - DAYS.c.credited_won
    per_day = db.session.execute(
        select(DAYS.c.day, func.sum(case((delta > 0, delta), else_=0)), func.sum(case((delta < 0, delta), else_=0)),
               func.count()).where(*where).group_by(DAYS.c.day)).all()
    by_year = defaultdict(list)
    for day, gain, loss, count in per_day:
        by_year[day.year].append((day, int(gain), int(loss), count))
    result = {"credited_days": 0, "credited_won": 0, "pending_days": 0}
    for year, rows in sorted(by_year.items()):
        budget = walking_budget(year)
        year_days = [r[0] for r in rows]
        count = sum(r[3] for r in rows)
        if budget is None:
            result["pending_days"] += count
            continue
        gain, loss = sum(r[1] for r in rows), -sum(r[2] for r in rows)
        scope = [*where, DAYS.c.day.in_(year_days)]
        if try_commit_funds(budget, gain, actor=actor, reason=f"walking mileage {year}: {count} day(s)") if gain \
                else True:
            if loss:
                release_batch_funds(budget, loss, actor=actor, reason=f"walking corrections {year}")
            _write_credits_set_based(scope)
            result["credited_days"] += count
            result["credited_won"] += gain - loss
        else:  # the budget covers only part: credit the oldest days that fit, one by one in Python
            taken, amount = _fit_budget(budget, year, scope, actor)
            result["credited_days"] += len(taken)
            result["credited_won"] += amount
            result["pending_days"] += count - len(taken)
    db.session.expire_all()
    return result


def walking_budget(year: int) -> Budget | None:
    return budget_for(ProgrammeType.WALKING, current_app.config["WALKING_PROGRAMME_ID"], year)


def _write_credits_set_based(scope) -> None:
    """Entries, balances and the days' credited totals for every pending day in ``scope``: three statements,
    in this order (each reads the days before the last one marks them credited)."""
    delta = DAYS.c.reward_won - DAYS.c.credited_won
    db.session.execute(insert(ENTRIES).from_select(
        ["user_id", "kind", "amount_won", "day", "rule_id", "created_at"],
        select(DAYS.c.user_id, literal(MileageKind.DAY.value), delta, DAYS.c.day, DAYS.c.rule_id, literal(utcnow()))
        .where(*scope, delta != 0)))
    # UPDATE … FROM a grouped sub-select (PostgreSQL, and SQLite since 3.33): one pass, no correlated query
    owed = (select(DAYS.c.user_id.label("user_id"), func.sum(delta).label("total"))
            .where(*scope, delta != 0).group_by(DAYS.c.user_id).subquery())
    db.session.execute(update(PARTICIPANTS).where(PARTICIPANTS.c.user_id == owed.c.user_id)
                       .values(balance_won=PARTICIPANTS.c.balance_won + owed.c.total))
    db.session.execute(update(DAYS).where(*scope).values(credited_won=DAYS.c.reward_won, pending=False))


def _fit_budget(budget: Budget, year: int, scope, actor) -> tuple[list, int]:
    """Credit corrections downwards always, then increases oldest first while money remains."""
    rows = db.session.execute(
        select(DAYS.c.user_id, DAYS.c.day, DAYS.c.reward_won - DAYS.c.credited_won, DAYS.c.reward_won,
               DAYS.c.rule_id).where(*scope).order_by(DAYS.c.day, DAYS.c.user_id)).all()
    decreases = [r for r in rows if r[2] <= 0]
    increases = [r for r in rows if r[2] > 0]
    released = -sum(r[2] for r in decreases)
    if released:
        release_batch_funds(budget, released, actor=actor, reason=f"walking corrections {year}")
    for _attempt in range(5):  # another request may take money between reading and the UPDATE
        db.session.refresh(budget)
        remaining = budget.remaining_won
        taken, amount = [], 0
        for row in increases:
            if amount + row[2] > remaining:
                break
            taken.append(row)
            amount += row[2]
        if not amount or try_commit_funds(budget, amount, actor=actor,
                                          reason=f"walking mileage {year}: {len(taken)} day(s)"):
            _write_credits(decreases + taken)
            return decreases + taken, amount - released
    _write_credits(decreases)
    return decreases, -released


def _write_credits(rows) -> None:
    if not rows:
        return
    now = utcnow()
    entries = [{"user_id": u, "kind": MileageKind.DAY.value, "amount_won": delta, "day": d, "rule_id": rule_id,
                "created_at": now} for u, d, delta, _reward, rule_id in rows if delta]
    for batch in chunks(entries):
        db.session.execute(insert(ENTRIES), batch)
    db.session.execute(
        update(DAYS).where(and_(DAYS.c.user_id == bindparam("u"), DAYS.c.day == bindparam("d")))
        .values(credited_won=bindparam("reward"), pending=False),
        [{"u": u, "d": d, "reward": reward} for u, d, _delta, reward, _rule in rows])
    totals: defaultdict[int, int] = defaultdict(int)
    for u, _d, delta, _reward, _rule in rows:
        totals[u] += delta
    changes = [{"u": u, "delta": delta} for u, delta in totals.items() if delta]
    if changes:
        db.session.execute(update(PARTICIPANTS).where(PARTICIPANTS.c.user_id == bindparam("u"))
                           .values(balance_won=PARTICIPANTS.c.balance_won + bindparam("delta")), changes)


def is_paused() -> bool:
    """Earning is paused while days wait for money."""
    return db.session.scalar(select(DAYS.c.user_id).where(DAYS.c.pending.is_(True)).limit(1)) is not None


def pending_day_count() -> int:
    return db.session.execute(select(func.count()).select_from(DAYS).where(DAYS.c.pending.is_(True))).scalar_one()


def credit_day(day: date, *, actor=None) -> dict:
    """Recompute and credit one day for every resident (`flask walking credit`)."""
    recompute([day])
    return credit_pending([day], actor=actor)
