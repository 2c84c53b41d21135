from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.proposals.models import Proposal
from app.sql import likely


def test_likely_is_a_planner_hint_on_sqlite_and_the_plain_condition_elsewhere():
    query = select(Proposal.id).where(likely(Proposal.answered_at.is_(None)))
    assert "WHERE likelihood(proposals.answered_at IS NULL, 0.90)" in str(query.compile(dialect=sqlite.dialect()))
    assert "WHERE proposals.answered_at IS NULL" in str(query.compile(dialect=postgresql.dialect()))
