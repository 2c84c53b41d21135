"""Small SQL helpers that need different spellings on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_unless_exists(model, **values) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING. True when the row was inserted.

    The database's unique constraint decides, so two concurrent requests cannot both insert
    (and no savepoint is needed to survive the duplicate)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
