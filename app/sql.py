"""Small SQL helpers that need different spellings on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import Enum
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_unless_exists(model, **values) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING. True when the row was inserted.

    The database's unique constraint decides, so two concurrent requests cannot both insert
    (and no savepoint is needed to survive the duplicate)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = model.__table__.primary_key.columns.values()[0]
    # RETURNING tells whether a row was written; rowcount is -1 for this statement under psycopg.
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return db.session.execute(statement).first() is not None


def value_enum(enum_class) -> Enum:
    """A Python enum stored as its string values in a VARCHAR (no native type: portable, easy to extend)."""
    return Enum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
