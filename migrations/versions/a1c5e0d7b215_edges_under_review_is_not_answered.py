"""edges: a proposal only "under review" is not answered (answered_at means a final answer)

Revision ID: a1c5e0d7b215
Revises: 36e79b5fb87b
Create Date: 2026-11-27 14:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a1c5e0d7b215"
down_revision = '36e79b5fb87b'
branch_labels = None
depends_on = None


def upgrade():
    # Data only: answered_at was set by the first answer of any kind; an interim "under review" reply
    # no longer counts, so such proposals show as unanswered, match the unanswered filter and stay due.
    op.execute(sa.text("UPDATE proposals SET answered_at = NULL WHERE status = 'under_review'"))


def downgrade():
    # The first reply's time is kept on the answer row: give it back to proposals under review.
    op.execute(sa.text(
        "UPDATE proposals SET answered_at = (SELECT created_at FROM proposal_answers "
        "WHERE proposal_answers.proposal_id = proposals.id) "
        "WHERE status = 'under_review' AND answered_at IS NULL"))
