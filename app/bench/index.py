"""The search index for the bench data, built with progress and timings.

Only public functions of `app.search` are used, so the bench indexes exactly as `flask search
reindex` does, on the configured backend. Every source is indexed in full, comments too unless
``comment_limit`` keeps only the newest (for quick trials); the output then says how many were left out.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from sqlalchemy import func, select

from app import search
from app.comments.hooks import preload_targets
from app.comments.models import Comment
from app.comments.registry import comment_target
from app.comments.services import comment_document
from app.extensions import db


def newest_comment_documents(limit: int | None) -> Iterator[search.SearchDocument]:
    """The newest ``limit`` live comments (all of them if None), oldest first as `flask search reindex`
    writes them, each chunk's targets loaded with one query per type."""
    newest = (select(Comment.id).where(Comment.deleted_at.is_(None)).order_by(Comment.id.desc())
              .limit(limit).subquery())
    query = (select(Comment).join(newest, newest.c.id == Comment.id).order_by(Comment.id)
             .execution_options(yield_per=2000))
    for chunk in db.session.scalars(query).partitions():
        _loaded = preload_targets(chunk)  # kept alive for the identity map while the chunk is indexed
        for comment in chunk:
            target = comment_target(comment.target_type)
            obj = target.load(comment.target_id) if target else None
            if obj is not None:
                yield comment_document(comment, target, obj, bool(getattr(obj, "hidden", False)))


def build_bench_index(comment_limit: int | None, echo: Callable[[str], None] = print, procs: int = 1) -> int:
    """Rebuild the whole search index (on the configured backend) through `search.reindex`: every
    source in full, comments up to ``comment_limit`` (the newest). Returns the number of documents."""
    started = time.perf_counter()
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if before // 50_000 != done // 50_000:
            elapsed = time.perf_counter() - started
            echo(f"  indexed {done:,} documents in {elapsed:.0f} s ({done / elapsed:.0f}/s)")

    total = search.reindex(progress=progress, procs=procs,
                           sources={"comment": lambda: newest_comment_documents(comment_limit)})
    elapsed = time.perf_counter() - started
    echo(f"  {search.backend()} search: {total:,} documents indexed in {elapsed:.1f} s ({total / elapsed:.0f}/s)")
    if search.postgres.last_reindex:
        steps = search.postgres.last_reindex.items()
        echo("  of which " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps))
    total_comments = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.deleted_at.is_(None)))
    if comment_limit is not None and comment_limit < total_comments:
        echo(f"  NOTE: {comment_limit:,} of {total_comments:,} comments are in the search index "
             f"(the newest); `flask search reindex` indexes all of them.")
    return total
