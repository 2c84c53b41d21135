"""Small SQL helpers that need different spellings on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import Boolean, Enum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

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


def rowcount(result) -> int:
    """Rows an UPDATE, DELETE or INSERT … SELECT changed. Its execute() result is a CursorResult, which
    type checkers see only as a Result."""
    return result.rowcount


def value_enum(enum_class) -> Enum:
    """A Python enum stored as its string values in a VARCHAR (no native type: portable, easy to extend)."""
    return Enum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class likely(ColumnElement):
    """A condition most rows meet. SQLite's planner takes ``x IS NULL`` for a selective filter and
    would walk that index and sort every match; ``likelihood()`` lets it walk the sort's index
    instead (92,000 unanswered of 100,000 proposals: 60 ms -> 0.1 ms). Other databases get the
    condition as it is: PostgreSQL's statistics already know."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, condition, probability: float = 0.9):
        self.condition = condition
        self.probability = probability


@compiles(likely)
def _likely(element, compiler, **kw):
    return compiler.process(element.condition, **kw)


@compiles(likely, "sqlite")
def _likely_on_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.condition, **kw)}, {element.probability:.2f})"
