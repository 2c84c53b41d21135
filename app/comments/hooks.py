"""Comments as search documents, moderation targets and notification senders."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import search
from app.comments import services
from app.comments.models import Comment
from app.comments.registry import comment_target
from app.extensions import db
from app.moderation.registry import register_moderation_target
from app.notifications import kinds
from app.text import plain_text


def _comment_documents():
    """Every live comment, read in chunks; each chunk's targets are loaded with one query per type."""
    query = (select(Comment).where(Comment.deleted_at.is_(None))
             .order_by(Comment.target_type, Comment.target_id, Comment.id).execution_options(yield_per=1000))
    for chunk in db.session.scalars(query).partitions():
        loaded = _preload_targets(chunk)  # kept alive for the identity map while the chunk is indexed
        for comment in chunk:
            target = comment_target(comment.target_type)
            obj = target.load(comment.target_id) if target else None
            if obj is not None:
                yield services.comment_document(comment, target, obj, bool(getattr(obj, "hidden", False)))


def _count_comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(Comment.deleted_at.is_(None)))


def _visible_to(user, comment: Comment) -> bool:
    target = comment_target(comment.target_type)
    obj = target.load(comment.target_id) if target else None
    return (obj is not None and target.can_view(user, obj) and not comment.deleted
            and services.visible_comment(comment, user))


def _reindex(comment: Comment) -> None:
    target = comment_target(comment.target_type)
    obj = target.load(comment.target_id) if target else None
    if obj is not None:
        services.index_comment(comment, target, obj)


def _preload_targets(comments: list[Comment]) -> list:
    """Every comment's target, loaded into the session with one query per target type."""
    ids_by_type: dict[str, set[int]] = {}
    for comment in comments:
        ids_by_type.setdefault(comment.target_type, set()).add(comment.target_id)
    loaded = []
    for target_type, ids in ids_by_type.items():
        target = comment_target(target_type)
        if target is not None and target.model is not None:
            loaded.extend(db.session.scalars(select(target.model).where(target.model.id.in_(ids))))
    return loaded


def register() -> None:
    search.register_source("comment", _comment_documents, _count_comments)
    register_moderation_target("comment", model=Comment, title=lambda c: plain_text(c.body)[:80],
                               url=services.comment_url, visible_to=_visible_to, after_change=_reindex,
                               preload=_preload_targets)
    kinds.register("comment_reply", _l("%(name)s replied to your comment on “%(title)s”."))
