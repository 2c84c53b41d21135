"""Adding, editing, deleting and paging comments. Services flush; callers commit."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import search
from app.comments.models import MAX_DEPTH, Comment, Stance
from app.comments.registry import CommentTarget, comment_target
from app.core import DomainError, NotAllowed, utcnow
from app.extensions import db
from app.notifications.services import notify
from app.text import plain_text

COMMENTS_PER_PAGE = 20


def _target_or_error(target_type: str) -> CommentTarget:
    target = comment_target(target_type)
    if target is None:
        raise DomainError(_l("Comments are not possible here."), status=404)
    return target


def add_comment(author, target_type: str, obj, body: str, *, parent_id: int | None = None,
                stance: Stance | None = None) -> Comment:
    target = _target_or_error(target_type)
    if not target.can_comment(author, obj):
        raise NotAllowed(_l("You may not comment here."))
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.target_type != target_type or parent.target_id != obj.id:
            raise DomainError(_l("The comment you are replying to does not exist."), field="parent_id", status=422)
        if parent.depth >= MAX_DEPTH:
            raise DomainError(_l("Replies go at most three levels deep. Reply to an earlier comment instead."),
                              field="parent_id", status=422)
        if parent.deleted or parent.hidden:
            raise DomainError(_l("You cannot reply to a deleted or hidden comment."), field="parent_id", status=422)
        if stance is not None:
            raise DomainError(_l("Only a top-level comment can take a stance."), field="stance", status=422)
    comment = Comment(
        target_type=target_type, target_id=obj.id, parent_id=parent.id if parent else None,
        root_id=(parent.root_id or parent.id) if parent else None, depth=parent.depth + 1 if parent else 0,
        author_id=author.id, body=body.strip(), stance=stance, created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    if target.count_changed:
        target.count_changed(obj, 1)
    if parent is not None and parent.author_id != author.id:
        notify([parent.author_id], "comment_reply", _comment_url(target, obj, comment),
               name=author.display_name, title=target.title(obj))
    if target.after_comment:
        target.after_comment(obj, comment, author)
    index_comment(comment, target, obj)
    return comment


def edit_comment(editor, comment: Comment, body: str) -> None:
    if comment.author_id != editor.id:
        raise NotAllowed(_l("Only the author can edit this comment."))
    if comment.deleted:
        raise DomainError(_l("A deleted comment cannot be edited."))
    comment.body = body.strip()
    comment.edited_at = utcnow()
    db.session.flush()
    target = _target_or_error(comment.target_type)
    obj = target.load(comment.target_id)
    if obj is not None:
        index_comment(comment, target, obj)


def delete_comment(actor, comment: Comment) -> None:
    """Soft delete: the thread keeps a "deleted comment" placeholder, the text is gone."""
    if comment.author_id != actor.id:
        raise NotAllowed(_l("Only the author can delete this comment."))
    if comment.deleted:
        raise DomainError(_l("This comment is already deleted."))
    comment.deleted_at = utcnow()
    comment.body = ""
    comment.stance = None
    db.session.flush()
    target = _target_or_error(comment.target_type)
    obj = target.load(comment.target_id)
    if obj is not None and target.count_changed:
        target.count_changed(obj, -1)
    search.remove_from_index("comment", comment.id)


def _comment_url(target: CommentTarget, obj, comment: Comment) -> str:
    return f"{target.url(obj)}#comment-{comment.id}"


def comment_url(comment: Comment) -> str:
    target = _target_or_error(comment.target_type)
    obj = target.load(comment.target_id)
    return _comment_url(target, obj, comment) if obj is not None else ""


def comment_document(comment: Comment, target: CommentTarget, obj, target_hidden: bool = False):
    return search.SearchDocument(
        type="comment", id=comment.id, title=target.title(obj), body=plain_text(comment.body),
        url=_comment_url(target, obj, comment), hidden=comment.hidden or target_hidden, owner_id=comment.author_id,
    )


def index_comment(comment: Comment, target: CommentTarget, obj) -> None:
    if comment.deleted:
        search.remove_from_index("comment", comment.id)
    else:
        search.add_to_index(comment_document(comment, target, obj, bool(getattr(obj, "hidden", False))))


def visible_comment(comment: Comment, viewer) -> bool:
    """Hidden comments show only to their author and staff (others see a placeholder)."""
    if not comment.hidden:
        return True
    return viewer is not None and getattr(viewer, "is_authenticated", False) and (
        viewer.id == comment.author_id or viewer.is_staff)


@dataclass
class CommentPage:
    """Top-level comments after a keyset cursor, with every reply to them."""

    target_type: str
    target_id: int
    comments: list[Comment]
    replies: dict[int, list[Comment]]  # parent id -> replies, oldest first
    next_after: int | None  # the cursor for the "more" link, None on the last page
    after: int | None = None


def comment_page(target_type: str, target_id: int, *, after: int | None = None,
                 per_page: int = COMMENTS_PER_PAGE) -> CommentPage:
    """Two queries whatever the thread's size: one page of top-level comments, then their replies."""
    query = (select(Comment).options(joinedload(Comment.author, innerjoin=True))
             .where(Comment.target_type == target_type, Comment.target_id == target_id,
                    Comment.parent_id.is_(None)).order_by(Comment.id).limit(per_page + 1))
    if after:
        query = query.where(Comment.id > after)
    top = list(db.session.scalars(query))
    next_after = top[per_page - 1].id if len(top) > per_page else None
    top = top[:per_page]
    replies: dict[int, list[Comment]] = {}
    if top:
        for reply in db.session.scalars(select(Comment).options(joinedload(Comment.author, innerjoin=True))
                                        .where(Comment.root_id.in_([c.id for c in top])).order_by(Comment.id)):
            replies.setdefault(reply.parent_id, []).append(reply)
    return CommentPage(target_type, target_id, top, replies, next_after, after)
