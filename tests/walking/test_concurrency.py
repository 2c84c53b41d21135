"""Real concurrent conversions: each thread has its own app context, session and database connection."""
import threading

import pytest

from sqlalchemy import func, select

from app.auth.models import User
from app.core import DomainError
from app.extensions import db
from app.walking.models import Conversion, MileageEntry, WalkingParticipant
from app.walking.services.conversions import convert_mileage
from tests.walking.test_conversions import _credit

REQUESTS = 50
# Runs on SQLite (writers serialised) and on PostgreSQL (row locks): the conditional UPDATE holds on both.
pytestmark = pytest.mark.postgres


def run_together(app, jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            try:
                barrier.wait()
                job()
                db.session.commit()
                results[index] = "converted"
            except DomainError as error:
                db.session.rollback()
                results[index] = str(error.message)
            except Exception as error:  # noqa: BLE001  (shown in the assertion message)
                db.session.rollback()
                results[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


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
