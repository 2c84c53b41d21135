"""Fields, topics, proposals, supports, follows, official answers and the thresholds settings row."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum
from app.moderation.models import ModeratedMixin



class BilingualName:
    name_ko: Mapped[str]
    name_en: Mapped[str]

    @property
    def name(self) -> str:
        return self.name_en if str(get_locale()) == "en" else self.name_ko


def by_display_name(items):
    """Fields or topics in the order of the name the reader sees (Hangul code points are in 가나다 order;
    English ignores case), never by slug: "주차" sorts under ㅈ on the Korean site, "Parking" under P."""
    return sorted(items, key=lambda item: (item.name.casefold(), item.id or 0))


class Field(BilingualName, db.Model):
    """분야: an admin-managed category. Names are data, not messages."""

    __tablename__ = "proposal_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_ko: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Topic(BilingualName, db.Model):
    """주제: an admin-managed tag; a proposal has up to five."""

    __tablename__ = "proposal_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_ko: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))


proposal_topic_links = Table(
    "proposal_topic_links",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("proposal_topics.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_proposal_topic_links_topic", "topic_id", "proposal_id"),
)


class ProposalStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    FORUM = "forum", _l("Open forum")
    UNDER_REVIEW = "under_review", _l("Under review")
    ADOPTED = "adopted", _l("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _l("Partly adopted")
    NOT_ADOPTED = "not_adopted", _l("Not adopted")
    DONE = "done", _l("Done")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class AnswerStatus(enum.Enum):
    UNDER_REVIEW = "under_review"
    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly_adopted"
    NOT_ADOPTED = "not_adopted"
    DONE = "done"

    @property
    def label(self):
        return ProposalStatus(self.value).label


class Proposal(ModeratedMixin, db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        # Every list filter (field, status, district, topic via its link table) and sort (latest, supports,
        # comments) has an index; "hidden" comes early so counting visible proposals reads only the index.
        Index("ix_proposals_latest", "hidden", "created_at", "id"),
        Index("ix_proposals_supports", "hidden", "support_count", "id"),
        Index("ix_proposals_comments", "hidden", "comment_count", "id"),
        Index("ix_proposals_field_latest", "field_id", "hidden", "created_at", "id"),
        Index("ix_proposals_field_supports", "field_id", "hidden", "support_count", "id"),
        Index("ix_proposals_field_comments", "field_id", "hidden", "comment_count", "id"),
        Index("ix_proposals_status_latest", "status", "hidden", "created_at", "id"),
        Index("ix_proposals_status_supports", "status", "hidden", "support_count", "id"),
        Index("ix_proposals_district_latest", "district", "hidden", "created_at", "id"),
        # Staff lists have no "hidden" condition: the latest-first list needs an index of its own.
        Index("ix_proposals_created", "created_at", "id"),
        Index("ix_proposals_answered", "hidden", "answered_at"),
        Index("ix_proposals_answer_due", "answer_due_at"),
        Index("ix_proposals_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    field_id: Mapped[int] = mapped_column(ForeignKey("proposal_fields.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ProposalStatus] = mapped_column(value_enum(ProposalStatus), default=ProposalStatus.OPEN)
    district: Mapped[str | None] = mapped_column(String(40))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # Denormalized counters, changed only by SQL increments in the same transaction as the row they count.
    support_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    forum_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    field: Mapped[Field] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    topics: Mapped[list[Topic]] = relationship(secondary=proposal_topic_links, lazy="selectin",
                                               order_by=Topic.slug)
    answer: Mapped["OfficialAnswer | None"] = relationship(back_populates="proposal", uselist=False,
                                                           lazy="noload")

    @property
    def answered(self) -> bool:
        """A final answer was given ("under review" is not one): the "answered" mark, filter and counts."""
        return self.answered_at is not None

    @property
    def topics_by_name(self) -> list[Topic]:
        return by_display_name(self.topics)

    @property
    def withdrawn(self) -> bool:
        return self.status is ProposalStatus.WITHDRAWN

    @property
    def editable(self) -> bool:
        return not self.withdrawn and self.support_count == 0 and self.comment_count == 0

    def ensure_editable(self) -> None:
        if self.withdrawn:
            raise DomainError(_l("A withdrawn proposal cannot be changed."))
        if self.support_count or self.comment_count:
            raise DomainError(_l("This proposal can no longer be edited: it already has supports or comments."))

    def withdraw(self) -> None:
        if self.status not in (ProposalStatus.OPEN, ProposalStatus.FORUM):
            raise DomainError(_l("Only a proposal that has no official answer yet can be withdrawn."))
        self.status = ProposalStatus.WITHDRAWN
        self.withdrawn_at = utcnow()

    def ensure_supportable(self) -> None:
        if self.withdrawn:
            raise DomainError(_l("A withdrawn proposal cannot be supported."))

    def apply_answer(self, status: AnswerStatus) -> None:
        if self.withdrawn:
            raise DomainError(_l("A withdrawn proposal cannot be answered."))
        self.status = ProposalStatus(status.value)
        # answered_at is when the first final answer came: "under review" is an interim reply, so the
        # proposal still counts as unanswered (and still due an answer) until a decision is posted.
        if status is AnswerStatus.UNDER_REVIEW:
            self.answered_at = None
        else:
            self.answered_at = self.answered_at or utcnow()


class Support(db.Model):
    """공감: one per account and proposal, enforced by the primary key."""

    __tablename__ = "proposal_supports"
    __table_args__ = (Index("ix_proposal_supports_user", "user_id", "proposal_id"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Follow(db.Model):
    __tablename__ = "proposal_follows"
    __table_args__ = (Index("ix_proposal_follows_user", "user_id", "proposal_id"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OfficialAnswer(db.Model):
    """담당자 답변: one per proposal; a later answer replaces it (the audit log keeps each one)."""

    __tablename__ = "proposal_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department: Mapped[str] = mapped_column(String(100))
    status: Mapped[AnswerStatus] = mapped_column(value_enum(AnswerStatus))
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="answer")
    author: Mapped[User] = relationship()


class ProposalSettings(db.Model):
    """The thresholds, one row, editable by admins. Defaults follow Democracy Seoul."""

    __tablename__ = "proposal_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_threshold: Mapped[int] = mapped_column(Integer, default=100)
    answer_threshold: Mapped[int] = mapped_column(Integer, default=1000)
    answer_days: Mapped[int] = mapped_column(Integer, default=30)
