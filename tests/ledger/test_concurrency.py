"""Real concurrent approvals: each thread has its own app context, session and database connection."""
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.ledger.models import Allowance, AllowanceStatus, Budget, LedgerEntry
from app.ledger.services import allowances, funds
from tests.concurrency import race

WORKERS = 6


def run_together(app, jobs):
    """Start every job at the same moment; return what each one answered: "approved", or the refusal."""
    outcomes = race(app, lambda job: job(), jobs, headers={"Accept-Language": "en"})
    return [outcome.describe("approved") for outcome in outcomes]


@pytest.fixture
def confirmed_allowances(make_user, make_lab, make_session, fund, attend):
    facilitator = make_user(roles=["facilitator"])
    members = [make_user() for _ in range(WORKERS)]
    lab = make_lab(facilitator, members)
    # room for exactly three of the six 20,000-won allowances
    budget = fund(lab, allocated=60_000, per_session=20_000, cap=100_000)
    session = make_session(lab)
    for member in members:
        attend(session, member, facilitator)
    ids = []
    for allowance in db.session.scalars(select(Allowance).order_by(Allowance.id)):
        allowances.confirm_allowance(allowance, facilitator)
        ids.append(allowance.id)
    db.session.commit()
    return budget, ids


def approve_job(allowance_id, staff_id):
    def job():
        allowance = db.session.get(Allowance, allowance_id)
        allowances.approve_allowance(allowance, db.session.get(User, staff_id))

    return job


def test_concurrent_approvals_never_exceed_the_budget(app, make_user, confirmed_allowances):
    budget, ids = confirmed_allowances
    staff_ids = [make_user(roles=["staff"]).id for _ in ids]
    results = run_together(app, [approve_job(a, s) for a, s in zip(ids, staff_ids)])
    assert results.count("approved") == 3
    refusals = [r for r in results if r != "approved"]
    assert len(refusals) == 3 and all("exceed the programme's budget" in r for r in refusals)
    db.session.expire_all()
    stored = db.session.get(Budget, budget.id)
    assert (stored.committed_won, stored.remaining_won) == (60_000, 0)
    assert db.session.scalar(select(func.sum(LedgerEntry.amount_won))) == 60_000
    assert db.session.scalar(select(func.count()).select_from(Allowance).where(
        Allowance.status == AllowanceStatus.APPROVED)) == 3
    assert funds.ledger_totals(budget.id) == {"committed_won": 60_000, "paid_won": 0}


def test_two_staff_approving_the_same_allowance_at_once_commit_it_once(app, make_user, confirmed_allowances):
    budget, ids = confirmed_allowances
    first, second = make_user(roles=["staff"]), make_user(roles=["staff"])
    results = run_together(app, [approve_job(ids[0], first.id), approve_job(ids[0], second.id)])
    assert sorted(r == "approved" for r in results) == [False, True]
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).committed_won == 20_000
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
