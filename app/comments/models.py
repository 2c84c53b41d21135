"""Threaded comments that any domain can attach to its objects (by target type and id)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import utcnow
from app.extensions import db
from app.moderation.models import ModeratedMixin
from app.sql import value_enum

MAX_DEPTH = 2  # depth 0 (top level), 1 and 2: threads three levels deep


class Stance(LabelledEnum):
    FOR_ = "for", _l("For")
    NEUTRAL = "neutral", _l("Neutral")
    AGAINST = "against", _l("Against")


class Comment(ModeratedMixin, db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_thread", "target_type", "target_id", "parent_id", "id"),
        Index("ix_comments_root", "root_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # The top-level comment of the thread (None for a top-level comment): loads a page's replies in one query.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[Stance | None] = mapped_column(
        value_enum(Stance)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User] = relationship()

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def can_have_replies(self) -> bool:
        return self.depth < MAX_DEPTH
