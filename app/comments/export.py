"""Comments' section of the resident's data export."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.comments.models import Comment
from app.extensions import db


def _comments(user) -> list[dict]:
    rows = db.session.scalars(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    return [{"id": c.id, "on": c.target_type, "on_id": c.target_id, "parent_id": c.parent_id, "body": c.body,
             "stance": c.stance.value if c.stance else None, "created_at": iso(c.created_at),
             "edited_at": iso(c.edited_at), "deleted_at": iso(c.deleted_at)} for c in rows]


def register() -> None:
    register_export("comments_written", _comments)
