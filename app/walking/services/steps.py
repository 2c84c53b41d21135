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
from sqlalchemy import Date, DateTime, Integer, String, and_, case, literal, select, true

from app.core import DomainError, utcnow
from app.extensions import db
from app.walking.models import ReviewStatus, StepRecord
from app.walking.services import today
from app.walking.services.bulk import one_of, rows_of
from app.walking.services.crediting import DAYS, claim_days, credit_pending, dialect_insert, recompute
from app.walking.services.rules import rules_by_day

MAX_RECORDS = 1000
SOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(slots=True)
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


def whole_number(value):
    """A count sent as text ("8123") becomes an int; anything else is returned as it is, to be judged."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text)
    return value


class RecordCheck:
    """Judges the fields of a batch's records, one at a time, against one submission window.

    A city's file repeats the same few dates and sources 100,000 times: each distinct text is parsed
    and matched once per batch."""

    def __init__(self, first_day: date, last_day: date):
        self.first_day, self.last_day = first_day, last_day
        self._days: dict[str, date | None] = {}
        self._sources: dict[str, bool] = {}

    def __call__(self, index: int, raw_day, raw_steps, raw_source) -> Outcome:
        """One record; a valid one comes back with status ``credited`` for now."""
        if isinstance(raw_day, str):
            if raw_day in self._days:
                day = self._days[raw_day]
            else:
                day = self._days[raw_day] = parse_day(raw_day)
        else:
            day = raw_day if isinstance(raw_day, date) else None
        source = raw_source.strip() if isinstance(raw_source, str) else None
        outcome = Outcome(index, day, source, None)
        steps = whole_number(raw_steps)
        if day is None:
            outcome.reason = _l("The date is missing or not a date (YYYY-MM-DD).")
        elif day > self.last_day:
            outcome.reason = _l("The date is in the future.")
        elif day < self.first_day:
            outcome.reason = _l("The date is older than %(days)s days: send steps within a week.",
                                days=(self.last_day - self.first_day).days)
        elif isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            outcome.reason = _l("The step count must be a whole number of 0 or more.")
        elif steps > 1_000_000:
            outcome.reason = _l("The step count is too large to be real.")
        elif source is None or not self._source_ok(source):
            outcome.reason = _l("The source must be 1 to 40 letters, digits, dots, dashes or underscores.")
        else:
            outcome.steps, outcome.status = steps, "credited"
        return outcome

    def _source_ok(self, source: str) -> bool:
        known = self._sources.get(source)
        if known is None:
            known = self._sources[source] = SOURCE.match(source) is not None
        return known


def window() -> tuple[date, date]:
    last = today()
    return last - timedelta(days=current_app.config["WALKING_SUBMISSION_WINDOW_DAYS"]), last


def store(outcomes: list[Outcome], *, actor=None) -> IngestResult:
    """Save the valid outcomes (``user_id`` set), recompute their days and credit them within budget.

    Set-based whatever the size: the batch's days are claimed first (row locks in a fixed order, so
    that a concurrent batch for the same resident and day waits and then reads this one's counts),
    then the records are upserted, the days recomputed and credited, each in one statement."""
    plausible = current_app.config["WALKING_PLAUSIBLE_STEPS"]
    latest: dict[tuple, Outcome] = {}
    for outcome in outcomes:
        if outcome.status != "credited":
            continue
        key = (outcome.user_id, outcome.day, outcome.source)
        earlier = latest.get(key)
        if earlier is not None:  # the later record of the same day and source replaces the earlier one
            earlier.status = "refused"
            earlier.reason = _l("Replaced by a later record for the same day and source.")
        latest[key] = outcome
    result = IngestResult(outcomes=outcomes)
    if not latest:
        return result
    flagged = _l("More than %(limit)s steps: kept for a staff review before it earns mileage.", limit=f"{plausible:,}")
    for outcome in latest.values():
        if outcome.steps > plausible:  # kept, flagged and not rewarded until staff clear it
            outcome.status, outcome.reason = "flagged", flagged
    keys = sorted(latest)
    days = sorted({day for _user, day, _source in keys})
    users = sorted({user for user, _day, _source in keys})
    rules = rules_by_day(days)
    claim_days(sorted({(user, day) for user, day, _source in keys}), rules)
    upsert_records([(user, day, source, latest[user, day, source].steps or 0) for user, day, source in keys],
                   plausible=plausible)
    recompute(days, users, claimed=True)
    credited = credit_pending(days, users, actor=actor)
    result.credited_won, result.paused = credited["credited_won"], bool(credited["pending_days"])
    paused = _l("The walking budget has run out: this day earns when the city adds money.")
    if len(latest) <= MAX_RECORDS:  # per-record answers (the API); a large import answers with totals
        state = {(u, d): (c, p) for u, d, c, p in db.session.execute(
            select(DAYS.c.user_id, DAYS.c.day, DAYS.c.credited_won, DAYS.c.pending)
            .where(one_of(DAYS.c.user_id, users), DAYS.c.day.in_(days)))}
        for outcome in latest.values():
            credited_won, pending = state.get((outcome.user_id, outcome.day), (0, False))
            outcome.mileage_won = credited_won
            if pending and outcome.status == "credited":
                outcome.status, outcome.reason = "paused", paused
    elif result.paused:  # a large import: read only the days left waiting
        waiting = set(db.session.execute(select(DAYS.c.user_id, DAYS.c.day).where(
            one_of(DAYS.c.user_id, users), DAYS.c.day.in_(days), DAYS.c.pending.is_(True))).tuples().all())
        for outcome in latest.values():
            if (outcome.user_id, outcome.day) in waiting and outcome.status == "credited":
                outcome.status, outcome.reason = "paused", paused
    return result


def upsert_records(rows: list[tuple[int, date, str, int]], *, plausible: int) -> None:
    """INSERT … ON CONFLICT of (user_id, day, source, steps) rows, distinct by their first three: a resent
    count replaces the stored one; a count above ``plausible`` is flagged, unless staff already decided
    on that very count (resending it keeps their decision)."""
    records = StepRecord.__table__
    batch = rows_of("batch", [("user_id", Integer()), ("day", Date()), ("source", String()),
                              ("steps", Integer())], rows)
    review = case((batch.c.steps > plausible, ReviewStatus.FLAGGED.value), else_=ReviewStatus.OK.value)
    statement = dialect_insert()(records).from_select(
        ["user_id", "day", "source", "steps", "review", "received_at"],
        select(batch.c.user_id, batch.c.day, batch.c.source, batch.c.steps, review, literal(utcnow(), DateTime()))
        .where(true()))
    decided = records.c.review.in_([ReviewStatus.CLEARED.value, ReviewStatus.REJECTED.value])
    keep_decision = and_(records.c.steps == statement.excluded.steps, decided)
    db.session.execute(statement.on_conflict_do_update(index_elements=["user_id", "day", "source"], set_={
        "steps": statement.excluded.steps, "received_at": statement.excluded.received_at,
        "review": case((keep_decision, records.c.review), else_=statement.excluded.review),
    }))


def submit_steps(user, records: list, *, actor=None) -> IngestResult:
    """The API and the phone uploads: each record judged on its own, the valid ones taken."""
    from app.walking.services.participation import is_participating

    if not is_participating(user):
        raise DomainError(_l("Join the walking programme before sending steps."))
    if len(records) > MAX_RECORDS:
        raise DomainError(_l("Send at most %(count)s records at a time.", count=MAX_RECORDS), field="records",
                          status=422)
    check = RecordCheck(*window())
    outcomes = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            outcomes.append(Outcome(index=index, day=None, source=None, steps=None,
                                    reason=_l("Each record must be an object with date, steps and source.")))
            continue
        outcome = check(index, record.get("date"), record.get("steps"), record.get("source", "app"))
        outcome.user_id = user.id
        outcomes.append(outcome)
    return store(outcomes, actor=actor)
