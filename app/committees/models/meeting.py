"""Meetings (ordinance articles 13 and 15): calls and members' requests, agenda, attendance, recusal, votes."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.committees.models.membership import Committee, CommitteeMember
from app.core import DomainError, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.sql import value_enum


class MeetingStatus(LabelledEnum):
    SCHEDULED = "scheduled", _l("Scheduled")
    HELD = "held", _l("Held, minutes being written")  # attendance, recusals, votes and minutes are recorded now
    PUBLISHED = "published", _l("Minutes published")  # staff approved the minutes and results: now public
    CANCELLED = "cancelled", _l("Cancelled")

    @property
    def is_final(self) -> bool:
        return self in (MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED)


MEETING_TRANSITIONS = {
    MeetingStatus.SCHEDULED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: {MeetingStatus.PUBLISHED},
    MeetingStatus.PUBLISHED: set(),
    MeetingStatus.CANCELLED: set(),
}


class CallBasis(LabelledEnum):
    """제15조③: the chair finds it necessary, or at least a third of the members ask."""

    CHAIR = "chair", _l("Called by the chair")
    MEMBERS_REQUEST = "members_request", _l("Asked for by at least a third of the members")


class RequestStatus(LabelledEnum):
    OPEN = "open", _l("Collecting signatures")
    DUE = "due", _l("Meeting due")  # a third of the members signed: the chair must call the meeting
    CONVENED = "convened", _l("Meeting called")  # a meeting was called on it
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class MeetingRequest(db.Model):
    """Members asking for a meeting (소집 요구); due when a third of the serving members have signed."""

    __tablename__ = "committee_meeting_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    created_by_member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    status: Mapped[RequestStatus] = mapped_column(value_enum(RequestStatus), default=RequestStatus.OPEN, index=True)
    signature_count: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_when_due: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    committee: Mapped[Committee] = relationship()
    created_by: Mapped[CommitteeMember] = relationship()

    def become_due(self, now: datetime, enrolled: int) -> None:
        if self.status is not RequestStatus.OPEN:
            raise DomainError(_l("Only a request collecting signatures can become due."))
        self.status, self.due_at, self.enrolled_when_due = RequestStatus.DUE, now, enrolled

    def convene(self) -> None:
        if self.status is not RequestStatus.DUE:
            raise DomainError(_l("A meeting can be called on a request only once a third of the members have "
                                 "signed it."), field="request_id")
        self.status = RequestStatus.CONVENED


class RequestSignature(db.Model):
    __tablename__ = "committee_request_signatures"

    request_id: Mapped[int] = mapped_column(ForeignKey("committee_meeting_requests.id", ondelete="CASCADE"),
                                            primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), primary_key=True)
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()


class Meeting(db.Model):
    __tablename__ = "committee_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    place: Mapped[str] = mapped_column(String(200))
    status: Mapped[MeetingStatus] = mapped_column(value_enum(MeetingStatus), default=MeetingStatus.SCHEDULED,
                                                  index=True)
    basis: Mapped[CallBasis] = mapped_column(value_enum(CallBasis))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("committee_meeting_requests.id"), unique=True)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    called_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # 재적위원: the members serving on the meeting's day, counted when it is marked held.
    enrolled_count: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    committee: Mapped[Committee] = relationship()
    request: Mapped[MeetingRequest | None] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(back_populates="meeting", order_by="AgendaItem.position",
                                                     cascade="all, delete-orphan")

    def can_move_to(self, new_status: MeetingStatus) -> bool:
        return new_status in MEETING_TRANSITIONS[self.status]

    def move_to(self, new_status: MeetingStatus) -> None:
        if new_status is self.status:
            raise DomainError(_l("The meeting is already in this status."), field="status")
        if not self.can_move_to(new_status):
            raise DomainError(_l("A meeting cannot go from “%(current)s” to “%(new)s”.", current=self.status.label,
                                 new=new_status.label), field="status")
        self.status = new_status

    def ensure(self, status: MeetingStatus, message) -> None:
        if self.status is not status:
            raise DomainError(message)


class SubjectType(LabelledEnum):
    PROPOSAL = "proposal", _l("Proposal")
    POLICY = "policy", _l("Policy")
    LAB = "lab", _l("Living lab")


class ItemOutcome(LabelledEnum):
    PENDING = "pending", _l("Not decided yet")
    PASSED = "passed", _l("Passed")
    REJECTED = "rejected", _l("Not passed")
    DISCUSSED = "discussed", _l("Discussed, no vote")  # advice given without a vote
    NO_QUORUM = "no_quorum", _l("Not deliberated: no quorum")  # too few eligible members present to deliberate


class AgendaItem(db.Model):
    __tablename__ = "committee_agenda_items"
    __table_args__ = (CheckConstraint("(subject_type IS NULL) = (subject_id IS NULL)", name="subject_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    subject_type: Mapped[SubjectType | None] = mapped_column(value_enum(SubjectType))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[ItemOutcome] = mapped_column(value_enum(ItemOutcome), default=ItemOutcome.PENDING)
    result_note: Mapped[str] = mapped_column(Text, default="")
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    eligible_present: Mapped[int | None] = mapped_column(Integer)
    eligible_enrolled: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    recusals: Mapped[list["Recusal"]] = relationship(order_by="Recusal.id", cascade="all, delete-orphan")
    votes: Mapped[list["ItemVote"]] = relationship(order_by="ItemVote.member_id", cascade="all, delete-orphan")

    def decide(self, outcome: ItemOutcome, by: User, now: datetime) -> None:
        if self.outcome is not ItemOutcome.PENDING:
            raise DomainError(_l("This agenda item has been decided already."))
        if outcome is ItemOutcome.PENDING:
            raise DomainError(_l("Choose an outcome."), field="outcome", status=422)
        self.outcome, self.decided_at, self.decided_by_id = outcome, now, by.id


class RecusalKind(LabelledEnum):
    """제13조: 제척 (excluded by law), 기피 (challenged by a party, decided by the committee), 회피 (steps aside)."""

    EXCLUSION = "exclusion", _l("Excluded (제척)")
    CHALLENGE = "challenge", _l("Challenged (기피)")
    SELF = "self", _l("Stepped aside (회피)")


class RecusalGround(LabelledEnum):
    """제13조① 1-4."""

    PARTY = "party", _l("Art. 13(1)-1: the member, or their present or former spouse, is a party to the matter or "
                        "a co-holder of its rights or duties")
    RELATIVE = "relative", _l("Art. 13(1)-2: the member is or was a relative of a party")
    ADVISED = "advised", _l("Art. 13(1)-3: the member testified, stated, advised, researched, served or gave an "
                            "expert opinion on the matter")
    AGENT = "agent", _l("Art. 13(1)-4: the member or their corporation is or was a party's agent")


class RecusalStatus(LabelledEnum):
    EFFECTIVE = "effective", _l("Out of this item")  # the member is out of the item
    PENDING = "pending", _l("Waiting for decision")  # a challenge waiting for the committee's decision
    REJECTED = "rejected", _l("Challenge rejected")  # the committee turned the challenge down: the member takes part


class Recusal(db.Model):
    __tablename__ = "committee_recusals"
    __table_args__ = (UniqueConstraint("item_id", "member_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("committee_agenda_items.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"))
    kind: Mapped[RecusalKind] = mapped_column(value_enum(RecusalKind))
    ground: Mapped[RecusalGround | None] = mapped_column(value_enum(RecusalGround))
    reason: Mapped[str] = mapped_column(Text)
    challenged_by: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[RecusalStatus] = mapped_column(value_enum(RecusalStatus))
    decision_present: Mapped[int | None] = mapped_column(Integer)
    decision_votes_for: Mapped[int | None] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[CommitteeMember] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def excludes(self) -> bool:
        return self.status is RecusalStatus.EFFECTIVE

    def decide_challenge(self, upheld: bool, present: int, votes_for: int, now: datetime) -> None:
        if self.kind is not RecusalKind.CHALLENGE or self.status is not RecusalStatus.PENDING:
            raise DomainError(_l("Only a challenge waiting for a decision can be decided."))
        self.status = RecusalStatus.EFFECTIVE if upheld else RecusalStatus.REJECTED
        self.decision_present, self.decision_votes_for, self.decided_at = present, votes_for, now


class VoteChoice(LabelledEnum):
    FOR = "for", _l("For")
    AGAINST = "against", _l("Against")
    ABSTAIN = "abstain", _l("Abstain")


class ItemVote(db.Model):
    __tablename__ = "committee_item_votes"

    item_id: Mapped[int] = mapped_column(ForeignKey("committee_agenda_items.id", ondelete="CASCADE"),
                                         primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[VoteChoice] = mapped_column(value_enum(VoteChoice))

    member: Mapped[CommitteeMember] = relationship()


class MeetingAttendance(db.Model):
    """One row per member and meeting (the primary key): attendance, and so its allowance, counts once."""

    __tablename__ = "committee_attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id", ondelete="CASCADE"),
                                            primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), primary_key=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()
