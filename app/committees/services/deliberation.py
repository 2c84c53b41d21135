"""Deliberation of an agenda item (제13조, 제15조④): recusals, challenges decided by the committee without
the challenged member, and the vote, with recused members out of both the item's quorum and its vote."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.auth.models import User
from app.committees import queries
from app.committees.models import (
    AgendaItem,
    CommitteeMember,
    ItemOutcome,
    ItemVote,
    MeetingStatus,
    Recusal,
    RecusalGround,
    RecusalKind,
    RecusalStatus,
    VoteChoice,
)
from app.committees.rules import Tally
from app.committees.services import seoul_date
from app.core import DomainError, utcnow
from app.extensions import db

MAX_TEXT = 2000


def _open_item(item: AgendaItem) -> None:
    if item.meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD):
        raise DomainError(_l("The meeting is published or cancelled; its items can no longer change."))
    if item.outcome is not ItemOutcome.PENDING:
        raise DomainError(_l("This agenda item has been decided already."))


def record_recusal(item: AgendaItem, actor: User, *, member_id: int, kind: RecusalKind, reason: str,
                   ground: RecusalGround | None = None, challenged_by: str | None = None) -> Recusal:
    """제척 and 회피 take the member out at once and need one of article 13(1)'s grounds; 기피 is a party's
    challenge that waits for the committee's decision. Every kind is recorded with its reason."""
    _open_item(item)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Record the reason."), field="reason", status=422)
    if len(reason) > MAX_TEXT:
        raise DomainError(_l("The reason may be at most 2,000 characters."), field="reason", status=422)
    member = db.session.get(CommitteeMember, member_id)
    if member is None or member.committee_id != item.meeting.committee_id \
            or not member.serving_on(seoul_date(item.meeting.starts_at)):
        raise DomainError(_l("Only a member serving on the meeting's day can be recused."), field="member_id",
                          status=422)
    challenger = (challenged_by or "").strip() or None
    if kind is RecusalKind.CHALLENGE:
        if challenger is None:
            raise DomainError(_l("Name the party who challenges the member."), field="challenged_by", status=422)
        ground, status = None, RecusalStatus.PENDING
    else:
        if ground is None:
            raise DomainError(_l("Choose the ground of article 13(1) that applies."), field="ground", status=422)
        challenger, status = None, RecusalStatus.EFFECTIVE
    if member.id in queries.excluded_ids(item.id):
        raise DomainError(_l("%(name)s is out of this item already.", name=member.name), field="member_id")
    duplicate = db.session.scalar(select(Recusal.id).where(Recusal.item_id == item.id, Recusal.member_id == member.id,
                                                           Recusal.kind == kind))
    if duplicate is not None:
        raise DomainError(_l("This has been recorded for %(name)s already.", name=member.name), field="member_id")
    if db.session.scalar(select(ItemVote.member_id).where(ItemVote.item_id == item.id)) is not None:
        raise DomainError(_l("The votes on this item are recorded already."))
    recusal = Recusal(item_id=item.id, member_id=member.id, kind=kind, ground=ground, reason=reason,
                      challenged_by=challenger, status=status, recorded_by_id=actor.id, recorded_at=utcnow())
    db.session.add(recusal)
    db.session.flush()
    audit.record(actor, "committee_recusal.recorded", "committee_item", item.id, member_id=member.id,
                 kind=kind.value, ground=ground.value if ground else None)
    return recusal


def item_tally(item: AgendaItem, votes_for: int = 0, votes_against: int = 0, votes_abstain: int = 0,
               *, also_out: frozenset[int] = frozenset()) -> Tally:
    """The item's counts: recused members (and ``also_out``) are neither enrolled nor present for it."""
    meeting = item.meeting
    if meeting.enrolled_count is None:
        raise DomainError(_l("Mark the meeting as held first."))
    out = queries.excluded_ids(item.id) | set(also_out)
    present = queries.attendee_ids(meeting.id) - out
    return Tally(enrolled=meeting.enrolled_count - len(out), present=len(present), votes_for=votes_for,
                 votes_against=votes_against, votes_abstain=votes_abstain)


def _no_quorum(tally: Tally):
    return DomainError(_l(
        "No quorum for this item: %(present)s of the %(enrolled)s members who may take part are present; at least "
        "%(needed)s must be (article 15(4)).", present=tally.present, enrolled=tally.enrolled,
        needed=tally.quorum_needed))


def decide_challenge(recusal: Recusal, actor: User, *, votes_for: int) -> Recusal:
    """기피: the committee decides by vote, and the challenged member takes no part in that vote (제13조②)."""
    item = db.session.get(AgendaItem, recusal.item_id)
    item.meeting.ensure(MeetingStatus.HELD, _l("A challenge is decided at the meeting, once it is marked as held."))
    _open_item(item)
    tally = item_tally(item, votes_for, also_out=frozenset({recusal.member_id}))
    if not tally.has_quorum:
        raise _no_quorum(tally)
    if not 0 <= votes_for <= tally.present:
        raise DomainError(_l("At most %(present)s members present may vote on the challenge.",
                             present=tally.present), field="votes_for", status=422)
    upheld = tally.votes_for * 2 > tally.present
    recusal.decide_challenge(upheld, tally.present, votes_for, utcnow())
    db.session.flush()
    audit.record(actor, "committee_recusal.challenge_decided", "committee_item", item.id,
                 member_id=recusal.member_id, upheld=upheld, present=tally.present, votes_for=votes_for)
    return recusal


def record_votes(item: AgendaItem, actor: User, votes: dict[int, VoteChoice], note: str = "") -> AgendaItem:
    """Record each eligible present member's vote and the result.

    Every member present and not recused must be given a vote (for, against or abstain); nobody else may.
    The item passes with more votes in favour than half of those members (출석위원 과반수의 찬성)."""
    item.meeting.ensure(MeetingStatus.HELD, _l("Votes are recorded once the meeting is marked as held."))
    _open_item(item)
    pending = db.session.scalar(select(Recusal.id).where(Recusal.item_id == item.id,
                                                         Recusal.status == RecusalStatus.PENDING))
    if pending is not None:
        raise DomainError(_l("Decide the challenge against a member before voting on this item."))
    excluded = queries.excluded_ids(item.id)
    eligible = queries.attendee_ids(item.meeting_id) - excluded
    tally = item_tally(item)
    if not tally.has_quorum:
        raise _no_quorum(tally)
    names = {m.id: m.name for m in db.session.scalars(select(CommitteeMember).where(
        CommitteeMember.id.in_(eligible | set(votes))))}
    recused = sorted(names.get(mid, str(mid)) for mid in set(votes) & excluded)
    if recused:
        raise DomainError(_l("These members are recused from this item and cannot vote: %(names)s.",
                             names=", ".join(recused)), field="votes", status=422)
    absent = sorted(names.get(mid, str(mid)) for mid in set(votes) - eligible)
    if absent:
        raise DomainError(_l("Only members recorded as present can vote: %(names)s did not attend.",
                             names=", ".join(absent)), field="votes", status=422)
    missing = sorted(names[mid] for mid in eligible - set(votes))
    if missing:
        raise DomainError(_l("Give the vote of every member present who may vote (for, against or abstain). "
                             "Missing: %(names)s.", names=", ".join(missing)), field="votes", status=422)
    for member_id, choice in sorted(votes.items()):
        db.session.add(ItemVote(item_id=item.id, member_id=member_id, choice=choice))
    counts = {choice: sum(1 for c in votes.values() if c is choice) for choice in VoteChoice}
    tally = item_tally(item, counts[VoteChoice.FOR], counts[VoteChoice.AGAINST], counts[VoteChoice.ABSTAIN])
    item.votes_for, item.votes_against, item.votes_abstain = tally.votes_for, tally.votes_against, tally.votes_abstain
    item.eligible_present, item.eligible_enrolled = tally.present, tally.enrolled
    item.result_note = (note or "").strip()
    item.decide(ItemOutcome.PASSED if tally.passed else ItemOutcome.REJECTED, actor, utcnow())
    db.session.flush()
    audit.record(actor, "committee_item.voted", "committee_item", item.id, outcome=item.outcome.value,
                 votes_for=tally.votes_for, votes_against=tally.votes_against, abstain=tally.votes_abstain,
                 present=tally.present, enrolled=tally.enrolled)
    return item


def close_item(item: AgendaItem, actor: User, *, outcome: ItemOutcome, note: str) -> AgendaItem:
    """End an item without a vote: advice given in discussion (needs a quorum, like any sitting), or not
    deliberated because too few members who may take part were present."""
    item.meeting.ensure(MeetingStatus.HELD, _l("Results are recorded once the meeting is marked as held."))
    _open_item(item)
    note = (note or "").strip()
    if outcome not in (ItemOutcome.DISCUSSED, ItemOutcome.NO_QUORUM):
        raise DomainError(_l("Record a vote to pass or reject an item."), field="outcome", status=422)
    tally = item_tally(item)
    if outcome is ItemOutcome.DISCUSSED:
        if not tally.has_quorum:
            raise _no_quorum(tally)
        if not note:
            raise DomainError(_l("Write down the committee's advice."), field="note", status=422)
    elif tally.has_quorum:
        raise DomainError(_l("The item has a quorum (%(present)s of %(enrolled)s), so it can be deliberated.",
                             present=tally.present, enrolled=tally.enrolled), field="outcome")
    item.eligible_present, item.eligible_enrolled = tally.present, tally.enrolled
    item.result_note = note
    item.decide(outcome, actor, utcnow())
    db.session.flush()
    audit.record(actor, "committee_item.closed", "committee_item", item.id, outcome=outcome.value)
    return item
