"""Parallel supports never count twice: the primary key decides and the counter moves in the same transaction."""
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.proposals.models import Proposal, Support
from app.proposals.services import support_proposal, withdraw_support
from tests.concurrency import run_together


def run_in_threads(app, jobs):
    _, errors = run_together(app, lambda job: job(), jobs)
    assert not errors, errors  # a failed thread must fail the test


def support_job(user_id, proposal_id, action=support_proposal):
    def job():
        action(db.session.get(User, user_id), db.session.get(Proposal, proposal_id))
    return job


def test_parallel_supports_and_double_clicks_count_exactly(app, make_proposal, make_user):
    proposal = make_proposal()
    user_ids = [make_user().id for _ in range(6)]
    jobs = [support_job(uid, proposal.id) for uid in user_ids for _ in range(2)]  # everyone clicks twice at once
    run_in_threads(app, jobs)
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(Support).where(Support.proposal_id == proposal.id))
    assert rows == 6
    assert db.session.get(Proposal, proposal.id).support_count == rows


def test_parallel_withdrawals_count_exactly(app, make_proposal, make_user):
    proposal = make_proposal()
    users = [make_user() for _ in range(4)]
    for user in users:
        support_proposal(user, proposal)
    db.session.commit()
    jobs = [support_job(user.id, proposal.id, withdraw_support) for user in users for _ in range(2)]
    run_in_threads(app, jobs)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    assert db.session.get(Proposal, proposal.id).support_count == 0
