"""Queries shared by the pages, the API and the services (one place for each filter)."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.committees.models import (
    EXPIRY_NOTICE_DAYS,
    AgendaItem,
    Committee,
    CommitteeMember,
    CommitteeOfficer,
    Meeting,
    MeetingAttendance,
    MeetingRequest,
    MeetingStatus,
    MemberCategory,
    MemberStatus,
    Office,
    Recusal,
    RecusalStatus,
    RequestSignature,
    RequestStatus,
    SubjectType,
)
from app.extensions import db


def serving_condition(day: date):
    """Members serving on ``day``, also for a day in the past: their term had started and not ended, and
    they had not been dismissed before it (a member dismissed on a day no longer serves that day)."""
    within_term = and_(
        CommitteeMember.term_starts_on <= day,
        or_(CommitteeMember.term_ends_on.is_(None), CommitteeMember.term_ends_on >= day),
    )
    return and_(within_term, or_(
        CommitteeMember.status.in_([MemberStatus.ACTIVE, MemberStatus.ENDED]),
        and_(CommitteeMember.status == MemberStatus.DISMISSED, CommitteeMember.left_on > day),
    ))


def committees_query():
    return select(Committee).order_by(Committee.id)


def serving_members_query(committee_id: int, day: date):
    return (select(CommitteeMember)
            .where(CommitteeMember.committee_id == committee_id, serving_condition(day))
            .order_by(CommitteeMember.category, CommitteeMember.name, CommitteeMember.id))


def serving_members(committee_id: int, day: date) -> list[CommitteeMember]:
    return list(db.session.scalars(serving_members_query(committee_id, day)))


def roster(committee_id: int, day: date) -> tuple[list[CommitteeMember], dict[int, Office]]:
    """Serving members as a committee lists them: chair, vice-chair, the ex officio director, then the
    appointed members by category and name; with each officer's office."""
    members = serving_members(committee_id, day)
    offices = offices_by_member(committee_id, day)
    office_rank = {Office.CHAIR: 0, Office.VICE_CHAIR: 1}
    categories = list(MemberCategory)
    members.sort(key=lambda m: (office_rank.get(offices.get(m.id), 2), categories.index(m.category), m.name))
    return members, offices


def subject_titles(items) -> dict[tuple[SubjectType, int], str]:
    """Titles of the proposals, policies and labs that agenda items are about (one query per kind)."""
    from app.labs.models import Lab
    from app.policies.models import Policy
    from app.proposals.models import Proposal

    titles = {}
    for kind, model in ((SubjectType.PROPOSAL, Proposal), (SubjectType.POLICY, Policy), (SubjectType.LAB, Lab)):
        ids = {item.subject_id for item in items if item.subject_type is kind}
        if ids:
            query = select(model.id, model.title).where(model.id.in_(ids))
            if model is Proposal:  # a proposal hidden by moderation keeps its title to itself
                query = query.where(Proposal.hidden.is_(False))
            titles.update({(kind, row_id): title for row_id, title in db.session.execute(query)})
    return titles


def enrolled_count(committee_id: int, day: date) -> int:
    """재적위원: how many members serve on ``day``."""
    return db.session.scalar(select(func.count()).select_from(CommitteeMember).where(
        CommitteeMember.committee_id == committee_id, serving_condition(day)))


def appointed_gender_counts(committee_id: int, day: date) -> Counter:
    rows = db.session.execute(
        select(CommitteeMember.gender, func.count()).where(
            CommitteeMember.committee_id == committee_id, serving_condition(day),
            CommitteeMember.category != MemberCategory.EX_OFFICIO,
        ).group_by(CommitteeMember.gender))
    return Counter({gender: count for gender, count in rows})


def members_in_status_query(committee_id: int, *statuses: MemberStatus):
    return (select(CommitteeMember)
            .where(CommitteeMember.committee_id == committee_id, CommitteeMember.status.in_(statuses))
            .order_by(CommitteeMember.id))


def former_members_query(committee_id: int, today: date):
    """Everyone who no longer serves: dismissed, ended, or past their term but not yet marked ended."""
    past_term = and_(CommitteeMember.status == MemberStatus.ACTIVE, CommitteeMember.term_ends_on < today)
    return (select(CommitteeMember)
            .where(CommitteeMember.committee_id == committee_id,
                   or_(CommitteeMember.status.in_([MemberStatus.ENDED, MemberStatus.DISMISSED]), past_term))
            .order_by(CommitteeMember.left_on.desc(), CommitteeMember.id.desc()))


def expiring_terms_query(committee_id: int, today: date, days: int = EXPIRY_NOTICE_DAYS):
    """Serving appointed members whose term ends within ``days`` days (the staff page's warning list)."""
    return (select(CommitteeMember)
            .where(CommitteeMember.committee_id == committee_id, serving_condition(today),
                   CommitteeMember.term_ends_on <= today + timedelta(days=days))
            .order_by(CommitteeMember.term_ends_on, CommitteeMember.id))


def officers(committee_id: int, day: date) -> dict[Office, CommitteeMember]:
    """The chair and vice-chair who still serve on ``day`` (an office falls vacant when its holder leaves)."""
    rows = db.session.execute(
        select(CommitteeOfficer.office, CommitteeMember)
        .join(CommitteeMember, CommitteeMember.id == CommitteeOfficer.member_id)
        .where(CommitteeOfficer.committee_id == committee_id, serving_condition(day)))
    return {office: member for office, member in rows}


def offices_by_member(committee_id: int, day: date) -> dict[int, Office]:
    return {member.id: office for office, member in officers(committee_id, day).items()}


def meetings_query(committee_id: int, *, public: bool):
    query = select(Meeting).where(Meeting.committee_id == committee_id)
    if public:
        query = query.where(Meeting.status.in_([MeetingStatus.SCHEDULED, MeetingStatus.PUBLISHED]))
    return query.order_by(Meeting.starts_at.desc(), Meeting.id.desc())


def requests_query(committee_id: int, *statuses: RequestStatus):
    query = select(MeetingRequest).where(MeetingRequest.committee_id == committee_id)
    if statuses:
        query = query.where(MeetingRequest.status.in_(statuses))
    return query.order_by(MeetingRequest.id.desc())


def signed_request_ids(member_id: int | None, request_ids: list[int]) -> set[int]:
    if member_id is None or not request_ids:
        return set()
    return set(db.session.scalars(select(RequestSignature.request_id).where(
        RequestSignature.member_id == member_id, RequestSignature.request_id.in_(request_ids))))


def signatures(request_id: int) -> list[RequestSignature]:
    return list(db.session.scalars(select(RequestSignature).options(selectinload(RequestSignature.member))
                                   .where(RequestSignature.request_id == request_id)
                                   .order_by(RequestSignature.signed_at, RequestSignature.member_id)))


def member_of_user(committee_id: int, user, day: date) -> CommitteeMember | None:
    """The serving seat the logged-in user holds on this committee, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(CommitteeMember).where(
        CommitteeMember.committee_id == committee_id, CommitteeMember.user_id == user.id, serving_condition(day)))


def attendee_ids(meeting_id: int) -> set[int]:
    return set(db.session.scalars(select(MeetingAttendance.member_id)
                                  .where(MeetingAttendance.meeting_id == meeting_id)))


def attendance(meeting_id: int) -> list[MeetingAttendance]:
    return list(db.session.scalars(select(MeetingAttendance).options(selectinload(MeetingAttendance.member))
                                   .where(MeetingAttendance.meeting_id == meeting_id)
                                   .order_by(MeetingAttendance.member_id)))


def excluded_ids(item_id: int) -> set[int]:
    return set(db.session.scalars(select(Recusal.member_id).where(
        Recusal.item_id == item_id, Recusal.status == RecusalStatus.EFFECTIVE)))


def load_meeting(meeting_id: int) -> Meeting | None:
    """A meeting with its items, their recusals and votes (and those members) in a fixed few queries."""
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).options(
        selectinload(Meeting.items).selectinload(AgendaItem.recusals).selectinload(Recusal.member),
        selectinload(Meeting.items).selectinload(AgendaItem.votes),
    ))


def discussions_of(subject_type: SubjectType, subject_id: int) -> list[AgendaItem]:
    """Agenda items about a proposal, policy or lab from meetings whose minutes are published."""
    return list(db.session.scalars(
        select(AgendaItem).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .options(selectinload(AgendaItem.meeting).selectinload(Meeting.committee))
        .where(AgendaItem.subject_type == subject_type, AgendaItem.subject_id == subject_id,
               Meeting.status == MeetingStatus.PUBLISHED)
        .order_by(Meeting.starts_at.desc(), AgendaItem.position)))
