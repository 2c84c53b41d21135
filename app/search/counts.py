"""How many results of each type a search has (the tabs of the search page and ``counts`` in the API).

Kept apart from `app.search`'s query functions: it only reads what they write, through the same
query plan and visibility rules, so the counts agree with what `search` shows for each type."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from flask import current_app

from app.extensions import db
from app.search import SCHEMA, SearchResult, _index_dir, _viewer_filter, analysis, backend, postgres, ranking, search

CAP = 1000  # a type with more matches than this is shown as "1,000+"
_beside: dict[int, ThreadPoolExecutor] = {}  # per process: a forked worker starts its own threads


def search_and_count(query: str, types: list[str], *, viewer=None, chosen: str | None = None, page: int = 1,
                     per_page: int = 20) -> tuple[SearchResult, dict[str, int]]:
    """`search` (of the ``chosen`` type, or of all) and `count_by_type` of ``types`` for one query.

    On PostgreSQL the counts run beside the search, in a thread with a connection of its own, so the page
    waits for the slower of the two statements instead of both in turn (at a million documents each takes
    10-30 ms of the database's CPU). They read only committed rows, as a search page always does."""
    plan = analysis.plan(query)
    if backend() != "postgresql" or not plan.units or not types:
        return (search(query, viewer=viewer, types=[chosen] if chosen else None, page=page, per_page=per_page),
                count_by_type(query, types, viewer=viewer))
    allowed = _viewer_filter(viewer)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    counts = _threads().submit(_counts_in_own_session, app, plan, types,
                               allowed["viewer_id"], allowed["all_hidden_visible"])
    try:
        result = search(query, viewer=viewer, types=[chosen] if chosen else None, page=page, per_page=per_page)
    finally:
        by_type = counts.result()  # also when the search failed: the thread's connection is back in the pool
    return result, {**dict.fromkeys(types, 0), **by_type}


def _threads() -> ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _beside:
        _beside.clear()
        _beside[pid] = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-counts")
    return _beside[pid]


def _counts_in_own_session(app, plan, types, viewer_id, all_hidden_visible) -> dict[str, int]:
    with app.app_context():  # its own scoped session, hence its own connection; removed when the context ends
        return _postgres_counts(plan, types, viewer_id, all_hidden_visible)


def count_by_type(query: str, types: list[str], *, viewer=None) -> dict[str, int]:
    """{type: number of documents of that type the viewer may see that hold every word of ``query``,
    or, when no document holds them all, any of them}; each count stops at ``CAP`` + 1.
    One SQL statement on PostgreSQL, none on Whoosh."""
    plan = analysis.plan(query)
    counts = dict.fromkeys(types, 0)
    if not plan.units or not types:
        return counts
    allowed = _viewer_filter(viewer)
    if backend() == "postgresql":
        counts.update(_postgres_counts(plan, types, allowed["viewer_id"], allowed["all_hidden_visible"]))
        return counts
    with ranking.searcher(_index_dir(), SCHEMA) as searcher:
        ranked = ranking.rank(searcher, plan, types=set(types), hidden_visible_to=allowed["viewer_id"],
                              all_hidden_visible=allowed["all_hidden_visible"])
    codes, numbers = np.unique(ranked.type_codes, return_counts=True)  # arrays: a million matches cost no loop
    for code, number in zip(codes.tolist(), numbers.tolist(), strict=True):
        counts[ranked.types[code]] = min(number, CAP + 1)
    return counts


def _postgres_counts(plan: analysis.QueryPlan, types: list[str], viewer_id, all_hidden_visible) -> dict[str, int]:
    # Per type, capped, so a very common word costs at most CAP rows a type; the words' fallback
    # (any of them) applies, as in `search`, only when no visible document holds them all.
    return postgres.count_by_type(db.session, plan, list(types), viewer_id=viewer_id,
                                  all_hidden_visible=all_hidden_visible, cap=CAP)
