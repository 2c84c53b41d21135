"""The search index for the bench data, built with progress and timings.

Whoosh is pure Python: with one writer process per core it indexes about 2,500 documents a second
on this project's 2-core machine, so 1.1 million documents take about ten minutes. Every source is
indexed in full, comments too unless ``comment_limit`` keeps only the newest (for quick trials); the
output then says how many were left out.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from flask import current_app
from sqlalchemy import func, select
from whoosh import index as whoosh_index

from app import search
from app.comments.models import Comment
from app.comments.registry import comment_target
from app.comments.services import comment_document
from app.extensions import db


def newest_comment_documents(limit: int | None) -> Iterator[search.SearchDocument]:
    """The newest ``limit`` live comments (all of them if None), grouped by target so that each target
    is loaded once."""
    newest = (select(Comment.id).where(Comment.deleted_at.is_(None)).order_by(Comment.id.desc())
              .limit(limit).subquery())
    query = (select(Comment).join(newest, newest.c.id == Comment.id)
             .order_by(Comment.target_type, Comment.target_id, Comment.id).execution_options(yield_per=2000))
    current_key, current = None, None
    for comment in db.session.scalars(query):
        key = (comment.target_type, comment.target_id)
        if key != current_key:
            target = comment_target(comment.target_type)
            current_key, current = key, (target, target.load(comment.target_id) if target else None)
        target, obj = current
        if obj is not None:
            yield comment_document(comment, target, obj, bool(getattr(obj, "hidden", False)))


def build_bench_index(comment_limit: int | None, echo: Callable[[str], None] = print, procs: int = 1) -> dict[str, int]:
    """Rebuild the whole index: every source in full, comments up to ``comment_limit`` (the newest)."""
    search.clear_index()
    ix = whoosh_index.open_dir(current_app.config["SEARCH_INDEX_DIR"])
    writer = search.index_writer(ix, limitmb=256, procs=procs, multisegment=procs > 1)
    counts: dict[str, int] = {}
    started = time.perf_counter()
    try:
        # search.reindex() would index every comment; the sources registry is reused so nothing else is missed.
        for doc_type, (documents, _) in search._SOURCES.items():
            source = newest_comment_documents(comment_limit) if doc_type == "comment" else documents()
            type_started, count = time.perf_counter(), 0
            for document in source:
                writer.add_document(**search._fields(document))
                count += 1
                if count % 10_000 == 0:
                    elapsed = time.perf_counter() - type_started
                    echo(f"  indexing {doc_type}: {count:,} in {elapsed:.0f} s ({count / elapsed:.0f}/s)")
            counts[doc_type] = count
            echo(f"  indexed {count:,} {doc_type} documents in {time.perf_counter() - type_started:.1f} s")
        commit_started = time.perf_counter()
        writer.commit()
        echo(f"  index commit (merging postings) took {time.perf_counter() - commit_started:.1f} s; "
             f"total {time.perf_counter() - started:.1f} s")
    except BaseException:
        writer.cancel()
        raise
    total_comments = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.deleted_at.is_(None)))
    if counts.get("comment", 0) < total_comments:
        echo(f"  NOTE: {counts.get('comment', 0):,} of {total_comments:,} comments are in the search index "
             f"(the newest); `flask search reindex` indexes all of them, at Whoosh's speed.")
    return counts
