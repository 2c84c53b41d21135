"""What a resident follows beyond single items: a field (분야), a topic (주제) or a district (읍·면·동)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.proposals.models import Field, Topic
from app.sql import value_enum


class InterestKind(LabelledEnum):
    FIELD = "field", _l("Field")
    TOPIC = "topic", _l("Topic")
    DISTRICT = "district", _l("District")


class Interest(db.Model):
    """One thing a resident follows. Exactly one of field, topic or district is set, matching ``kind``;
    a resident follows each thing once (one unique index per kind; NULLs never collide)."""

    __tablename__ = "interests"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'field' AND field_id IS NOT NULL AND topic_id IS NULL AND district IS NULL)"
            " OR (kind = 'topic' AND topic_id IS NOT NULL AND field_id IS NULL AND district IS NULL)"
            " OR (kind = 'district' AND district IS NOT NULL AND field_id IS NULL AND topic_id IS NULL)",
            name="one_target"),
        Index("uq_interests_user_field", "user_id", "field_id", unique=True),
        Index("uq_interests_user_topic", "user_id", "topic_id", unique=True),
        Index("uq_interests_user_district", "user_id", "district", unique=True),
        # The fan-out reads "who follows this field / topic / district": one index each.
        Index("ix_interests_field", "field_id", "user_id"),
        Index("ix_interests_topic", "topic_id", "user_id"),
        Index("ix_interests_district", "district", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[InterestKind] = mapped_column(value_enum(InterestKind))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_fields.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_topics.id", ondelete="CASCADE"))
    district: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    field: Mapped[Field | None] = relationship(lazy="joined")
    topic: Mapped[Topic | None] = relationship(lazy="joined")

    @property
    def key(self) -> str:
        """The stable name used by pages and the API: the field or topic slug, or the district code."""
        if self.kind is InterestKind.FIELD and self.field is not None:
            return self.field.slug
        if self.kind is InterestKind.TOPIC and self.topic is not None:
            return self.topic.slug
        return self.district or ""
