"""Real concurrent conversions: each thread has its own app context, session and database connection."""
import threading

import pytest

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.walking.models import Conversion, MileageEntry, WalkingParticipant
from app.walking.services.conversions import convert_mileage
from tests.concurrency import race
from tests.conftest import is_postgres
from tests.walking.test_conversions import _credit

REQUESTS = 50
# Runs on SQLite (writers serialised) and on PostgreSQL (row locks): the conditional UPDATE holds on both.
pytestmark = pytest.mark.postgres


def run_together(app, jobs):
    """Start every job at the same moment; return what each one answered: "converted" (committed), the
    refusal, or an unexpected exception's repr (shown in the assertion message)."""
    outcomes = race(app, lambda job: job(), jobs, headers={"Accept-Language": "en"}, timeout=120)
    return [outcome.describe("converted") for outcome in outcomes]


def job(user_id, key):
    def run():
        convert_mileage(db.session.get(User, user_id), amount_won=1000, idempotency_key=key)

    return run


def test_fifty_concurrent_conversions_against_a_balance_for_three_make_exactly_three(app, walker, fund, runner):
    user = walker()
    fund(100_000)
    _credit(user, 3000)
    results = run_together(app, [job(user.id, f"concurrent-{i:03d}") for i in range(REQUESTS)])
    assert results.count("converted") == 3, results
    assert all("not enough" in r for r in results if r != "converted")
    db.session.expire_all()
    assert db.session.get(WalkingParticipant, user.id).balance_won == 0
    assert db.session.scalar(select(func.count()).select_from(Conversion)) == 3
    assert db.session.scalar(select(func.sum(MileageEntry.amount_won))) == 0
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_the_same_key_sent_concurrently_converts_once(app, walker, fund):
    user = walker()
    fund(100_000)
    _credit(user, 5000)
    results = run_together(app, [job(user.id, "one-key-for-all") for _ in range(10)])
    assert results.count("converted") == 10  # every request answers the one conversion
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Conversion)) == 1
    assert db.session.get(WalkingParticipant, user.id).balance_won == 4000


def test_batches_racing_for_the_same_residents_and_days_keep_the_highest_source_and_an_exact_ledger(
        app, walker, fund, runner, days_ago):
    """Four batches (two sources, sent twice each) for the same 40 residents and two days at once, after a
    first count for those days: every day ends with the highest source's count and the ledger holds
    exactly its reward, whichever order the batches commit in (on PostgreSQL the later batches wait for
    the day rows, then read every source)."""
    from app.walking.models import WalkingDay
    from app.walking.services.steps import RecordCheck, store, window

    users = [walker().id for _ in range(40)]
    fund(1_000_000)
    counts = {"pedometer": 5_000, "phone": 6_000, "watch": 9_500}

    def batch(source):
        def run():
            check = RecordCheck(*window())
            outcomes = []
            for user_id in reversed(users) if source == "watch" else users:  # store() sorts: no deadlock
                for day in (days_ago(1), days_ago(2)):
                    outcome = check(len(outcomes), day, counts[source], source)
                    outcome.user_id = user_id
                    outcomes.append(outcome)
            store(outcomes)

        return run

    assert run_together(app, [batch("pedometer")]) == ["converted"]  # the days exist before the race
    results = run_together(app, [batch("phone"), batch("watch"), batch("phone"), batch("watch")])
    assert results == ["converted"] * 4, results  # run_together's word for "committed"
    db.session.expire_all()
    days = db.session.scalars(select(WalkingDay)).all()
    assert len(days) == 80
    assert {(d.steps, d.reward_won, d.credited_won, d.pending) for d in days} == {(9_500, 90, 90, False)}
    assert db.session.scalar(select(func.sum(MileageEntry.amount_won))) == 80 * 90
    assert {p.balance_won for p in db.session.scalars(select(WalkingParticipant))} == {180}
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


@pytest.mark.skipif(not is_postgres(), reason="SQLite lets one writer in at a time: the batches cannot interleave")
def test_a_batch_that_waits_for_another_reads_the_other_batchs_higher_count(app, walker, fund, days_ago):
    """Deterministic order on PostgreSQL: batch A (the watch, 9,500) writes and holds its transaction open;
    batch B (the phone, 6,000) starts and must wait for A's day rows; A commits; B then finishes. B must
    not leave the day at its own 6,000 computed before A's count was visible."""
    import time

    from sqlalchemy import text

    from app.walking.models import WalkingDay
    from app.walking.services.steps import RecordCheck, store, window

    users = [walker().id for _ in range(5)]
    fund(1_000_000)

    def outcomes(source, steps):
        check = RecordCheck(*window())
        made = []
        for user_id in users:
            outcome = check(len(made), days_ago(1), steps, source)
            outcome.user_id = user_id
            made.append(outcome)
        return made

    store(outcomes("pedometer", 5_000))  # the day rows exist before
    db.session.commit()
    store(outcomes("watch", 9_500))  # A: not committed yet
    phone = threading.Thread(target=lambda: run_together(app, [lambda: store(outcomes("phone", 6_000))]))
    phone.start()
    with app.app_context():  # watch B wait for A's row locks, from a third connection
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not db.session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")):
            time.sleep(0.05)
        db.session.remove()
    db.session.commit()  # A
    phone.join(timeout=60)
    db.session.expire_all()
    days = db.session.scalars(select(WalkingDay)).all()
    assert {(d.steps, d.credited_won, d.pending) for d in days} == {(9_500, 90, False)}
    assert {p.balance_won for p in db.session.scalars(select(WalkingParticipant))} == {90}
