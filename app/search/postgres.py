"""The PostgreSQL search backend: the app's own Korean terms in a tsvector, ranked by a RUM index.

Every server of a city shares the database, so search lives there when the database is
PostgreSQL. The search rows are written in the transaction that changes the content (the session's
``before_commit``), so they cannot drift from it and need no rebuilding after a crash; `flask
search reindex` rebuilds them after an analyzer change.

`analysis` produces the terms on both backends, so a document is found the same way: the tsvector
holds them as they are (title terms with weight A), written as a tsvector literal, and a query plan
becomes a tsquery literal (no PostgreSQL dictionary or parser is involved).

Ranking from the index: PostgreSQL's ts_rank over every match of a common word took 0.5 s at
200,000 documents. A RUM index (extension ``rum``) ranks from the positions it stores (``<=>``)
without reading the rows, but still ranks every match before returning the first (postgrespro/rum#86).
So a query is answered one of two ways, whichever the table's statistics (`statistics`, read every ten
minutes) say is cheaper (`_newest_first`): the best ``CANDIDATES`` by the index's rank, or, for a word
in a third of the documents, the newest ``CANDIDATES`` matches read backwards along ``seq``. Among the
candidates the order is that of the Whoosh backend (units held, held as whole words, in the title, then
rank, then newest). Without the extension the index is GIN, ranking reads the matching rows, and the
newest-first way is taken sooner. Totals are exact up to ``COUNT_CAP``; above, estimated from the share
of matches among the newest rows read or from the statistics ("about 325,000 results"). A search is one
statement (two when no document has every word). The proposals have a terms index of their own, in
which the list's keyword ranks every match; the counts per type (`count_by_type`) read each type the
cheapest way its size allows.

The table lives in its own schema, ``search``, created by the migration on PostgreSQL only (and by
``create_all``, through a listener, for the tests); on SQLite the migration does nothing.
"""
from __future__ import annotations

import math
import re
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import (BigInteger, Boolean, Column, Integer, MetaData, String, Table, Text, cast, delete, event, func,
                        literal, text)
from sqlalchemy.dialects.postgresql import TSVECTOR, insert

from app.extensions import db
from app.search import analysis

SCHEMA = "search"
CANDIDATES = 200  # best matches by the index's rank that are then put in the exact order
RANK_ALL: int | None = None  # tests: matches above which the newest are read; None: `_newest_first` weighs costs
COUNT_CAP = 1000  # totals above this are estimated
PARTIAL_TYPE = "proposal"  # the type with a terms index of its own (documents_proposal_terms)
GATE_POSTINGS = 5000  # `_plain_gate` checks plain words whose rarest is held by at most this many documents
TERM_STATISTICS = 400  # ANALYZE keeps the 4,000 most common terms' frequencies (estimates, suggestions)
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
    for statement in index_statements(method):
        connection.execute(text(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS")))
    return method


def index_statements(method: str) -> list[str]:
    """The table's indexes besides its primary key: the terms (RUM, else GIN), the terms of proposals
    alone (``PARTIAL_TYPE``: the list's keyword and the proposal tab rank or count among 100,000
    proposals, not among a million comments), and ``seq`` alone and per type, along which the newest
    matches of a very common word are read."""
    operator_class = "rum_tsvector_ops" if method == "rum" else "tsvector_ops"
    return [f"CREATE INDEX documents_terms ON {SCHEMA}.documents USING {method} (terms {operator_class})",
            f"CREATE INDEX documents_proposal_terms ON {SCHEMA}.documents USING {method} (terms {operator_class}) "
            f"WHERE doc_type = '{PARTIAL_TYPE}'",
            f"CREATE INDEX documents_by_seq ON {SCHEMA}.documents (seq)",
            f"CREATE INDEX documents_by_type_seq ON {SCHEMA}.documents (doc_type, seq)",
            f"ALTER TABLE {SCHEMA}.documents ALTER COLUMN terms SET STATISTICS {TERM_STATISTICS}"]


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


_methods: dict[str, dict[str, str]] = {}


def _terms_indexes(session) -> dict[str, str]:
    """{name: access method} of the terms indexes (looked up once per database)."""
    key = session.get_bind().url.render_as_string(hide_password=True)
    if key not in _methods:
        _methods[key] = dict(session.execute(text(
            "SELECT c.relname, am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname = '{SCHEMA}' AND c.relname IN ('documents_terms', 'documents_proposal_terms')")).all())
    return _methods[key]


def index_method(session) -> str:
    """'rum' or 'gin': the access method of the terms index."""
    return _terms_indexes(session).get("documents_terms", "gin")


def ranks_alone(session, types) -> bool:
    """Whether the matches of ``types`` are ranked in an index of their own: the proposals', built with
    RUM (which ranks there without reading rows; 100,000 proposals are few enough to rank them all)."""
    return bool(types) and set(types) == {PARTIAL_TYPE} and \
        _terms_indexes(session).get("documents_proposal_terms") == index_method(session) == "rum"


# Terms -------------------------------------------------------------------------------------------

def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


_quoted: dict[str, str] = {}
_positions: dict[tuple[int, int], str] = {}
# Comments of one thread come in a row and share their target's title: its terms are kept. One tuple,
# read and replaced whole, so that threads writing at once never pair a title with another's terms.
_last_title: tuple[str, Counter] = ("", Counter())


def tsvector_literal(title: str, body: str) -> str:
    """The tsvector of a document's terms: each term once, with one position per occurrence (title
    occurrences weighted A), so that ranking sees the term's frequency. Positions are not the terms'
    places in the text: nothing asks for phrases, and numbering by term is quicker. A term's quoted
    form and each (title, body) count's position list are cached: this runs a million times in a
    reindex."""
    global _last_title
    last = _last_title
    if last[0] != title:
        last = _last_title = (title, Counter(analysis.terms(title)))
    in_title = last[1]
    in_body = Counter(analysis.terms(body))
    parts = [_quote_cached(term) + _position_list(in_title.get(term, 0), count) for term, count in in_body.items()]
    parts += [_quote_cached(term) + _position_list(count, 0) for term, count in in_title.items() if term not in in_body]
    return " ".join(parts)


def _quote_cached(term: str) -> str:
    quoted = _quoted.get(term)
    if quoted is None:
        if len(_quoted) >= 400_000:
            _quoted.clear()
        quoted = _quoted[term] = _quote(term)
    return quoted


def _position_list(title_count: int, body_count: int) -> str:
    """``:1A,2A,3`` for a term twice in the title and once in the body (at most MAX_POSITIONS)."""
    title_count = min(title_count, MAX_POSITIONS)
    body_count = min(body_count, MAX_POSITIONS - title_count)
    key = (title_count, body_count)
    cached = _positions.get(key)
    if cached is None:
        positions = [f"{i}A" for i in range(1, title_count + 1)]
        positions += [str(i) for i in range(title_count + 1, title_count + body_count + 1)]
        cached = _positions[key] = ":" + ",".join(positions)
    return cached


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


def reindex(session, sources, progress=None, batch_size: int = 2000, procs: int = 1) -> int:
    """Replaces every row with the sources' documents in one transaction. The indexes are dropped, the
    rows copied in (COPY) and the indexes built again over all of them, since a RUM index takes rows
    one by one about 30 times slower than it builds; ``maintenance_work_mem`` is raised for the build
    (``SEARCH_REINDEX_MEMORY``). With ``procs`` > 1 the analysis runs in that many processes while this
    one reads the sources and copies. Searches wait for the commit."""
    from flask import current_app

    method = index_method(session)
    clear(session)
    for name in ("documents_terms", "documents_proposal_terms", "documents_by_seq", "documents_by_type_seq"):
        session.execute(text(f"DROP INDEX IF EXISTS {SCHEMA}.{name}"))
    memory = current_app.config.get("SEARCH_REINDEX_MEMORY") or "512MB"
    session.execute(text("SELECT set_config('maintenance_work_mem', :memory, true)"), {"memory": memory})
    count, started = 0, time.perf_counter()
    with _Analysis(procs) as analyse:
        for batch, literals in analyse(_batches(sources, batch_size)):
            count += _copy(session, batch, literals)
            if progress:
                progress(len(batch))
    copied = time.perf_counter()
    for statement in index_statements(method):
        session.execute(text(statement))
    indexed = time.perf_counter()
    session.execute(text(f"ANALYZE {SCHEMA}.documents"))  # estimates come from its statistics
    _statistics.clear()
    last_reindex.update(copy=copied - started, index=indexed - copied, analyze=time.perf_counter() - indexed)
    return count


last_reindex: dict[str, float] = {}  # seconds of the last reindex's steps in this process (shown by the command)


def _batches(sources, batch_size: int):
    batch: list = []
    for source in sources:
        for document in source():
            batch.append(document)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def tsvector_literals(texts: list[tuple[str, str]]) -> list[str]:
    """`tsvector_literal` of each (title, body): the work of an analysis process."""
    return [tsvector_literal(title, body) for title, body in texts]


class _Analysis:
    """Turns batches of documents into (batch, tsvector literals), in order: in this process, or in
    ``procs`` worker processes (started fresh, so they share nothing with this one's connections)
    with at most two batches per worker in flight."""

    def __init__(self, procs: int):
        self.procs = procs
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        if self.procs > 1:
            import multiprocessing

            self.pool = ProcessPoolExecutor(self.procs, mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def __call__(self, batches):
        if self.pool is None:
            for batch in batches:
                yield batch, tsvector_literals([(d.title, d.body) for d in batch])
            return
        waiting: deque = deque()
        for batch in batches:
            waiting.append((batch, self.pool.submit(tsvector_literals, [(d.title, d.body) for d in batch])))
            if len(waiting) >= 2 * self.procs:
                batch, future = waiting.popleft()
                yield batch, future.result()
        while waiting:
            batch, future = waiting.popleft()
            yield batch, future.result()


def _copy(session, batch, literals) -> int:
    """COPY a batch (the sources read the same connection between batches, never during one)."""
    columns = "doc_type, doc_id, title, body, url, hidden, owner_id, terms"
    with session.connection().connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {SCHEMA}.documents ({columns}) FROM STDIN") as copy:
            for document, literal in zip(batch, literals):
                copy.write_row((document.type, document.id, document.title, document.body, document.url,
                                bool(document.hidden), document.owner_id or 0, literal))
    return len(batch)


# Querying ----------------------------------------------------------------------------------------

@dataclass
class Found:
    rows: list  # (doc_type, doc_id, title, body, url) of the page
    total: int
    estimated: bool
    complete: bool
    best_units: set[int]  # units the best document holds
    newest_only: bool = False  # too many matches to rank them all: the newest CANDIDATES were ranked


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
        if set(types) == {PARTIAL_TYPE}:  # a constant: the planner may then use the proposals' own terms index
            clauses.append(f"doc_type = '{PARTIAL_TYPE}'")
        elif len(types) == 1:  # one type: the (doc_type, seq) index serves the newest matches
            clauses.append("doc_type = :doc_type")
            params["doc_type"] = next(iter(types))
        else:
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


# Estimates from the statistics ANALYZE keeps ---------------------------------------------------------

@dataclass
class Statistics:
    rows: float  # documents in the table (pg_class.reltuples)
    terms: dict[str, int]  # the most common terms' estimated document counts (most_common_elems)
    rare: int  # at most this many documents hold a term not among them
    types: dict[str, float]  # share of the rows of each type (doc_type's most_common_vals)

    def term(self, term: str) -> int:
        return self.terms.get(term, self.rare)

    def unit(self, unit: analysis.Unit) -> int:
        """Documents holding the unit: the term, or every bigram of it (bigrams of one word go together,
        so the rarest bigram is the estimate), or with a single syllable any term it starts."""
        estimate = self.term(unit.form)
        if unit.bigrams:
            estimate = max(estimate, min(self.term(b) for b in unit.bigrams))
        if unit.single_syllable:
            estimate += sum(n for term, n in self.terms.items() if term.startswith(unit.form) and term != unit.form)
        return min(estimate, int(self.rows))

    def query(self, units: list[analysis.Unit], *, every: bool) -> int:
        """Documents holding every unit (at most the rarest unit's: a query's words tend to go together)
        or any of them."""
        estimates = [self.unit(unit) for unit in units]
        return min(estimates) if every else min(int(self.rows), sum(estimates))

    def work(self, units: list[analysis.Unit], *, every: bool = False) -> int:
        """Postings the terms index reads for the query: every term it names, each bigram included;
        but of units that are one plain term each (no bigrams, no prefix) all held together (``every``),
        about the rarest one's postings: the index skips along the others (measured on the bench:
        독거 & 노인 & 돌봄 ranks its 7,000 matches in 20–30 ms, not the 300 ms of its 150,000 postings)."""
        total, plain = 0, []
        for unit in units:
            if every and not unit.bigrams and not unit.single_syllable:
                plain.append(self.term(unit.form))
                continue
            total += self.term(unit.form) + sum(self.term(b) for b in unit.bigrams)
            if unit.single_syllable:
                total += sum(n for term, n in self.terms.items() if term.startswith(unit.form) and term != unit.form)
        return total + min(plain, default=0)

    def rows_of(self, types) -> int:
        if not types:
            return int(self.rows)
        return int(self.rows * sum(self.types.get(t, 0.0) for t in types))


_statistics: dict[str, tuple[float, Statistics]] = {}
STATISTICS_SECONDS = 600.0


def statistics(session) -> Statistics:
    """The statistics of ``search.documents`` (row count, the most common terms and types), read once
    per process every ten minutes: one statement. Before the first ANALYZE there are none, and every
    query is ranked in full (the table is small then)."""
    key = session.get_bind().url.render_as_string(hide_password=True)
    cached = _statistics.get(key)
    if cached is not None and time.monotonic() - cached[0] < STATISTICS_SECONDS:
        return cached[1]
    rows = session.execute(text(
        "SELECT s.attname, CAST(CAST(COALESCE(s.most_common_elems, s.most_common_vals) AS text) AS text[]) AS vals, "
        "COALESCE(s.most_common_elem_freqs, s.most_common_freqs) AS freqs, c.reltuples "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname "
        "AND s.attname IN ('terms', 'doc_type') "
        f"WHERE n.nspname = '{SCHEMA}' AND c.relname = 'documents'")).all()
    total = max(0.0, float(rows[0].reltuples)) if rows else 0.0
    found = Statistics(total, {}, 0, {})
    for row in rows:
        if not row.vals or not row.freqs:
            continue
        if row.attname == "terms":
            found.terms = {term: max(1, round(freq * total)) for term, freq in zip(row.vals, row.freqs)}
            found.rare = round(min(row.freqs[:len(row.vals)]) * total)  # freqs ends with min, max, nulls
        else:
            found.types = dict(zip(row.vals, row.freqs))
    _statistics[key] = (time.monotonic(), found)
    return found


def _newest_first(session, stats: Statistics, units, *, every: bool, candidates: int, rows: int,
                  types=None) -> tuple[bool, int]:
    """Whether to read the newest rows for ``candidates`` matches rather than rank every match, and how
    many of the newest rows to read at most.

    Ranking reads every posting of every term of the query (``work``); reading the newest rows finds
    ``candidates`` matches in about candidates × rows / matches rows, each costing about twice a
    posting (measured on the bench: 3 µs a row, 1.7 µs a posting). The cheaper way is taken; reading
    stops after four times the rows expected or 2·sqrt(candidates × rows), whichever is more (then the
    estimate was wrong, and every match is ranked after all). Without RUM, ranking also reads
    each matching row: three times the work. ``RANK_ALL`` (tests) fixes the threshold of matches."""
    if ranks_alone(session, types):
        return False, 0
    matches = stats.query(units, every=every)
    expected_rows = candidates * rows / max(matches, 1)
    scan = int(min(max(4 * expected_rows, 2 * math.sqrt(candidates * rows)), rows)) + candidates
    if RANK_ALL is not None:
        return matches > RANK_ALL, 4 * RANK_ALL + candidates
    work = stats.work(units, every=True) if every else stats.work(units) + matches
    if index_method(session) != "rum":
        work += 2 * matches
    # Words typed apart meet in fewer documents than the rarest word's (독거노인 돌봄: 7,000 of 36,000), so
    # for several the newest rows hold fewer matches than expected: their cost is counted four times
    # (the parts of one word, 무단투기 = 무단 + 투기, nearly always go together).
    uncertainty = 4 if every and len({unit.word for unit in units}) > 1 else 1
    return 2 * uncertainty * expected_rows < work, scan


def _candidates(session, where: str, *, newest: bool) -> str:
    """The SQL of the matches to put in the exact order: the best ``:limit`` of ``:q`` by the index's
    rank, or with ``newest`` the newest ``:limit`` matches among the newest ``:scan`` rows (and how
    many rows were read for them, ``scanned``).

    RUM's ordered scan still ranks every match before it returns the first (its posting lists are in
    row order, postgrespro/rum#86): about a microsecond a match, fine for thousands, not for a word in
    a third of a million documents. For a query `_newest_first` finds cheaper that way, the
    candidates are the newest matches instead, read backwards along the ``seq`` index (per type when
    one type is asked for) and checked one by one: with that many matches a few thousand rows hold
    them. ``(terms @@ q) IS TRUE`` keeps the planner off the terms index there."""
    rum = index_method(session) == "rum"
    distance = "terms <=> CAST(:q AS tsquery)" if rum else "1 / (ts_rank(terms, CAST(:q AS tsquery)) + 1e-6)"
    if newest:
        # One type: ordered as the (doc_type, seq) index is, else the planner may read every type's rows
        # along seq and filter (the proposals of a reindex are the oldest rows).
        # (A range, not =: the planner drops an ORDER BY on a column held equal, and then prefers seq.)
        # (No ORDER BY outside: the rows come in the window's order, and a sort there would read every
        # row of the scan before the LIMIT.)
        rows, one_type = _TYPE_EQUALS.subn(r"doc_type BETWEEN \1 AND \1", where)
        order = "doc_type DESC, seq DESC" if one_type else "seq DESC"
        return (f"SELECT *, {distance} AS distance FROM (SELECT *, row_number() OVER (ORDER BY {order}) AS scanned "
                f"FROM (SELECT * FROM {SCHEMA}.documents WHERE TRUE{rows} ORDER BY {order} LIMIT :scan) n) d "
                f"WHERE (terms @@ CAST(:q AS tsquery)) IS TRUE LIMIT :limit")
    order = distance if rum else "distance"
    return (f"SELECT *, {distance} AS distance, CAST(NULL AS bigint) AS scanned FROM {SCHEMA}.documents "
            f"WHERE terms @@ CAST(:q AS tsquery){where} ORDER BY {order} LIMIT :limit")


_TYPE_EQUALS = re.compile(r"doc_type = (:doc_type|'[a-z_]+')")
ORDER = "held DESC, whole DESC, in_title DESC, distance, seq DESC"  # as the Whoosh backend orders
_COLUMNS = "doc_type, doc_id, seq, title, body, url, hidden, owner_id, terms, distance, scanned"


def _candidate_ctes(session, where: str, newest: bool) -> str:
    """CTEs ending in ``c``: the candidates (with ``newest``, whether they are the newest matches). With
    ``newest``, the newest matches when the newest rows held ``:limit`` of them, else (the estimate was
    wrong) the best by rank, in the same statement: the ranked scan runs only then."""
    if not newest:
        return (f"c AS MATERIALIZED (SELECT {_COLUMNS}, FALSE AS newest "
                f"FROM ({_candidates(session, where, newest=False)}) g)")
    return (f"n AS MATERIALIZED ({_candidates(session, where, newest=True)}), "
            f"c AS MATERIALIZED (SELECT {_COLUMNS}, TRUE AS newest FROM n "
            f"WHERE (SELECT count(*) FROM n) >= :limit "
            f"UNION ALL SELECT {_COLUMNS}, FALSE FROM ({_candidates(session, where, newest=False)}) g "
            f"WHERE (SELECT count(*) FROM n) < :limit)")


def _plain_gate(units, params: dict, stats: Statistics) -> str:
    """For a query of every unit where some units are one plain term (no bigrams, no prefix) and others
    are not: SQL that is false when no document holds every plain term, and sets :plain. Those terms are
    each their unit's only way to match, so without them nothing matches every unit, and the other
    units' posting lists (a prefix such as 오:*, thousands of terms) need not be read: 버스가 너무 늦게
    와요 finds that no document has them all in 0.1 ms instead of 40–80. "TRUE" when it cannot help, or
    when the rarest plain term is common: RUM reads all its postings before answering (보호 & 구역: 10 ms)."""
    plain = [unit for unit in units if not unit.bigrams and not unit.single_syllable]
    if not plain or len(plain) == len(units) or min(stats.term(unit.form) for unit in plain) > GATE_POSTINGS:
        return "TRUE"
    params["plain"] = " & ".join(_quote(unit.form) for unit in plain)
    return f"EXISTS (SELECT 1 FROM {SCHEMA}.documents WHERE terms @@ CAST(:plain AS tsquery))"


def _find(session, units, query, viewer_id, all_hidden_visible, types, page, per_page, *, complete) -> Found:
    """One statement: the page, the best document's units, the number of candidates (with how many
    rows were read for them) and the count of matches up to COUNT_CAP when the candidates are not
    all of them. Which candidates, and whether to count, the statistics decide; when the newest rows
    held fewer matches than wanted (the estimate was wrong) the same statement ranks them instead.

    The total: exact up to COUNT_CAP; above, from the newest rows (matches among the rows read, times
    the rows) or the statistics, and marked as an estimate."""
    where, params = _visible(viewer_id, all_hidden_visible, types)
    limit = max(CANDIDATES, page * per_page)
    stats = statistics(session)
    estimate, rows_of_types = stats.query(units, every=complete), stats.rows_of(types)
    newest, scan = _newest_first(session, stats, units, every=complete, candidates=limit, rows=rows_of_types,
                                 types=types)
    params |= {"q": query, "limit": limit, "per_page": per_page, "offset": (page - 1) * per_page,
               "cap": COUNT_CAP + 1, "scan": scan}
    held, whole, in_title = [], [], []
    for index, unit in enumerate(units):
        params[f"u{index}"], params[f"w{index}"] = _unit_query(unit), _unit_query(unit, prefix=False)
        params[f"t{index}"] = _unit_query(unit, weight="A")
        held.append(f"(terms @@ CAST(:u{index} AS tsquery))::int")
        whole.append(f"(terms @@ CAST(:w{index} AS tsquery))::int")
        in_title.append(f"(terms @@ CAST(:t{index} AS tsquery))::int")
    bits = " | ".join(f"((terms @@ CAST(:u{i} AS tsquery))::int << {i})" for i in range(len(units)))
    gate_sql = _plain_gate(units, params, stats) if complete else "TRUE"
    gate = "(SELECT held FROM gate)" if gate_sql != "TRUE" else "TRUE"  # looked up once
    # Counting reads a row per match: only when the estimate says the count stops at the cap soon.
    count = (f"(SELECT count(*) FROM (SELECT 1 FROM {SCHEMA}.documents WHERE terms @@ CAST(:q AS tsquery)"
             f"{where} LIMIT :cap) m)" if estimate <= 3 * COUNT_CAP else "NULL")
    statement = (
        f"WITH {_candidate_ctes(session, where, newest)}, "
        f"gate AS MATERIALIZED (SELECT {gate_sql} AS held), "
        f"r AS (SELECT doc_type, doc_id, title, body, url, {bits} AS units, {' + '.join(held)} AS held, "
        f"{' + '.join(whole)} AS whole, {' + '.join(in_title)} AS in_title, distance, seq FROM c WHERE {gate}), "
        f"k AS (SELECT count(*) AS candidates, max(scanned) AS scanned, bool_or(newest) AS newest FROM c "
        f"WHERE {gate}) "
        f"SELECT p.*, (SELECT units FROM r ORDER BY {ORDER} LIMIT 1) AS best, k.candidates, k.scanned, k.newest, "
        f"CASE WHEN k.candidates < :limit THEN k.candidates WHEN k.newest THEN NULL ELSE {count} END AS total "
        f"FROM k LEFT JOIN LATERAL (SELECT doc_type, doc_id, title, body, url FROM r ORDER BY {ORDER} "
        f"LIMIT :per_page OFFSET :offset) p ON TRUE")
    rows = session.execute(text(statement), params).all()
    head = rows[0]
    newest = bool(head.newest)
    best, total, estimated = head.best or 0, head.total, True
    if newest:  # the share of matches among the newest rows read, times the rows
        total = max(head.candidates, round(head.candidates / max(head.scanned or 0, 1) * rows_of_types))
    elif head.candidates < limit:  # every match is a candidate
        estimated = False
    elif total is None or total > COUNT_CAP:
        total = max(limit, COUNT_CAP + 1 if total else 0, estimate)
    else:
        estimated = False
    page_rows = [tuple(row[:5]) for row in rows if row.doc_id is not None]
    return Found(page_rows, total, estimated, complete, {bit for bit in range(len(units)) if best >> bit & 1}, newest)


def matching_ids(session, plan: analysis.QueryPlan, doc_type: str, *, viewer_id, all_hidden_visible,
                 limit: int) -> list[int]:
    """The best ``limit`` matches of one type (the newest ``limit`` when a word is too common to rank)."""
    units = plan.units[:16]
    if not units:
        return []
    where, params = _visible(viewer_id, all_hidden_visible, {doc_type})
    stats = statistics(session)
    newest, scan = _newest_first(session, stats, units, every=True, candidates=limit, rows=stats.rows_of({doc_type}),
                                 types={doc_type})
    params |= {"q": " & ".join(_unit_query(u) for u in units), "limit": limit, "scan": scan}
    return list(session.execute(text(f"WITH {_candidate_ctes(session, where, newest)} SELECT doc_id FROM c"),
                                params).scalars())


# Counts per type (the search page's tabs, ``counts`` in the API) ------------------------------------

SMALL_TYPE = 20_000  # a type with fewer rows than this is counted by reading its rows
COUNT_NEWEST_ROWS = 20_000  # a big type's newest rows are counted when the cap is expected in this many
# (a comment's row is checked in about 0.6 µs; the index costs its postings and a heap visit per match)


def count_by_type(session, plan: analysis.QueryPlan, types: list[str], *, viewer_id, all_hidden_visible,
                  cap: int) -> dict[str, int]:
    """{type: visible documents of the type holding every unit of the plan, or, when no type has one,
    any unit}, each count stopping at ``cap`` + 1. One statement.

    Each type is counted the cheapest way its size and the statistics allow (the type is a constant in
    the SQL, so the planner sees which): a small type by reading its rows; the proposals in their own
    terms index; a big type (the comments) along its newest rows when the words are common, stopping
    at the cap, else in the terms index. Reading the newest rows is bounded: when they hold fewer
    matches than the cap (the statistics were wrong) the index counts after all. In the index the plain
    words (each unit's own term, without its bigrams or prefix) are counted first: documents holding
    them hold the units, so when they reach the cap the count is known without the bigrams' and the
    prefixes' long posting lists."""
    units = plan.units[:16]
    where, params = _visible(viewer_id, all_hidden_visible, None)
    stats = statistics(session)
    params |= {"cap": cap + 1}
    parts = {}
    for every in (True, False):
        joiner = " & " if every else " | "
        name = "every" if every else "some"
        params[name] = joiner.join(_unit_query(u) for u in units)
        params[name + "_core"] = joiner.join(_quote(u.form) for u in units)
        core = params[name + "_core"] != params[name]
        gate = _plain_gate(units, params, stats) if every else "TRUE"
        parts[every] = [_count_sql(session, stats, units, t, name, core, where, every=every, plain_gate=gate)
                        for t in types]
    every_counts = " UNION ALL ".join(f"SELECT {_quote(t)} AS doc_type, {sql} AS n"
                                      for t, sql in zip(types, parts[True]))
    some_counts = " UNION ALL ".join(f"SELECT {_quote(t)}, {sql} WHERE (SELECT sum(n) FROM every_count) = 0"
                                     for t, sql in zip(types, parts[False]))
    statement = (f"WITH every_count AS MATERIALIZED ({every_counts}) "
                 f"SELECT doc_type, n FROM every_count WHERE (SELECT sum(n) FROM every_count) > 0 "
                 f"UNION ALL {some_counts}")
    return {doc_type: int(n) for doc_type, n in session.execute(text(statement), params).all()}


def _count_sql(session, stats: Statistics, units, doc_type: str, name: str, core: bool, where: str, *,
               every: bool, plain_gate: str = "TRUE") -> str:
    """The SQL of one type's count, up to :cap, of the documents matching :<name>."""
    literal = _quote(doc_type)

    def indexed(query: str) -> str:
        gate = f" AND {plain_gate}" if query == "every" else ""
        return (f"(SELECT count(*) FROM (SELECT 1 FROM {SCHEMA}.documents WHERE terms @@ CAST(:{query} AS tsquery) "
                f"AND doc_type = {literal}{where}{gate} LIMIT :cap) m)")

    by_index = indexed(name)
    if core:  # the plain words first; the units' bigrams and prefixes only when they fall short of the cap
        by_index = (f"(SELECT CASE WHEN k.n >= :cap THEN k.n ELSE {by_index} END "
                    f"FROM (SELECT {indexed(name + '_core')} AS n OFFSET 0) k)")
    rows = stats.rows_of({doc_type})
    newest_rows = (f"SELECT terms, doc_type, seq FROM {SCHEMA}.documents WHERE doc_type BETWEEN {literal} AND {literal}"
                   f"{where} ORDER BY doc_type DESC, seq DESC")
    if rows < SMALL_TYPE and doc_type != PARTIAL_TYPE:
        return (f"(SELECT count(*) FROM (SELECT 1 FROM ({newest_rows}) n WHERE (terms @@ CAST(:{name} AS tsquery)) "
                f"IS TRUE LIMIT :cap) m)")
    if doc_type == PARTIAL_TYPE and _terms_indexes(session).get("documents_proposal_terms"):
        return by_index
    matches = stats.query(units, every=every) * rows / max(stats.rows, 1)
    expected_rows = (COUNT_CAP + 1) * rows / max(matches, 1)
    if expected_rows > COUNT_NEWEST_ROWS:
        return by_index
    scan = int(min(2 * expected_rows, rows)) + COUNT_CAP + 1
    return (f"(SELECT CASE WHEN s.n >= :cap OR NOT s.ended THEN s.n ELSE {by_index} END FROM "
            f"(SELECT count(*) FILTER (WHERE x.m) AS n, COALESCE(bool_or(x.k = {scan}), FALSE) AS ended FROM "
            f"(SELECT w.m, w.k FROM (SELECT (terms @@ CAST(:{name} AS tsquery)) IS TRUE AS m, "
            f"row_number() OVER (ORDER BY doc_type DESC, seq DESC) AS k FROM ({newest_rows} LIMIT {scan}) n) w "
            f"WHERE w.m OR w.k = {scan} LIMIT :cap) x OFFSET 0) s)")


# Document frequencies of terms (typo suggestions) ------------------------------------------------

def document_frequencies(session, terms: list[str], cap: int = 100) -> dict[str, int]:
    """How many documents hold each term, for typo suggestions: a common term's estimate from the
    statistics, the others counted up to ``cap`` in one statement (a rare term's postings are short)."""
    if not terms:
        return {}
    common = statistics(session).terms
    result = {term: common[term] for term in terms if term in common}
    rest = [term for term in terms if term not in result]
    if rest:
        rows = session.execute(text(
            f"SELECT term, (SELECT count(*) FROM (SELECT 1 FROM {SCHEMA}.documents "
            f"WHERE terms @@ CAST(quote_literal(term) AS tsquery) LIMIT :cap) m) AS n "
            f"FROM unnest(CAST(:terms AS text[])) AS term"), {"terms": rest, "cap": cap}).all()
        result |= {row.term: row.n for row in rows}
    return result
