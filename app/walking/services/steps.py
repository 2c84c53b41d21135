"""Steps in, from every path (API, phone exports, staff import), under one set of rules.

One record per resident, day and source; re-sending replaces the count. Each record is judged on its
own: a refused record does not stop the valid ones of the same batch (except in the staff import,
which is all-or-nothing). Counts above the plausibility limit are kept, flagged and not rewarded
until staff clear them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, literal_column, or_, select

from app.core import DomainError, utcnow
from app.extensions import db
from app.walking.models import ReviewStatus, StepRecord, WalkingDay
from app.walking.services import today
from app.walking.services.crediting import chunks, credit_pending, dialect_insert, recompute

MAX_RECORDS = 1000
WHOLE_DAYS_ABOVE = 5000
SOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass
class Outcome:
    """What became of one record: ``status`` is credited, flagged, paused or refused."""

    index: int
    day: date | None
    source: str | None
    steps: int | None
    status: str = "refused"
    reason: str | None = None
    user_id: int | None = None
    mileage_won: int | None = None

    def as_json(self) -> dict:
        return {"index": self.index, "date": self.day.isoformat() if self.day else None, "source": self.source,
                "steps": self.steps, "status": self.status, "reason": str(self.reason) if self.reason else None,
                "day_mileage_won": self.mileage_won}


@dataclass
class IngestResult:
    outcomes: list[Outcome]
    credited_won: int = 0
    paused: bool = False
    counts: dict = field(default_factory=dict)

    def summary(self) -> dict:
        counts = {"credited": 0, "flagged": 0, "paused": 0, "refused": 0}
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts


def parse_day(value) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def check_record(index: int, raw_day, raw_steps, raw_source, *, first_day: date, last_day: date) -> Outcome:
    """Judge one record's fields; a valid one comes back with status ``credited`` for now."""
    day = raw_day if isinstance(raw_day, date) else parse_day(raw_day)
    source = raw_source.strip() if isinstance(raw_source, str) else None
    outcome = Outcome(index=index, day=day, source=source, steps=None)
    steps = raw_steps
    if isinstance(steps, str) and steps.strip().isdigit():
        steps = int(steps.strip())
    if day is None:
        outcome.reason = _l("The date is missing or not a date (YYYY-MM-DD).")
    elif day > last_day:
        outcome.reason = _l("The date is in the future.")
    elif day < first_day:
        outcome.reason = _l("The date is older than %(days)s days: send steps within a week.",
                            days=(last_day - first_day).days)
    elif isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        outcome.reason = _l("The step count must be a whole number of 0 or more.")
    elif steps > 1_000_000:
        outcome.reason = _l("The step count is too large to be real.")
    elif source is None or not SOURCE.match(source):
        outcome.reason = _l("The source must be 1 to 40 letters, digits, dots, dashes or underscores.")
    else:
        outcome.steps, outcome.status = steps, "credited"
    return outcome


def window() -> tuple[date, date]:
    last = today()
    return last - timedelta(days=current_app.config["WALKING_SUBMISSION_WINDOW_DAYS"]), last


def store(outcomes: list[Outcome], *, actor=None) -> IngestResult:
    """Save the valid outcomes (``user_id`` set), recompute their days and credit them within budget."""
    plausible = current_app.config["WALKING_PLAUSIBLE_STEPS"]
    latest: dict[tuple, Outcome] = {}
    for outcome in outcomes:
        if outcome.status != "credited":
            continue
        key = (outcome.user_id, outcome.day, outcome.source)
        if key in latest:  # the later record of the same day and source replaces the earlier one
            latest[key].status = "refused"
            latest[key].reason = _l("Replaced by a later record for the same day and source.")
        latest[key] = outcome
    now = utcnow()
    rows = []
    for outcome in latest.values():
        review = ReviewStatus.FLAGGED if outcome.steps > plausible else ReviewStatus.OK
        if review is ReviewStatus.FLAGGED:
            outcome.status = "flagged"
            outcome.reason = _l("More than %(limit)s steps: kept for a staff review before it earns mileage.",
                                limit=f"{plausible:,}")
        rows.append({"user_id": outcome.user_id, "day": outcome.day, "source": outcome.source,
                     "steps": outcome.steps, "review": review.value, "received_at": now})
    if rows:
        records = StepRecord.__table__
        statement = dialect_insert()(records)
        # literal values: an expanding IN cannot be used with executemany
        decided = or_(records.c.review == literal_column(f"'{ReviewStatus.CLEARED.value}'"),
                      records.c.review == literal_column(f"'{ReviewStatus.REJECTED.value}'"))
        keep_decision = and_(records.c.steps == statement.excluded.steps, decided)
        statement = statement.on_conflict_do_update(index_elements=["user_id", "day", "source"], set_={
            "steps": statement.excluded.steps, "received_at": statement.excluded.received_at,
            "review": case((keep_decision, records.c.review), else_=statement.excluded.review),
        })
        for batch in chunks(rows, 10_000):
            db.session.execute(statement, batch)
    days = {o.day for o in latest.values()}
    # The batch's residents as a list of ids (PostgreSQL and SQLite walk the primary keys with it,
    # whatever their statistics say); a city-sized batch recomputes its whole days instead.
    users = sorted({o.user_id for o in latest.values() if o.user_id is not None})  # valid outcomes have one
    batch = users if len(users) <= WHOLE_DAYS_ABOVE else None
    recompute(days, batch)
    credited = credit_pending(days, batch, actor=actor)
    batch = users if batch is not None else select(StepRecord.user_id).where(StepRecord.received_at == now)
    result = IngestResult(outcomes=outcomes, credited_won=credited["credited_won"],
                          paused=bool(credited["pending_days"]))
    if len(latest) <= MAX_RECORDS:  # per-record answers (the API); a large import answers with totals
        state = {(u, d): (c, p) for u, d, c, p in db.session.execute(
            select(WalkingDay.user_id, WalkingDay.day, WalkingDay.credited_won, WalkingDay.pending)
            .where(WalkingDay.user_id.in_(batch), WalkingDay.day.in_(days)))}
        for outcome in latest.values():
            credited_won, pending = state.get((outcome.user_id, outcome.day), (0, False))
            outcome.mileage_won = credited_won
            if pending and outcome.status == "credited":
                outcome.status = "paused"
                outcome.reason = _l("The walking budget has run out: this day earns when the city adds money.")
    elif result.paused:  # a large import: read only the days left waiting
        waiting = set(db.session.execute(select(WalkingDay.user_id, WalkingDay.day).where(
            WalkingDay.user_id.in_(batch), WalkingDay.day.in_(days), WalkingDay.pending.is_(True))).all())
        for outcome in latest.values():
            if (outcome.user_id, outcome.day) in waiting and outcome.status == "credited":
                outcome.status = "paused"
                outcome.reason = _l("The walking budget has run out: this day earns when the city adds money.")
    return result


def submit_steps(user, records: list, *, actor=None) -> IngestResult:
    """The API and the phone uploads: each record judged on its own, the valid ones taken."""
    from app.walking.services.participation import is_participating

    if not is_participating(user):
        raise DomainError(_l("Join the walking programme before sending steps."))
    if len(records) > MAX_RECORDS:
        raise DomainError(_l("Send at most %(count)s records at a time.", count=MAX_RECORDS), field="records",
                          status=422)
    first, last = window()
    outcomes = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            outcomes.append(Outcome(index=index, day=None, source=None, steps=None,
                                    reason=_l("Each record must be an object with date, steps and source.")))
            continue
        outcome = check_record(index, record.get("date"), record.get("steps"), record.get("source", "app"),
                               first_day=first, last_day=last)
        outcome.user_id = user.id
        outcomes.append(outcome)
    return store(outcomes, actor=actor)
