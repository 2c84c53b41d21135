"""How many results of each type a search has (the tabs of the search page and ``counts`` in the API).

Kept apart from `app.search`'s query functions: it only reads what they write, through the same
query plan and visibility rules, so the counts agree with what `search` shows for each type."""
from __future__ import annotations

import numpy as np
from app.extensions import db
from app.search import SCHEMA, _index_dir, _viewer_filter, analysis, backend, postgres, ranking

CAP = 1000  # a type with more matches than this is shown as "1,000+"


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
