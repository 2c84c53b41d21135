"""Full-text search on Whoosh (whoosh-reloaded) behind a few functions.

Korean words carry particles and endings (주차문제가 = 주차 + 문제 + 가) that differ between a query
and a text: `analysis` turns both into content morphemes (Kiwi) plus Hangul bigrams, and plans a
query as units a document must hold, with the fallbacks residents need (the most of the words
when no document has them all, single syllables, one-letter typos).

Changes are queued on the SQLAlchemy session and applied only after the transaction commits, so
a rolled-back change never reaches the index. If that write fails (the index is locked by a
reindex, the disk is full), the commit has happened all the same: the change is logged and kept
in a queue of pending index changes, which the next write or `flask search reindex` applies.
Queries run in `ranking` (NumPy over Whoosh's postings).

On PostgreSQL the same functions use `postgres` instead (``SEARCH_BACKEND``: ``postgresql`` by
default there, ``whoosh`` on SQLite): the rows are written inside the committing transaction.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import BOOLEAN, COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, Formatter, WholeFragmenter, highlight

from app.extensions import db
from app.jobs import job as job_function
from app.search import analysis, pending, postgres, ranking

log = logging.getLogger(__name__)

class KoreanTokenizer(Tokenizer):
    """Whoosh's view of `analysis.terms_with_offsets`: content morphemes and Hangul bigrams."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not chars:  # indexing: terms only, from the per-word cache
            for position, text in enumerate(analysis.terms(value)):
                token.text, token.boost, token.stopped = text, 1.0, False
                if positions:
                    token.pos = start_pos + position
                yield token
            return
        for position, (text, start, end) in enumerate(analysis.terms_with_offsets(value)):
            token.text, token.boost, token.stopped = text, 1.0, False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


ANALYZER = KoreanTokenizer()
# Only frequencies are indexed (no positions: there are no phrase queries), which keeps posting blocks
# small and quick to read. Ids and lengths are columns: `ranking` reads them as arrays.
SCHEMA = Schema(
    key=ID(unique=True),
    type=ID,
    id=COLUMN(ranking.ID_COLUMN),
    title=TEXT(analyzer=ANALYZER, stored=True, phrase=False),
    body=TEXT(analyzer=ANALYZER, stored=True, phrase=False),
    title_len=COLUMN(ranking.LENGTH_COLUMN),
    body_len=COLUMN(ranking.LENGTH_COLUMN),
    hidden=BOOLEAN,
    owner_id=NUMERIC,
    url=STORED(),
)


class MarkFormatter(Formatter):
    """Escaped text with one <mark> around each run of matched characters.

    Hangul bigrams overlap (버스정류장 = 버스, 스정, 정류, 류장), so matched tokens are merged into spans
    before marking, instead of marking every other bigram."""

    between = " … "

    def format_fragment(self, fragment, replace=False):
        spans: list[list[int]] = []
        for token in sorted(fragment.matches, key=lambda t: t.startchar or 0):
            if token.startchar is None:
                continue
            if spans and token.startchar <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], token.endchar)
            else:
                spans.append([token.startchar, token.endchar])
        text, index, output = fragment.text, fragment.startchar, []
        for start, end in spans:
            start = max(start, index)
            end = min(end, fragment.endchar)
            if end <= start:
                continue
            output.append(_escape(text[index:start]))
            output.append(f"<mark>{_escape(text[start:end])}</mark>")
            index = end
        output.append(_escape(text[index:fragment.endchar]))
        return "".join(output)


@dataclass
class SearchDocument:
    type: str
    id: int
    title: str
    body: str
    url: str
    hidden: bool = False
    owner_id: int = 0


@dataclass
class SearchHit:
    type: str
    id: int
    title: str
    url: str
    snippet: str  # HTML: escaped text with <mark> around matches


# Reindex sources: type -> (callable yielding every SearchDocument of that type, callable counting them).
_SOURCES: dict[str, tuple[Callable[[], Iterable[SearchDocument]], Callable[[], int]]] = {}


def register_source(doc_type: str, documents: Callable[[], Iterable[SearchDocument]],
                    count: Callable[[], int]) -> None:
    _SOURCES[doc_type] = (documents, count)


def count_documents() -> int:
    return sum(count() for _, count in _SOURCES.values())


def _index_dir() -> str:
    return current_app.config["SEARCH_INDEX_DIR"]


def _open_index():
    directory = _index_dir()
    if whoosh_index.exists_in(directory):
        return whoosh_index.open_dir(directory)
    os.makedirs(directory, exist_ok=True)
    return whoosh_index.create_in(directory, SCHEMA)


BACKENDS = ("whoosh", "postgresql")


def backend() -> str:
    """The configured search backend: ``SEARCH_BACKEND``, else PostgreSQL on PostgreSQL and Whoosh elsewhere."""
    dialect = db.session.get_bind().dialect.name
    name = current_app.config.get("SEARCH_BACKEND") or ("postgresql" if dialect == "postgresql" else "whoosh")
    if name not in BACKENDS:
        raise RuntimeError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}.")
    if name == "postgresql" and dialect != "postgresql":
        raise RuntimeError("SEARCH_BACKEND=postgresql needs a PostgreSQL database (DATABASE_URL).")
    return name


def _key(doc_type: str, doc_id: int) -> str:
    return f"{doc_type}:{doc_id}"


def index_writer(ix, **options):
    """A writer laying postings out as `ranking` reads them (merges rewrite old segments so too)."""
    return ix.writer(codec=ranking.ArrayCodec(), **options)


# Queueing on the session ------------------------------------------------------------------------

def add_to_index(document: SearchDocument) -> None:
    db.session.info.setdefault("search_ops", {})[_key(document.type, document.id)] = document


def remove_from_index(doc_type: str, doc_id: int) -> None:
    db.session.info.setdefault("search_ops", {})[_key(doc_type, doc_id)] = None


def pending_changes() -> int:
    """How many index changes wait for the next write (after failed writes)."""
    return len(pending.load(_index_dir())[0])


def _apply(operations: dict) -> None:
    """Writes ``operations`` and every pending change into the index; on failure, keeps them pending."""
    waiting, paths, in_memory = pending.load(_index_dir())
    everything = {**{key: SearchDocument(**value) if value else None for key, value in waiting.items()},
                  **operations}
    try:
        ix = _open_index()
        writer = index_writer(ix, timeout=current_app.config.get("SEARCH_WRITE_TIMEOUT", 10.0))
        try:
            for key, document in everything.items():
                if document is None:
                    writer.delete_by_term("key", key)
                else:
                    writer.update_document(**_fields(document))
            writer.commit()
            from app.ops.cache import bump_content_version

            bump_content_version()  # pages showing search results (app/ops/cache.py) are out of date
        except BaseException:
            writer.cancel()
            raise
    except Exception:
        log.exception("The search index could not be written; %d change(s) are kept pending until the next "
                      "write or `flask search reindex`", len(everything))
        pending.keep(_index_dir(), {key: asdict(document) if document else None
                                    for key, document in operations.items()})
        return
    pending.forget(paths, in_memory)


def _fields(document: SearchDocument) -> dict:
    return {
        "key": _key(document.type, document.id), "type": document.type, "id": document.id,
        "title": document.title, "body": document.body, "title_len": len(document.title),
        "body_len": len(document.body), "hidden": document.hidden, "owner_id": document.owner_id or 0,
        "url": document.url,
    }


@event.listens_for(Session, "before_commit")
def _write_in_the_transaction(session):
    """PostgreSQL: the search rows are written by the transaction that changes the content."""
    if session.info.get("search_ops") and has_app_context() and backend() == "postgresql":
        postgres.write(session, session.info.pop("search_ops"))


@event.listens_for(Session, "after_commit")
def _apply_after_commit(session):
    operations = session.info.pop("search_ops", None)
    if operations:
        try:
            # With Redis the worker writes the index (one writer, off the request); without, this process.
            from app.jobs import enqueue

            enqueue("app.search:apply_operations",
                    {key: (None if doc is None else asdict(doc)) for key, doc in operations.items()})
        except Exception:  # noqa: BLE001
            # The data is committed and the index is derived from it: a failed index write must not turn
            # a saved action into a 500 (nor leave the session unusable). `flask search reindex` repairs it.
            current_app.logger.exception("Search index update failed after a commit; run flask search reindex")


@job_function
def apply_operations(operations: dict) -> None:
    """The job: apply queued index changes ({key: document fields, or None to remove})."""
    _apply({key: (None if fields is None else SearchDocument(**fields)) for key, fields in operations.items()})


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session):
    session.info.pop("search_ops", None)


# Querying ---------------------------------------------------------------------------------------

@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    missing: list[str] = field(default_factory=list)  # words of the query the best results do not hold
    suggestion: str | None = None  # the query with a one-letter typo corrected, when nothing matched
    estimated: bool = False  # the total is an estimate (PostgreSQL, above postgres.COUNT_CAP)


def _viewer_filter(viewer) -> dict:
    signed_in = viewer is not None and getattr(viewer, "is_authenticated", False)
    return {"viewer_id": viewer.id if signed_in else None, "all_hidden_visible": bool(signed_in and viewer.is_staff)}


def _rank(searcher, plan: analysis.QueryPlan, viewer, types: Iterable[str] | None) -> ranking.Ranked:
    allowed = _viewer_filter(viewer)
    return ranking.rank(searcher, plan, types=set(types) if types else None,
                        hidden_visible_to=allowed["viewer_id"], all_hidden_visible=allowed["all_hidden_visible"])


def matching_ids(text: str, doc_type: str, *, viewer=None, limit: int = 1000) -> list[int]:
    """Ids of the best ``limit`` documents of one type holding every word of ``text`` (keyword filters
    on lists narrow: they do not fall back to some of the words)."""
    if backend() == "postgresql":
        return postgres.matching_ids(db.session, analysis.plan(text), doc_type, **_viewer_filter(viewer), limit=limit)
    with ranking.searcher(_index_dir(), SCHEMA) as searcher:
        ranked = _rank(searcher, analysis.plan(text), viewer, [doc_type])
    if not ranked.complete:
        return []
    return [int(doc_id) for doc_id in ranked.ids[ranked.best(limit)]]


def search(text: str, *, viewer=None, types: Iterable[str] | None = None, page: int = 1,
           per_page: int = 20) -> SearchResult:
    """Search everything the viewer may see. Hidden documents appear only to staff and their owner.

    Documents holding every word come first; when none does, those with the most of the words, and
    ``missing`` names the words the best of them lack; when nothing matches at all, ``suggestion``
    is the query with one letter changed that does match, if there is one."""
    plan = analysis.plan(text)
    if backend() == "postgresql":
        return _search_postgres(text, plan, viewer, types, page, per_page)
    with ranking.searcher(_index_dir(), SCHEMA) as searcher:
        ranked = _rank(searcher, plan, viewer, types)
        hits = []
        for position in ranked.best(page * per_page)[(page - 1) * per_page:]:
            stored = searcher.stored_fields(int(ranked.docnums[position]))
            hits.append(SearchHit(type=ranked.type_of(position), id=int(ranked.ids[position]),
                                  title=stored["title"], url=stored["url"],
                                  snippet=_snippet(stored["title"], stored["body"], plan.terms)))
        missing = []
        if len(ranked) and not ranked.complete:
            missing = plan.missing_words(ranked.units_of(int(ranked.best(1)[0])))
        suggestion = None
        if not len(ranked) and searcher is not None:
            suggestion = suggest(text, plan, lambda terms: {
                term: sum(searcher.doc_frequency(f, term) for f in ranking.FIELDS) for term in terms})
    return SearchResult(hits, len(ranked), missing, suggestion)


def _search_postgres(text, plan, viewer, types, page, per_page) -> SearchResult:
    found = postgres.find(db.session, plan, **_viewer_filter(viewer), types=set(types) if types else None,
                          page=page, per_page=per_page)
    hits = [SearchHit(type=doc_type, id=doc_id, title=title, url=url, snippet=_snippet(title, body, plan.terms))
            for doc_type, doc_id, title, body, url in found.rows]
    missing = plan.missing_words(found.best_units) if found.total and not found.complete else []
    suggestion = None
    if not found.total:
        suggestion = suggest(text, plan, lambda terms: postgres.document_frequencies(db.session, terms))
    return SearchResult(hits, found.total, missing, suggestion, found.estimated)


def query_index(text: str, *, viewer=None, types: Iterable[str] | None = None, page: int = 1,
                per_page: int = 20) -> tuple[list[SearchHit], int]:
    """`search`'s hits and total."""
    result = search(text, viewer=viewer, types=types, page=page, per_page=per_page)
    return result.hits, result.total


def suggest(text: str, plan: analysis.QueryPlan,
            frequencies: Callable[[list[str]], dict[str, int]]) -> str | None:
    """``text`` with each word that no document holds replaced by the indexed word one Hangul letter
    away that the most documents hold (쓰래기 → 쓰레기); None when no word could be corrected.
    ``frequencies`` counts the documents holding each of a list of terms."""
    corrected = text
    variants = {unit.form: analysis.one_letter_variants(unit.form) for unit in plan.units}
    counts = frequencies(list(dict.fromkeys([*variants, *(v for forms in variants.values() for v in forms)])))
    for unit in plan.units:
        if counts.get(unit.form):
            continue
        best, best_count = None, 0
        for candidate in variants[unit.form]:
            if counts.get(candidate, 0) > best_count:
                best, best_count = candidate, counts[candidate]
        if best is not None and unit.form in corrected:
            corrected = corrected.replace(unit.form, best, 1)
    return corrected if corrected != text else None


def _snippet(title: str, body: str, terms: list[str]) -> str:
    """Up to three marked passages of the body around the matches; the marked title when the body has none.

    Only a window from the first match on is analysed, so a 10,000-character body costs no more than
    a short one."""
    first = re.search("|".join(re.escape(term) for term in terms), body, re.IGNORECASE) if terms else None
    if first is not None:
        start = max(0, first.start() - 40)
        window = body[start:start + 500]
        marked = highlight(window, terms, ANALYZER, ContextFragmenter(maxchars=160, surround=40), MarkFormatter())
        if marked:
            return marked
    return highlight(title, terms, ANALYZER, WholeFragmenter(), MarkFormatter()) or _escape(body[:160])


def highlight_title(title: str, text: str) -> str:
    """The title as escaped HTML with the query's matches marked."""
    terms = frozenset(analysis.plan(text).terms)
    return highlight(title, terms, ANALYZER, WholeFragmenter(), MarkFormatter()) or _escape(title)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def clear_index() -> None:
    """An empty index, and no pending changes."""
    if backend() == "postgresql":
        postgres.clear(db.session)
        db.session.commit()
    directory = _index_dir()
    pending.clear(directory)
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(directory, exist_ok=True)
    whoosh_index.create_in(directory, SCHEMA)


def reindex(progress: Callable[[int], None] | None = None, batch_size: int = 2000, procs: int = 1,
            sources: dict[str, Callable[[], Iterable[SearchDocument]]] | None = None) -> int:
    """Rebuild the index from every registered source with ``procs`` writer processes (Whoosh's
    analysis is pure Python: one per core). Returns the number of documents. Pending changes are
    dropped: the database they came from is read afresh. ``sources`` replaces some registered sources
    (type -> callable yielding its documents), e.g. fewer comments for a quick benchmark."""
    chosen = [(sources or {}).get(doc_type, documents) for doc_type, (documents, _) in _SOURCES.items()]
    if backend() == "postgresql":
        count = postgres.reindex(db.session, chosen, progress, batch_size, procs)
        db.session.commit()
        return count
    clear_index()
    ix = _open_index()
    count = 0
    writer = index_writer(ix, limitmb=256, procs=procs, multisegment=procs > 1)
    try:
        for documents in chosen:
            for document in documents():
                writer.add_document(**_fields(document))
                count += 1
                if progress and count % batch_size == 0:
                    progress(batch_size)
        writer.commit()
    except Exception:
        writer.cancel()
        raise
    if progress:
        progress(count % batch_size)
    return count


search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--procs", default=1, show_default=True, type=click.IntRange(1),
              help="Whoosh writer processes, or PostgreSQL analysis processes: up to one per core for a large index.")
def reindex_command(procs):
    """Rebuild the search index from the database, with a progress bar."""
    from tqdm import tqdm

    with tqdm(total=count_documents(), unit="doc") as bar:
        total = reindex(progress=bar.update, procs=procs)
    click.echo(f"Indexed {total} documents.")
    if postgres.last_reindex:
        steps = postgres.last_reindex.items()
        click.echo("PostgreSQL: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps))
