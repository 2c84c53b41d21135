"""A batch of values as one bound parameter: 100,000 step records are one statement, not 100,000.

PostgreSQL receives arrays (``unnest`` for rows, ``= ANY`` for a set of values); SQLite receives one JSON
text read by ``json_each``. Either way the SQL text is the same whatever the batch size, so SQLAlchemy
compiles it once and caches it, and binding costs one parameter instead of one per value: an expanding
``IN`` renders every value at every execution, and ``executemany`` converts every row in Python.

The Python values given here are already checked by the services (ints, dates, short strings)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import Date, String, any_, bindparam, func, select, type_coerce
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlalchemy.types import TypeEngine

from app.extensions import db


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _json_column(values: list, type_: TypeEngine) -> list:
    """A column's values as JSON can carry them: dates as ISO text (a batch repeats a few dates)."""
    if not isinstance(type_, Date):
        return values
    iso: dict = {}
    return [iso.get(value) or iso.setdefault(value, value.isoformat()) for value in values]


def one_of(column, values: Iterable, type_: TypeEngine | None = None) -> ColumnElement[bool]:
    """``column IN values`` with the values as one parameter (ids of a batch, emails of a file)."""
    values = list(values)
    type_ = type_ if type_ is not None else column.type
    if on_postgresql():
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(type_)))  # rendered with ::type[]
    text = json.dumps(_json_column(values, type_), ensure_ascii=False, separators=(",", ":"))
    each = func.json_each(bindparam(None, text, type_=String)).table_valued("value")
    return column.in_(select(type_coerce(each.c.value, type_)))


def rows_of(name: str, columns: Sequence[tuple[str, TypeEngine]], rows: Sequence[tuple]) -> Subquery:
    """The ``rows`` (tuples in the order of ``columns``) as a table named ``name`` for INSERT … SELECT."""
    if on_postgresql():
        arrays = [bindparam(None, [row[i] for row in rows], type_=postgresql.ARRAY(type_))
                  for i, (_name, type_) in enumerate(columns)]
        table = func.unnest(*arrays).table_valued(*(column_name for column_name, _type in columns)).render_derived()
        return select(*(type_coerce(table.c[column_name], type_).label(column_name)
                        for column_name, type_ in columns)).subquery(name)
    values = zip(*(_json_column([row[i] for row in rows], type_) for i, (_name, type_) in enumerate(columns)))
    text = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    each = func.json_each(bindparam(None, text, type_=String)).table_valued("value")
    return select(*(type_coerce(func.json_extract(each.c.value, f"$[{i}]"), type_).label(column_name)
                    for i, (column_name, type_) in enumerate(columns))).subquery(name)


