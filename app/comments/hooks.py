"""Comments as search documents and moderation targets; declared in `app.comments.register`."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from app.comments import services
from app.comments.models import Comment
from app.comments.registry import comment_target
from app.extensions import db


def comment_documents():
    """Every live comment, oldest first, read in chunks; each chunk's targets are loaded with one query per
    type. Oldest first: on PostgreSQL a reindex writes rows in this order, and the newest rows must be the
    newest comments (a word too common to rank is ranked among its newest matches)."""
    query = (select(Comment).where(Comment.deleted_at.is_(None))
             .order_by(Comment.id).execution_options(yield_per=1000))
    for chunk in db.session.scalars(query).partitions():
        _loaded = preload_targets(chunk)  # kept alive for the identity map while the chunk is indexed
        for comment in chunk:
            target = comment_target(comment.target_type)
            obj = target.load(comment.target_id) if target else None
            if obj is not None:
                yield services.comment_document(comment, target, obj, bool(getattr(obj, "hidden", False)))


def count_comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(Comment.deleted_at.is_(None)))


def visible_to(user, comment: Comment) -> bool:
    target = comment_target(comment.target_type)
    obj = target.load(comment.target_id) if target else None
    return (obj is not None and target.can_view(user, obj) and not comment.deleted
            and services.visible_comment(comment, user))


def reindex(comment: Comment) -> None:
    target = comment_target(comment.target_type)
    obj = target.load(comment.target_id) if target else None
    if obj is not None:
        services.index_comment(comment, target, obj)


def preload_targets(comments: Sequence[Comment]) -> list:
    """Every comment's target, loaded into the session with one query per target type."""
    ids_by_type: dict[str, set[int]] = {}
    for comment in comments:
        ids_by_type.setdefault(comment.target_type, set()).add(comment.target_id)
    loaded: list = []
    for target_type, ids in ids_by_type.items():
        target = comment_target(target_type)
        if target is not None and target.model is not None:
            loaded.extend(db.session.scalars(select(target.model).where(target.model.id.in_(ids))))
    return loaded

