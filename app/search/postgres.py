"""The PostgreSQL search backend: the app's own Korean terms in a tsvector, ranked by a RUM index.

Every server of a city shares the database, so search lives there when the database is
PostgreSQL. The search rows are written in the transaction that changes the content (the session's
``before_commit``), so they cannot drift from it and need no rebuilding after a crash; `flask
search reindex` rebuilds them after an analyzer change.

`analysis` produces the terms on both backends, so a document is found the same way: the tsvector
holds them as they are (title terms with weight A), written as a tsvector literal, and a query plan
becomes a tsquery literal (no PostgreSQL dictionary or parser is involved).

Ranking from the index: PostgreSQL's ts_rank over every match of a common word took 0.5 s at
200,000 documents. A RUM index (extension ``rum``) returns matches in rank order (``<=>``), so only
the best ``CANDIDATES`` are read; among them the order is that of the Whoosh backend (units held,
held as whole words, in the title, then rank, then newest). Without the extension the index is GIN
and the ranking is bounded: the first ``GIN_RANKED`` matches found are ranked, not all of them.
Totals above ``COUNT_CAP`` are the planner's estimate ("about 325,000 results").

The table lives in its own schema, ``search``, created by the migration on PostgreSQL only (and by
``create_all``, through a listener, for the tests); on SQLite the migration does nothing.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import (BigInteger, Boolean, Column, Integer, MetaData, String, Table, Text, cast, delete, event, func,
                        literal, text)
from sqlalchemy.dialects.postgresql import TSVECTOR, insert

from app.extensions import db
from app.search import analysis

SCHEMA = "search"
CANDIDATES = 200  # best matches by the index's rank that are then put in the exact order
GIN_RANKED = 5000  # without RUM: matches ranked at most
COUNT_CAP = 10_000  # totals above this are estimated
MAX_POSITION, MAX_POSITIONS = 16383, 255  # PostgreSQL's limits on tsvector positions

metadata = MetaData(schema=SCHEMA)
documents = Table(
    "documents", metadata,
    Column("doc_type", String(20), primary_key=True),
    Column("doc_id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),  # bumped on every write: ties go to the newest
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("url", String(500), nullable=False),
    Column("hidden", Boolean, nullable=False),
    Column("owner_id", Integer, nullable=False),
    Column("terms", TSVECTOR, nullable=False),
)


# Schema ------------------------------------------------------------------------------------------

def rum_available(connection) -> bool:
    return connection.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")).first() is not None


def install(connection) -> str:
    """Creates the schema, the table and its index (RUM if the extension can be had, else GIN);
    returns the index's access method. Safe to run again."""
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    method = "gin"
    if rum_available(connection):
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS rum"))
        method = "rum"
    connection.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {SCHEMA}.documents_seq"))
    connection.execute(text(f"""
        CREATE TABLE IF NOT EXISTS {SCHEMA}.documents (
            doc_type varchar(20) NOT NULL, doc_id integer NOT NULL,
            seq bigint NOT NULL DEFAULT nextval('{SCHEMA}.documents_seq'),
            title text NOT NULL, body text NOT NULL, url varchar(500) NOT NULL,
            hidden boolean NOT NULL, owner_id integer NOT NULL, terms tsvector NOT NULL,
            PRIMARY KEY (doc_type, doc_id))"""))
    operator_class = "rum_tsvector_ops" if method == "rum" else "tsvector_ops"
    connection.execute(text(f"CREATE INDEX IF NOT EXISTS documents_terms ON {SCHEMA}.documents "
                            f"USING {method} (terms {operator_class})"))
    return method


def uninstall(connection) -> None:
    connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))


@event.listens_for(db.Model.metadata, "after_create")
def _after_create_all(target, connection, **kw):
    if connection.dialect.name == "postgresql":
        install(connection)


@event.listens_for(db.Model.metadata, "after_drop")
def _after_drop_all(target, connection, **kw):
    if connection.dialect.name == "postgresql":
        uninstall(connection)


_methods: dict[str, str] = {}


def index_method(session) -> str:
    """'rum' or 'gin': the access method of the terms index (looked up once per database)."""
    key = session.get_bind().url.render_as_string(hide_password=True)
    if key not in _methods:
        _methods[key] = session.execute(text(
            "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname = '{SCHEMA}' AND c.relname = 'documents_terms'")).scalar() or "gin"
    return _methods[key]


# Terms -------------------------------------------------------------------------------------------

def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title: str, body: str) -> str:
    """The tsvector of a document's terms: each term once, with one position per occurrence (title
    occurrences weighted A), so that ranking sees the term's frequency. Positions are not the terms'
    places in the text: nothing asks for phrases, and numbering by term is quicker."""
    in_title, in_body = Counter(analysis.terms(title)), Counter(analysis.terms(body))
    parts = []
    for term in in_title.keys() | in_body.keys():
        title_count = min(in_title.get(term, 0), MAX_POSITIONS)
        body_count = min(in_body.get(term, 0), MAX_POSITIONS - title_count)
        positions = [f"{i}A" for i in range(1, title_count + 1)]
        positions += [str(i) for i in range(title_count + 1, title_count + body_count + 1)]
        parts.append(f"{_quote(term)}:{','.join(positions)}")
    return " ".join(parts)


def _unit_query(unit: analysis.Unit, *, weight: str = "", prefix: bool = True) -> str:
    options = [f"{_quote(unit.form)}{':' + weight if weight else ''}"]
    if unit.bigrams:
        options.append("(" + " & ".join(f"{_quote(b)}{':' + weight if weight else ''}" for b in unit.bigrams) + ")")
    if unit.single_syllable and prefix:
        options.append(f"{_quote(unit.form)}:*{weight}")
    return "(" + " | ".join(options) + ")"


# Writing -----------------------------------------------------------------------------------------

def write(session, operations: dict) -> None:
    """Applies the session's queued changes (key -> SearchDocument or None) inside its transaction."""
    removed = [key.split(":") for key, document in operations.items() if document is None]
    for doc_type, doc_id in removed:
        session.execute(delete(documents).where(documents.c.doc_type == doc_type,
                                                documents.c.doc_id == int(doc_id)))
    rows = [_row(document) for document in operations.values() if document is not None]
    if rows:
        statement = insert(documents).values(rows)
        session.execute(statement.on_conflict_do_update(
            index_elements=[documents.c.doc_type, documents.c.doc_id],
            set_={name: statement.excluded[name] for name in
                  ("title", "body", "url", "hidden", "owner_id", "terms")} | {"seq": _next_seq()}))


def _next_seq():
    return func.nextval(f"{SCHEMA}.documents_seq")


def _row(document) -> dict:
    return {"doc_type": document.type, "doc_id": document.id, "seq": _next_seq(), "title": document.title,
            "body": document.body, "url": document.url, "hidden": bool(document.hidden),
            "owner_id": document.owner_id or 0,
            "terms": cast(literal(tsvector_literal(document.title, document.body)), TSVECTOR)}


def clear(session) -> None:
    session.execute(text(f"TRUNCATE {SCHEMA}.documents"))


def reindex(session, sources, progress=None, batch_size: int = 2000) -> int:
    """Replaces every row with the sources' documents in one transaction: the index is dropped, the
    rows are copied in (COPY) and the index is built again, since a RUM index takes rows one by one
    about 30 times slower than it builds over all of them. Searches wait for the commit."""
    method = index_method(session)
    clear(session)
    session.execute(text(f"DROP INDEX IF EXISTS {SCHEMA}.documents_terms"))
    count, batch = 0, []
    for source in sources:
        for document in source():
            batch.append(document)
            if len(batch) >= batch_size:
                count += _copy(session, batch)
                batch = []
                if progress:
                    progress(batch_size)
    count += _copy(session, batch)
    if progress:
        progress(len(batch))
    operator_class = "rum_tsvector_ops" if method == "rum" else "tsvector_ops"
    session.execute(text(f"CREATE INDEX documents_terms ON {SCHEMA}.documents USING {method} (terms {operator_class})"))
    session.execute(text(f"ANALYZE {SCHEMA}.documents"))  # estimated totals come from its statistics
    return count


def _copy(session, batch) -> int:
    """COPY a batch (the sources read the same connection between batches, never during one)."""
    columns = "doc_type, doc_id, title, body, url, hidden, owner_id, terms"
    with session.connection().connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {SCHEMA}.documents ({columns}) FROM STDIN") as copy:
            for document in batch:
                copy.write_row((document.type, document.id, document.title, document.body, document.url,
                                bool(document.hidden), document.owner_id or 0,
                                tsvector_literal(document.title, document.body)))
    return len(batch)


# Querying ----------------------------------------------------------------------------------------

@dataclass
class Found:
    rows: list  # (doc_type, doc_id, title, body, url) of the page
    total: int
    estimated: bool
    complete: bool
    best_units: set[int]  # units the best document holds


def _visible(viewer_id: int | None, all_hidden_visible: bool, types) -> tuple[str, dict]:
    clauses: list[str] = []
    params: dict[str, object] = {}
    if not all_hidden_visible:
        if viewer_id is not None:
            clauses.append("(NOT hidden OR owner_id = :viewer)")
            params["viewer"] = viewer_id
        else:
            clauses.append("NOT hidden")
    if types:
        clauses.append("doc_type = ANY(:types)")
        params["types"] = sorted(types)
    return "".join(f" AND {clause}" for clause in clauses), params


def find(session, plan: analysis.QueryPlan, *, viewer_id, all_hidden_visible, types, page, per_page,
         units_limit: int = 16) -> Found:
    units = plan.units[:units_limit]
    if not units:
        return Found([], 0, False, True, set())
    every = " & ".join(_unit_query(u) for u in units)
    found = _find(session, units, every, viewer_id, all_hidden_visible, types, page, per_page, complete=True)
    if found.total or len(units) == 1:
        return found
    return _find(session, units, " | ".join(_unit_query(u) for u in units), viewer_id, all_hidden_visible, types,
                 page, per_page, complete=False)


def _find(session, units, query, viewer_id, all_hidden_visible, types, page, per_page, *, complete) -> Found:
    where, params = _visible(viewer_id, all_hidden_visible, types)
    params |= {"q": query, "limit": max(CANDIDATES, page * per_page), "per_page": per_page,
               "offset": (page - 1) * per_page}
    held, whole, in_title = [], [], []
    for index, unit in enumerate(units):
        params[f"u{index}"], params[f"w{index}"] = _unit_query(unit), _unit_query(unit, prefix=False)
        params[f"t{index}"] = _unit_query(unit, weight="A")
        held.append(f"(terms @@ CAST(:u{index} AS tsquery))::int")
        whole.append(f"(terms @@ CAST(:w{index} AS tsquery))::int")
        in_title.append(f"(terms @@ CAST(:t{index} AS tsquery))::int")
    bits = " | ".join(f"((terms @@ CAST(:u{i} AS tsquery))::int << {i})" for i in range(len(units)))
    if index_method(session) == "rum":
        candidates = (f"SELECT *, terms <=> CAST(:q AS tsquery) AS distance FROM {SCHEMA}.documents "
                      f"WHERE terms @@ CAST(:q AS tsquery){where} ORDER BY terms <=> CAST(:q AS tsquery) LIMIT :limit")
    else:
        params["bounded"] = GIN_RANKED
        candidates = (f"SELECT *, 1 / (ts_rank(terms, CAST(:q AS tsquery)) + 1e-6) AS distance FROM "
                      f"(SELECT * FROM {SCHEMA}.documents WHERE terms @@ CAST(:q AS tsquery){where} LIMIT :bounded) m "
                      f"ORDER BY distance LIMIT :limit")
    rows = session.execute(text(
        f"SELECT doc_type, doc_id, title, body, url, {bits} AS units FROM ({candidates}) c "
        f"ORDER BY {' + '.join(held)} DESC, {' + '.join(whole)} DESC, {' + '.join(in_title)} DESC, "
        f"distance, seq DESC LIMIT :per_page OFFSET :offset"), params).all()
    best = rows[0].units if rows and page == 1 else 0
    if not complete and page > 1:  # the missing words are those of the best document, on every page
        best = session.execute(text(f"SELECT {bits} AS units FROM ({candidates}) c ORDER BY "
                                    f"{' + '.join(held)} DESC, distance LIMIT 1"), params).scalar() or 0
    total, estimated = _count(session, query, where, params)
    return Found([tuple(row[:5]) for row in rows], total, estimated, complete,
                 {bit for bit in range(len(units)) if best >> bit & 1})


def _count(session, query, where, params) -> tuple[int, bool]:
    """The exact number of matches up to COUNT_CAP; above it the planner's estimate. A word the
    statistics say is far more common than the cap is not counted at all (counting reads the heap)."""
    estimate = session.execute(text(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {SCHEMA}.documents WHERE terms @@ CAST(:q AS tsquery){where}"),
        params).scalar()
    estimate = int((json.loads(estimate) if isinstance(estimate, str) else estimate)[0]["Plan"]["Plan Rows"])
    if estimate > 3 * COUNT_CAP:
        return estimate, True
    counted = session.execute(text(
        f"SELECT count(*) FROM (SELECT 1 FROM {SCHEMA}.documents WHERE terms @@ CAST(:q AS tsquery){where} "
        f"LIMIT :cap) m"), params | {"cap": COUNT_CAP + 1}).scalar()
    if counted <= COUNT_CAP:
        return counted, False
    return max(COUNT_CAP + 1, estimate), True


def matching_ids(session, plan: analysis.QueryPlan, doc_type: str, *, viewer_id, all_hidden_visible,
                 limit: int) -> list[int]:
    if not plan.units:
        return []
    where, params = _visible(viewer_id, all_hidden_visible, {doc_type})
    params |= {"q": " & ".join(_unit_query(u) for u in plan.units[:16]), "limit": limit}
    order = "terms <=> CAST(:q AS tsquery)" if index_method(session) == "rum" else "seq DESC"
    return list(session.execute(text(
        f"SELECT doc_id FROM {SCHEMA}.documents WHERE terms @@ CAST(:q AS tsquery){where} "
        f"ORDER BY {order} LIMIT :limit"), params).scalars())


def document_frequencies(session, terms: list[str], cap: int = 1000) -> dict[str, int]:
    """How many documents hold each term (counted up to ``cap``), for typo suggestions."""
    if not terms:
        return {}
    rows = session.execute(text(
        f"SELECT term, (SELECT count(*) FROM (SELECT 1 FROM {SCHEMA}.documents "
        f"WHERE terms @@ CAST(quote_literal(term) AS tsquery) LIMIT :cap) m) AS n FROM unnest(CAST(:terms AS text[])) "
        f"AS term"), {"terms": terms, "cap": cap}).all()
    return {row.term: row.n for row in rows}


