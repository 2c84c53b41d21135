"""search on PostgreSQL: the search schema, its documents table and a RUM (or GIN) index

On SQLite this does nothing: search there is the Whoosh index in the instance folder.
The RUM extension is created when the server has it (Debian: postgresql-15-rum) and the migrating
role may create it; otherwise the index is GIN and search ranks a bounded number of matches
(README, "Search on PostgreSQL"). Run `flask search reindex` afterwards to fill the table.

Revision ID: 5e4c0a7d2b19
Revises: ec1f3fa9df5b
Create Date: 2026-11-27 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e4c0a7d2b19'
down_revision = 'ec1f3fa9df5b'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE SCHEMA IF NOT EXISTS search")
    has_rum = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")).first() is not None
    if has_rum:
        op.execute("CREATE EXTENSION IF NOT EXISTS rum")
    op.execute("CREATE SEQUENCE IF NOT EXISTS search.documents_seq")
    op.execute("""
        CREATE TABLE IF NOT EXISTS search.documents (
            doc_type varchar(20) NOT NULL, doc_id integer NOT NULL,
            seq bigint NOT NULL DEFAULT nextval('search.documents_seq'),
            title text NOT NULL, body text NOT NULL, url varchar(500) NOT NULL,
            hidden boolean NOT NULL, owner_id integer NOT NULL, terms tsvector NOT NULL,
            PRIMARY KEY (doc_type, doc_id))""")
    if has_rum:
        op.execute("CREATE INDEX IF NOT EXISTS documents_terms ON search.documents USING rum (terms rum_tsvector_ops)")
    else:
        op.execute("CREATE INDEX IF NOT EXISTS documents_terms ON search.documents USING gin (terms tsvector_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP SCHEMA IF EXISTS search CASCADE")  # the rum extension stays: other databases may use it
