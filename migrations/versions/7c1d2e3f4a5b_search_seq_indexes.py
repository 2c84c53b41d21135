"""search on PostgreSQL: seq indexes for the newest matches of very common words; more term statistics

On SQLite this does nothing. A query estimated to match more than postgres.RANK_ALL documents ranks
its newest matches, read backwards along seq (all types) or (doc_type, seq) (one type), instead of
having the RUM index rank every match. The terms column keeps statistics of its 4,000 most common
terms (estimates and typo suggestions read them).

Revision ID: 7c1d2e3f4a5b
Revises: 31685d35b0c1
Create Date: 2026-11-27 14:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c1d2e3f4a5b'
down_revision = '31685d35b0c1'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX IF NOT EXISTS documents_by_seq ON search.documents (seq)")
    op.execute("CREATE INDEX IF NOT EXISTS documents_by_type_seq ON search.documents (doc_type, seq)")
    op.execute("ALTER TABLE search.documents ALTER COLUMN terms SET STATISTICS 400")
    op.execute("ANALYZE search.documents")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS search.documents_by_type_seq")
    op.execute("DROP INDEX IF EXISTS search.documents_by_seq")
    op.execute("ALTER TABLE search.documents ALTER COLUMN terms SET STATISTICS -1")
