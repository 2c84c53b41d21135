"""Full-text search on Whoosh (whoosh-reloaded) behind a few functions.

Korean words carry particles (주차문제가 = 주차 + 문제 + 가), so whole-word tokens miss most
matches. Hangul is indexed as overlapping character bigrams, and the bigram that spans a single
space is added too, so that 버스정류장 finds 버스 정류장 and the other way round. Latin letters and
digits are indexed as lower-cased words.

Changes are queued on the SQLAlchemy session and applied only after the transaction commits, so
a rolled-back change never reaches the index. Queries run in `ranking` (NumPy over Whoosh's postings).
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import BOOLEAN, COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, Formatter, WholeFragmenter, highlight

from app.extensions import db
from app.search import ranking

_TOKEN = re.compile(r"[\uac00-\ud7a3]+(?:\s[\uac00-\ud7a3]+)*|[0-9A-Za-z]+")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


class KoreanBigramTokenizer(Tokenizer):
    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for match in _TOKEN.finditer(value):
            text = match.group()
            if text[0].isascii():
                yield from _emit(token, text.lower(), position, start_char + match.start(), start_char + match.end(),
                                 positions, chars)
                position += 1
                continue
            runs = [(m.group(), match.start() + m.start()) for m in _HANGUL_RUN.finditer(text)]
            previous = None
            for run, offset in runs:
                if previous is not None:  # the bigram across one space: 버스 정류장 -> 스정
                    prev_text, prev_end = previous
                    yield from _emit(token, prev_text[-1] + run[0], position, start_char + prev_end - 1,
                                     start_char + offset + 1, positions, chars)
                    position += 1
                if len(run) == 1:
                    yield from _emit(token, run, position, start_char + offset, start_char + offset + 1,
                                     positions, chars)
                    position += 1
                for i in range(len(run) - 1):
                    yield from _emit(token, run[i:i + 2], position, start_char + offset + i,
                                     start_char + offset + i + 2, positions, chars)
                    position += 1
                previous = (run, offset + len(run))


def _emit(token, text, position, start, end, positions, chars):
    token.text = text
    token.boost = 1.0
    token.stopped = False
    if positions:
        token.pos = position
    if chars:
        token.startchar, token.endchar = start, end
    yield token


ANALYZER = KoreanBigramTokenizer()
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


def _apply(operations: dict) -> None:
    ix = _open_index()
    writer = index_writer(ix, timeout=10)
    try:
        for key, document in operations.items():
            if document is None:
                writer.delete_by_term("key", key)
            else:
                writer.update_document(**_fields(document))
        writer.commit()
    except Exception:
        writer.cancel()
        raise


def _fields(document: SearchDocument) -> dict:
    return {
        "key": _key(document.type, document.id), "type": document.type, "id": document.id,
        "title": document.title, "body": document.body, "title_len": len(document.title),
        "body_len": len(document.body), "hidden": document.hidden, "owner_id": document.owner_id or 0,
        "url": document.url,
    }


@event.listens_for(Session, "after_commit")
def _apply_after_commit(session):
    operations = session.info.pop("search_ops", None)
    if operations:
        try:
            _apply(operations)
        except Exception:  # noqa: BLE001
            # The data is committed and the index is derived from it: a failed index write must not turn
            # a saved action into a 500 (nor leave the session unusable). `flask search reindex` repairs it.
            current_app.logger.exception("Search index update failed after a commit; run flask search reindex")


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session):
    session.info.pop("search_ops", None)


# Querying ---------------------------------------------------------------------------------------

def _terms(text: str) -> tuple[list[str], list[str]]:
    """The query's terms a document must hold (each word's own), and those that only rank it higher
    (the bigrams across a space: 산책로 조명 finds 산책로에 조명이, and ranks 산책로 조명 above it)."""
    required = list(dict.fromkeys(t.text for word in text.split() for t in ANALYZER(word)))
    optional = [term for term in dict.fromkeys(t.text for t in ANALYZER(text)) if term not in required]
    return required, optional


def _rank(searcher, terms: tuple[list[str], list[str]], viewer, types: Iterable[str] | None) -> ranking.Ranked:
    signed_in = viewer is not None and getattr(viewer, "is_authenticated", False)
    return ranking.rank(searcher, *terms, types=set(types) if types else None,
                        hidden_visible_to=viewer.id if signed_in else None,
                        all_hidden_visible=signed_in and viewer.is_staff)


def matching_ids(text: str, doc_type: str, *, viewer=None, limit: int = 1000) -> list[int]:
    """Ids of the best ``limit`` documents of one type matching ``text`` (for keyword filters on lists)."""
    with ranking.searcher(_index_dir(), SCHEMA) as searcher:
        ranked = _rank(searcher, _terms(text), viewer, [doc_type])
    return [int(doc_id) for doc_id in ranked.ids[ranked.best(limit)]]


def query_index(text: str, *, viewer=None, types: Iterable[str] | None = None, page: int = 1,
                per_page: int = 20) -> tuple[list[SearchHit], int]:
    """Search everything the viewer may see. Hidden documents appear only to staff and their owner."""
    required, optional = _terms(text)
    hits = []
    with ranking.searcher(_index_dir(), SCHEMA) as searcher:
        ranked = _rank(searcher, (required, optional), viewer, types)
        for position in ranked.best(page * per_page)[(page - 1) * per_page:]:
            stored = searcher.stored_fields(int(ranked.docnums[position]))
            hits.append(SearchHit(type=ranked.type_of(position), id=int(ranked.ids[position]),
                                  title=stored["title"], url=stored["url"],
                                  snippet=_snippet(stored["title"], stored["body"], required + optional)))
    return hits, len(ranked)


def _snippet(title: str, body: str, terms: list[str]) -> str:
    """Up to three marked passages of the body around the matches; the marked title when the body has none.

    Only a window from the first match on is analysed, so a 10,000-character body costs no more than
    a short one."""
    first = re.search("|".join(re.escape(term) for term in terms), body, re.IGNORECASE)
    if first is not None:
        start = max(0, first.start() - 40)
        window = body[start:start + 500]
        marked = highlight(window, terms, ANALYZER, ContextFragmenter(maxchars=160, surround=40), MarkFormatter())
        if marked:
            return marked
    return highlight(title, terms, ANALYZER, WholeFragmenter(), MarkFormatter()) or _escape(body[:160])


def highlight_title(title: str, text: str) -> str:
    """The title as escaped HTML with the query's matches marked."""
    terms = frozenset(t.text for t in ANALYZER(text))
    return highlight(title, terms, ANALYZER, WholeFragmenter(), MarkFormatter()) or _escape(title)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def clear_index() -> None:
    directory = _index_dir()
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(directory, exist_ok=True)
    whoosh_index.create_in(directory, SCHEMA)


def reindex(progress: Callable[[int], None] | None = None, batch_size: int = 2000, procs: int = 1) -> int:
    """Rebuild the index from every registered source with ``procs`` writer processes (Whoosh's
    analysis is pure Python: one per core). Returns the number of documents."""
    clear_index()
    ix = _open_index()
    count = 0
    writer = index_writer(ix, limitmb=256, procs=procs, multisegment=procs > 1)
    try:
        for documents, _ in _SOURCES.values():
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
              help="Writer processes: up to one per core for a large index.")
def reindex_command(procs):
    """Rebuild the search index from the database, with a progress bar."""
    from tqdm import tqdm

    with tqdm(total=count_documents(), unit="doc") as bar:
        total = reindex(progress=bar.update, procs=procs)
    click.echo(f"Indexed {total} documents.")
