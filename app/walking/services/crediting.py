"""Crediting: each resident's day earns once, under the rule version of that day, within the budget.

``recompute`` derives each touched day from its step records (the highest counting source, never the
sum) and stores the reward it earns. ``credit_pending`` then appends, for every day whose reward
differs from what the ledger holds, one mileage entry with the difference, and commits the total
against that year's walking budget with the conditional UPDATE of ``ledger.services.funds``. When the
budget cannot cover every day, the days that fit are credited (oldest first) and the rest stay
``pending``: earning pauses until staff add to the budget, then ``credit_pending`` resumes. Everything
is set-based (one statement per chunk), so a city's day of 100,000 residents credits in seconds."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import islice

from flask import current_app
from sqlalchemy import and_, bindparam, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core import utcnow
from app.extensions import db
from app.ledger.models import Budget, ProgrammeType
from app.ledger.services.funds import budget_for, release_batch_funds, try_commit_funds
from app.walking.models import COUNTING, MileageEntry, MileageKind, StepRecord, WalkingDay, WalkingParticipant
from app.walking.services.rules import rules_by_day

CHUNK = 2000


def chunks(items, size=CHUNK):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def dialect_insert():
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def recompute(days, user_ids=None) -> None:
    """Bring ``walking_days`` in line with the step records of ``days`` (of ``user_ids`` when given)."""
    days = sorted(set(days))
    if not days:
        return
    where = [StepRecord.day.in_(days)]
    if user_ids is not None:
        where.append(StepRecord.user_id.in_(list(user_ids)))
    best = func.max(case((StepRecord.review.in_(COUNTING), StepRecord.steps), else_=0))
    counted = {(u, d): int(s) for u, d, s in db.session.execute(
        select(StepRecord.user_id, StepRecord.day, best).where(*where).group_by(StepRecord.user_id, StepRecord.day))}
    day_where = [WalkingDay.day.in_(days)]
    if user_ids is not None:
        day_where.append(WalkingDay.user_id.in_(list(user_ids)))
    existing = {(u, d): (s, r) for u, d, s, r in db.session.execute(
        select(WalkingDay.user_id, WalkingDay.day, WalkingDay.steps, WalkingDay.rule_id).where(*day_where))}
    rules = rules_by_day(days)
    rules_by_id = {rule.id: rule for rule in rules.values()}
    rows = []
    for key in counted.keys() | existing.keys():
        steps = counted.get(key, 0)
        known = existing.get(key)
        if known is not None and known[0] == steps:
            continue
        rule_id = known[1] if known is not None else rules[key[1]].id  # a day keeps its rule
        rule = rules_by_id.get(rule_id) or db.session.get(type(rules[key[1]]), rule_id)
        reward = rule.reward_for(steps)
        rows.append({"user_id": key[0], "day": key[1], "steps": steps, "rule_id": rule_id,
                     "reward_won": reward, "credited_won": 0, "pending": reward != 0})
    # New rows start pending; changed rows become pending when their reward moved.
    if rows:
        # executemany of one compiled statement (a multi-row VALUES would be compiled afresh per chunk)
        statement = dialect_insert()(WalkingDay.__table__)
        statement = statement.on_conflict_do_update(index_elements=["user_id", "day"], set_={
            "steps": statement.excluded.steps, "reward_won": statement.excluded.reward_won,
            "pending": WalkingDay.__table__.c.credited_won != statement.excluded.reward_won,
        })
        for batch in chunks(rows, 10_000):
            db.session.execute(statement, batch)


def credit_pending(days=None, user_ids=None, *, actor=None) -> dict:
    """Append the difference for every pending day (of ``days``/``user_ids`` when given), within budget.

    Answers {"credited_days", "credited_won", "pending_days"}."""
    where = [WalkingDay.pending.is_(True)]
    if days is not None:
        where.append(WalkingDay.day.in_(sorted(set(days))))
    if user_ids is not None:
        where.append(WalkingDay.user_id.in_(list(user_ids)))
    rows = db.session.execute(
        select(WalkingDay.user_id, WalkingDay.day, WalkingDay.reward_won - WalkingDay.credited_won,
               WalkingDay.reward_won, WalkingDay.rule_id)
        .where(*where).order_by(WalkingDay.day, WalkingDay.user_id)).all()
    by_year = defaultdict(list)
    for row in rows:
        by_year[row[1].year].append(row)
    credited, total_won, left_pending = [], 0, 0
    for year, year_rows in sorted(by_year.items()):
        taken, amount = _fit_budget(year, year_rows, actor)
        credited.extend(taken)
        total_won += amount
        left_pending += len(year_rows) - len(taken)
    _write_credits(credited)
    return {"credited_days": len(credited), "credited_won": total_won, "pending_days": left_pending}


def walking_budget(year: int) -> Budget | None:
    return budget_for(ProgrammeType.WALKING, current_app.config["WALKING_PROGRAMME_ID"], year)


def _fit_budget(year: int, rows, actor) -> tuple[list, int]:
    """Commit the differences that fit in the year's budget: corrections downwards always, then
    increases oldest first while money remains. Answers the rows taken and their net amount."""
    budget = walking_budget(year)
    if budget is None:
        return [], 0
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
            return decreases + taken, amount - released
    return decreases, -released


def _write_credits(rows) -> None:
    if not rows:
        return
    now = utcnow()
    entries = [{"user_id": u, "kind": MileageKind.DAY.value, "amount_won": delta, "day": d, "rule_id": rule_id,
                "created_at": now} for u, d, delta, _reward, rule_id in rows if delta]
    for batch in chunks(entries):
        db.session.execute(insert(MileageEntry.__table__), batch)
    days = WalkingDay.__table__
    db.session.execute(
        update(days).where(and_(days.c.user_id == bindparam("u"), days.c.day == bindparam("d")))
        .values(credited_won=bindparam("reward"), pending=False),
        [{"u": u, "d": d, "reward": reward} for u, d, _delta, reward, _rule in rows])
    totals = defaultdict(int)
    for u, _d, delta, _reward, _rule in rows:
        totals[u] += delta
    participants = WalkingParticipant.__table__
    db.session.execute(
        update(participants).where(participants.c.user_id == bindparam("u"))
        .values(balance_won=participants.c.balance_won + bindparam("delta")),
        [{"u": u, "delta": delta} for u, delta in totals.items() if delta])
    db.session.expire_all()


def is_paused() -> bool:
    """Earning is paused while days wait for money."""
    return db.session.scalar(select(WalkingDay.user_id).where(WalkingDay.pending.is_(True)).limit(1)) is not None


def pending_day_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WalkingDay).where(WalkingDay.pending.is_(True)))


def credit_day(day: date, *, actor=None) -> dict:
    """Recompute and credit one day for every resident (`flask walking credit`)."""
    recompute([day])
    return credit_pending([day], actor=actor)
