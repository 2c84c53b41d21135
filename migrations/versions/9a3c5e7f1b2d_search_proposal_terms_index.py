"""search on PostgreSQL: a terms index of the proposals alone

On SQLite this does nothing. The proposal list's keyword and the proposal tab rank and count among the
proposals in an index of their own (partial, doc_type = 'proposal'), with the same access method as
the main terms index (RUM, else GIN), instead of among every comment too.

Revision ID: 9a3c5e7f1b2d
Revises: 8e2f3a4b5c6d
Create Date: 2026-11-27 18:35:00

"""
from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = '9a3c5e7f1b2d'
down_revision = '8e2f3a4b5c6d'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    method = bind.execute(text(
        "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'search' AND c.relname = 'documents_terms'")).scalar()
    if method is None:
        return
    operator_class = "rum_tsvector_ops" if method == "rum" else "tsvector_ops"
    op.execute(f"CREATE INDEX IF NOT EXISTS documents_proposal_terms ON search.documents "
               f"USING {method} (terms {operator_class}) WHERE doc_type = 'proposal'")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS search.documents_proposal_terms")
