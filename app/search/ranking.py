"""Query execution over Whoosh's posting lists, vectorised with NumPy, and the posting layout it reads.

Whoosh writes and stores the index (analyzer, segments, merging, stored fields, highlighting), but
its matchers step through postings one document at a time in Python: at 200,000 documents a common
word (주차 is in 40,000 of them) took 0.5-1.5 s a query, counting the total alone half of that. Here
each query term's posting list is read at once and its blocks viewed as arrays (`ArrayCodec` writes
them so); documents are intersected, filtered and BM25-scored with NumPy, and only the page's
documents are loaded (`make bench` has the figures).

This relies on the W3 codec's file layout (whoosh-reloaded is pinned in requirements.txt); that
knowledge is confined to the codec classes, `_postings` and `_column_array`.
"""
from __future__ import annotations

import io
import itertools
import math
import pickle
import struct
import threading
import zlib
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, FileIndex
from whoosh.reading import TermNotFound

from app.search.analysis import QueryPlan

K1, B = 1.2, 0.75  # BM25's usual constants
TITLE_BOOST = 4.0
FIELDS = ("title", "body")
BLOCK_SIZE = 1024  # postings per block (Whoosh's default 128): fewer blocks to read per query
ID_COLUMN = NumericColumn("q")
LENGTH_COLUMN = NumericColumn("I")
_NO_IDS = np.zeros(0, np.uint32)
_NO_WEIGHTS = np.zeros(0, np.float32)
_BLOCK_LENGTH = struct.Struct("!i")


@dataclass
class _SegmentColumns:
    """Per-document arrays of one segment. Segments never change once written (deletions are kept
    apart), so these are loaded once per segment and shared by every thread."""
    types: np.ndarray  # int16 code of the document's type (see _type_code)
    ids: np.ndarray  # int64 database id
    lengths: dict[str, np.ndarray]  # field -> float32 length in characters


@dataclass
class Ranked:
    """Every matching document, unordered; `best` sorts only as many as a page needs."""
    docnums: np.ndarray  # the searcher's document numbers (for stored fields)
    ids: np.ndarray
    type_codes: np.ndarray
    relevance: np.ndarray  # higher is better; ties go to the newer (higher) document number
    types: list[str]  # names of the type codes
    complete: bool = True  # every document holds every unit of the query (else: the most of them first)
    units_held: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # bit i: holds unit i

    def __len__(self) -> int:
        return len(self.docnums)

    def best(self, count: int) -> np.ndarray:
        """Positions of the best ``count`` documents, best first."""
        candidates = np.arange(len(self))
        if count < len(self):  # everything tied with the count-th best is sorted, so pages never overlap
            threshold = np.partition(self.relevance, len(self) - count)[len(self) - count]
            candidates = np.flatnonzero(self.relevance >= threshold)
        order = np.lexsort((-self.docnums[candidates], -self.relevance[candidates]))
        return candidates[order][:count]

    def type_of(self, position: int) -> str:
        return self.types[self.type_codes[position]]

    def units_of(self, position: int) -> set[int]:
        held = int(self.units_held[position])
        return {bit for bit in range(held.bit_length()) if held >> bit & 1}


_columns_by_segment: dict[str, _SegmentColumns] = {}  # segment id (random) -> columns
_type_names: list[str] = []
_lock = threading.Lock()


# The posting layout ------------------------------------------------------------------------------

class ArrayPostingsWriter(W3PostingsWriter):
    """Writes each block's ids and weights as raw native arrays (W3 pickles tuples of Python numbers,
    which cost a query more to decode than everything else it does)."""

    def _mini_ids(self):
        return self._ids if self._byteids else self._ids.tobytes()

    def _mini_weights(self):
        return self._weights.tobytes()


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh's own matcher over `ArrayPostingsWriter` blocks (deletions by key, merges)."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = self._data[0] if self._byteids else array("I", self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = array("f", self._data[1])


class ArrayCodec(W3Codec):
    """Whoosh's W3 codec with `ArrayPostingsWriter` blocks of BLOCK_SIZE postings. Each segment keeps
    the codec that wrote it, so an index written by another codec is detected and reindexed."""

    def __init__(self):
        super().__init__(blocklimit=BLOCK_SIZE)

    def postings_writer(self, dbfile, byteids=False):
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                   compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


@dataclass
class _Pool:
    signature: tuple = ()
    idle: list = field(default_factory=list)


_pools: dict[str, _Pool] = {}


def _type_code(name: str) -> int:
    with _lock:
        if name not in _type_names:
            _type_names.append(name)
        return _type_names.index(name)


@contextmanager
def searcher(directory: str, schema):
    """A searcher over the newest commit of the index in ``directory`` (None if nothing was ever indexed).

    Opening one reads every segment's directory, so searchers are pooled and reused until a commit
    changes the index. Each is used by one thread at a time: its readers seek in files."""
    storage = FileStorage(directory, supports_mmap=False)
    try:
        toc = TOC.read(storage, "MAIN", schema=schema)
    except EmptyIndexError:
        yield None
        return
    signature = (toc.generation, tuple(segment.segment_id() for segment in toc.segments))
    with _lock:
        pool = _pools.setdefault(directory, _Pool())
        stale = []
        if pool.signature != signature:
            stale, pool.idle, pool.signature = pool.idle, [], signature
            live = {segment.segment_id() for segment in toc.segments}
            for segment_id in [segment_id for segment_id in _columns_by_segment if segment_id not in live]:
                del _columns_by_segment[segment_id]
        opened = pool.idle.pop() if pool.idle else None
    for old in stale:
        old.close()
    if opened is None:
        index = FileIndex(storage)
        if index.schema.names() != schema.names() or not all(
                isinstance(segment.codec(), ArrayCodec) for segment in toc.segments):
            raise RuntimeError(f"The search index in {directory} has an older layout: run `flask search reindex`.")
        opened = index.searcher()
    try:
        yield opened
    finally:
        with _lock:
            if pool.signature == signature:
                pool.idle.append(opened)
                opened = None
        if opened is not None:
            opened.close()


PREFIX_TERMS = 200  # a single-syllable word matches at most this many indexed words starting with it
MAX_UNITS = 16


def rank(whoosh_searcher, plan: QueryPlan, *, types: set[str] | None, hidden_visible_to: int | None,
         all_hidden_visible: bool) -> Ranked:
    """Documents the viewer may see holding every unit of the query plan (in the title or the body);
    when none holds them all, those holding any, the most first (`Ranked.complete` is then False).

    Their order (`Ranked.best`): how many units they hold, how many of those as whole words (not a
    single syllable inside another word), how many the title holds, then BM25 over title (boosted)
    and body, then the newest document first."""
    units = plan.units[:MAX_UNITS]
    doc_count = whoosh_searcher.doc_count_all() if whoosh_searcher is not None else 0
    if not units or not doc_count:
        return _ranked([], True)
    segments = list(whoosh_searcher.reader().leaf_readers())
    columns = [_columns(reader) for reader, _ in segments]
    average = {f: max(1.0, sum(float(c.lengths[f].sum()) for c in columns) / doc_count) for f in FIELDS}

    def frequency(term: str) -> int:
        return sum(whoosh_searcher.doc_frequency(f, term) for f in FIELDS)

    def idf(df: int) -> float:
        return math.log(doc_count / (df + 1)) + 1

    unit_df = []
    for unit in units:
        df = frequency(unit.form)
        if unit.bigrams:
            df = max(df, min(frequency(b) for b in unit.bigrams))
        unit_df.append(doc_count if unit.single_syllable and not df else df)
    context = _Context(whoosh_searcher, units, plan.extra, [idf(df) for df in unit_df], average,
                       {term: idf(frequency(term)) for term in plan.extra})
    rarest_first = sorted(range(len(units)), key=lambda i: unit_df[i])
    parts = [part for (reader, offset), segment in zip(segments, columns)
             if (part := context.every_unit(reader, offset, segment, rarest_first, types, hidden_visible_to,
                                            all_hidden_visible)) is not None]
    if parts or len(units) == 1:
        return _ranked(parts, True)
    parts = [part for (reader, offset), segment in zip(segments, columns)
             if (part := context.any_unit(reader, offset, segment, types, hidden_visible_to,
                                          all_hidden_visible)) is not None]
    return _ranked(parts, False)


@dataclass
class _UnitMatch:
    tf: dict[str, np.ndarray]  # field -> the unit's frequency in each document of the segment (0: absent)
    whole: np.ndarray  # bool per document: held as a word, not only inside another word


@dataclass
class _Context:
    searcher: object
    units: list
    extra: list[str]
    unit_idf: list[float]
    average: dict[str, float]
    extra_idf: dict[str, float]

    def every_unit(self, reader, offset, segment, order, types, hidden_visible_to, all_hidden_visible):
        matched = _allowed(reader, segment, types, hidden_visible_to, all_hidden_visible)
        matches: dict[int, _UnitMatch] = {}
        for index in order:  # the rarest units narrow the candidates whose blocks the others read
            if not matched.any():
                return None
            match = _unit_match(reader, segment, self.units[index], np.flatnonzero(matched))
            matches[index] = match
            matched &= (match.tf["title"] > 0) | (match.tf["body"] > 0)
        docs = np.flatnonzero(matched)
        return self._part(reader, offset, segment, docs, matches) if docs.size else None

    def any_unit(self, reader, offset, segment, types, hidden_visible_to, all_hidden_visible):
        allowed = _allowed(reader, segment, types, hidden_visible_to, all_hidden_visible)
        within = np.flatnonzero(allowed)
        if not within.size:
            return None
        matches = {index: _unit_match(reader, segment, unit, within) for index, unit in enumerate(self.units)}
        held = np.zeros(segment.ids.size, bool)
        for match in matches.values():
            held |= (match.tf["title"] > 0) | (match.tf["body"] > 0)
        docs = np.flatnonzero(held & allowed)
        return self._part(reader, offset, segment, docs, matches) if docs.size else None

    def _part(self, reader, offset, segment, docs, matches):
        count = np.zeros(docs.size, np.int32)
        whole = np.zeros(docs.size, np.int32)
        in_title = np.zeros(docs.size, np.int32)
        units_held = np.zeros(docs.size, np.int64)  # bit i: the document holds unit i
        score = np.zeros(docs.size, np.float64)
        for index, match in matches.items():
            title, body = match.tf["title"][docs], match.tf["body"][docs]
            held = (title > 0) | (body > 0)
            count += held
            whole += held & match.whole[docs]
            in_title += title > 0
            units_held |= held.astype(np.int64) << index
            weight = np.where(match.whole[docs], 1.0, 0.5)
            for field, tf in (("title", title), ("body", body)):
                score += weight * self._bm25(self.unit_idf[index], tf, segment, field, docs)
        for term in self.extra:
            for field in FIELDS:
                tf = _frequencies(reader, segment, field, term, docs)[docs]
                if field == "title":
                    in_title += tf > 0
                score += self._bm25(self.extra_idf[term], tf, segment, field, docs)
        return docs + offset, segment.ids[docs], segment.types[docs], count, whole, in_title, score, units_held

    def _bm25(self, idf, tf, segment, field, docs):
        norm = K1 * ((1 - B) + B * segment.lengths[field][docs] / self.average[field])
        return idf * tf * (K1 + 1) / (tf + norm) * (TITLE_BOOST if field == "title" else 1.0)


def _unit_match(reader, segment, unit, within) -> _UnitMatch:
    """Where ``unit`` is in the segment: the morpheme itself, or every one of its bigrams, or (a single
    syllable) a word starting with it."""
    tf, whole = {}, np.zeros(segment.ids.size, bool)
    for field in FIELDS:
        frequencies = _frequencies(reader, segment, field, unit.form, within)
        if unit.bigrams:
            of_bigrams = np.min([_frequencies(reader, segment, field, b, within) for b in unit.bigrams], axis=0)
            frequencies = np.maximum(frequencies, of_bigrams)
        whole |= frequencies > 0
        if unit.single_syllable:
            prefix = np.zeros(segment.ids.size, np.float32)
            for term in itertools.islice(reader.expand_prefix(field, unit.form), PREFIX_TERMS):
                prefix += _frequencies(reader, segment, field, term, within)
            frequencies = np.where(frequencies > 0, frequencies, prefix)
        tf[field] = frequencies
    return _UnitMatch(tf, whole)


def _ranked(parts, complete: bool) -> Ranked:
    if not parts:
        return Ranked(_NO_IDS, _NO_IDS, np.zeros(0, np.int16), np.zeros(0), list(_type_names), complete,
                      np.zeros(0, np.int64))
    docnums, ids, type_codes, count, whole, in_title, score, units_held = (np.concatenate(c) for c in zip(*parts))
    tier = (count * 32 + whole) * 64 + np.minimum(in_title, 63)  # units held, as whole words, in the title
    relevance = tier * (score.max() + 1) + score
    return Ranked(docnums, ids, type_codes, relevance, list(_type_names), complete, units_held)


def _frequencies(reader, segment: _SegmentColumns, field: str, term: str, within: np.ndarray) -> np.ndarray:
    ids, weights = _postings(reader, field, term, within)
    in_segment = np.zeros(segment.ids.size, np.float32)
    in_segment[ids] = weights
    return in_segment


def _allowed(reader, segment: _SegmentColumns, types, hidden_visible_to, all_hidden_visible) -> np.ndarray:
    """A mask over the segment's documents: not deleted, of the wanted types, and not hidden from the viewer."""
    matched = np.ones(segment.ids.size, bool)
    if reader.has_deletions():
        matched[np.fromiter(reader.segment().deleted_docs(), np.int64)] = False
    if types is not None:
        matched &= np.isin(segment.types, [_type_code(name) for name in types])
    if not all_hidden_visible:
        hidden = _postings(reader, "hidden", reader.schema["hidden"].to_bytes(True))[0]
        if hidden_visible_to is not None:
            owned = _postings(reader, "owner_id", reader.schema["owner_id"].to_bytes(hidden_visible_to))[0]
            hidden = np.setdiff1d(hidden, owned, assume_unique=True)
        matched[hidden] = False
    return matched


def _columns(reader) -> _SegmentColumns:
    key = reader.segment().segment_id()
    cached = _columns_by_segment.get(key)
    if cached is None:
        size = reader.doc_count_all()
        types = np.zeros(size, np.int16)
        for name in reader.lexicon("type"):
            types[_postings(reader, "type", name)[0]] = _type_code(name.decode())
        cached = _SegmentColumns(
            types=types, ids=_column_array(reader, "id", size, np.int64),
            lengths={field: _column_array(reader, f"{field}_len", size, np.float32) for field in FIELDS})
        _columns_by_segment[key] = cached
    return cached


# Whoosh W3 codec internals ----------------------------------------------------------------------

def _postings(reader, field: str, term, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ascending document numbers holding ``term`` in ``field``, and the term's weight in each.

    With ``within`` (ascending candidate document numbers), blocks that hold no candidate are skipped
    without being decoded; their postings are left out.

    The W3 layout of a posting list: a magic tag, then blocks of a big-endian int length (negative
    for the last block), a pickled info tuple, and the pickled, maybe zlib-compressed, (ids,
    weights, values) tuple, whose ids and weights `ArrayPostingsWriter` writes as raw arrays. The
    whole list is read at once: Whoosh's matcher reads each block's header with many small reads."""
    try:
        matcher = reader.postings(field, term)
    except TermNotFound:
        return _NO_IDS, _NO_WEIGHTS
    if not isinstance(matcher, ArrayLeafMatcher):  # a posting list short enough to be inlined in the term info
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, np.uint32), np.array(weights, np.float32)
    length = matcher._length  # W3TermInfo.from_bytes leaves it as struct.unpack's 1-tuple
    raw = matcher._postfile.get(matcher._startoffset, length[0] if isinstance(length, tuple) else length)
    stream = io.BytesIO(raw)
    stream.seek(len(WHOOSH3_HEADER_MAGIC))
    ids, weights, last, first_id = [], [], False, 0
    while not last:
        (length,) = _BLOCK_LENGTH.unpack(stream.read(_BLOCK_LENGTH.size))
        last, end = length < 0, stream.tell() + abs(length)
        _, last_id, _, compression, _, _ = pickle.load(stream)
        if within is not None:
            next_candidate = within.searchsorted(first_id)
            skip = next_candidate == within.size or within[next_candidate] > last_id
        first_id = last_id + 1
        if within is not None and skip:
            stream.seek(end)
            continue
        data = raw[stream.tell():end]
        block_ids, block_weights, _ = pickle.loads(zlib.decompress(data) if compression else data)
        ids.append(np.frombuffer(block_ids, np.uint32))
        weights.append(np.frombuffer(block_weights, np.float32))
        stream.seek(end)
    if not ids:
        return _NO_IDS, _NO_WEIGHTS
    return np.concatenate(ids), np.concatenate(weights)


def _column_array(reader, field: str, size: int, dtype) -> np.ndarray:
    """A numeric column as one array (Whoosh would read it one document at a time)."""
    values = np.zeros(size, dtype)
    if not reader.has_column(field):
        return values
    column = reader.column_reader(field, translate=False)  # NumericColumn.Reader: big-endian fixed-size values
    stored = np.frombuffer(column._dbfile.get(column._basepos, column._count * column._fixedlen),
                           dtype=">" + column._typecode)
    values[:stored.size] = stored
    return values
