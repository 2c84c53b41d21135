"""Reading labs, shared by the pages and the API: the filtered lists, a lab's members, and the numbers
shown on lab pages and lists, each computed with a fixed number of grouped queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, case, func, select

from app.extensions import db
from app.labs.models import (
    Attendance,
    Lab,
    LabMembership,
    LabSession,
    LabStage,
    MemberGroup,
    MembershipStatus,
    ProblemCard,
    Prototype,
    PrototypeFeedback,
    lab_proposals,
)
from app.proposals.models import Proposal


@dataclass
class LabKpis:
    members_by_group: dict[MemberGroup, int] = field(default_factory=dict)
    sessions_held: int = 0
    attendance_records: int = 0
    problem_cards: int = 0
    prototypes: int = 0
    feedback: int = 0

    @property
    def members(self) -> int:
        return sum(self.members_by_group.values())

    @property
    def attendance_rate(self) -> int | None:
        """Percentage of possible attendances (held sessions × current members) that happened."""
        possible = self.sessions_held * self.members
        return round(self.attendance_records / possible * 100) if possible else None


def lab_kpis(lab: Lab, now: datetime) -> LabKpis:
    kpis = LabKpis(members_by_group={group: 0 for group in MemberGroup})
    for group, count in db.session.execute(
        select(LabMembership.group, func.count()).where(
            LabMembership.lab_id == lab.id, LabMembership.status == MembershipStatus.ACCEPTED)
        .group_by(LabMembership.group)):
        kpis.members_by_group[group] = count
    kpis.sessions_held, kpis.attendance_records = db.session.execute(
        select(func.count(func.distinct(LabSession.id)), func.count(Attendance.id))
        .select_from(LabSession).outerjoin(Attendance, Attendance.session_id == LabSession.id)
        .where(LabSession.lab_id == lab.id, LabSession.starts_at <= now)).one()
    kpis.problem_cards, kpis.prototypes, kpis.feedback = db.session.execute(select(
        select(func.count()).select_from(ProblemCard).where(ProblemCard.lab_id == lab.id).scalar_subquery(),
        select(func.count()).select_from(Prototype).where(Prototype.lab_id == lab.id).scalar_subquery(),
        select(func.count()).select_from(PrototypeFeedback).join(Prototype, Prototype.id ==
                                                                 PrototypeFeedback.prototype_id)
        .where(Prototype.lab_id == lab.id).scalar_subquery(),
    )).one()
    return kpis


def with_membership_counts(labs) -> list[tuple[Lab, int, int, int]]:
    """(lab, accepted, pending, waitlisted) for each lab, with one grouped query for all of them."""
    ids = [lab.id for lab in labs]
    counts: dict[int, tuple[int, int, int]] = {}
    if ids:
        rows = db.session.execute(select(
            LabMembership.lab_id,
            func.sum(case((LabMembership.status == MembershipStatus.ACCEPTED, 1), else_=0)),
            func.sum(case((LabMembership.status == MembershipStatus.APPLIED, 1), else_=0)),
            func.sum(case((LabMembership.status == MembershipStatus.WAITLISTED, 1), else_=0)),
        ).where(LabMembership.lab_id.in_(ids)).group_by(LabMembership.lab_id))
        counts = {lab_id: (int(a or 0), int(p or 0), int(w or 0)) for lab_id, a, p, w in rows}
    return [(lab, *counts.get(lab.id, (0, 0, 0))) for lab in labs]


def recruiting_condition(today: date):
    return and_(Lab.stage != LabStage.CLOSED, Lab.recruitment_deadline >= today)


def recruiting_labs(today: date, limit: int = 3) -> list[tuple]:
    labs = db.session.scalars(select(Lab).where(recruiting_condition(today))
                              .order_by(Lab.recruitment_deadline, Lab.id).limit(limit)).all()
    return with_membership_counts(labs)


# --- lists ---------------------------------------------------------------------------------------

SHOWS = ("active", "recruiting", "closed")  # the list page's tabs; "" is every lab
SORTS = {
    "deadline": (Lab.recruitment_deadline.desc(), Lab.id.desc()),  # the list page
    "newest": (Lab.id.desc(),),  # the API
}


@dataclass
class LabFilters:
    show: str = ""  # "", or one of SHOWS
    stage: LabStage | None = None
    sort: str = "deadline"


def lab_list_query(filters: LabFilters, today: date) -> Select:
    statement = select(Lab)
    if filters.show == "recruiting":
        statement = statement.where(recruiting_condition(today))
    elif filters.show == "closed":
        statement = statement.where(Lab.stage == LabStage.CLOSED)
    elif filters.show == "active":
        statement = statement.where(Lab.stage != LabStage.CLOSED)
    if filters.stage is not None:
        statement = statement.where(Lab.stage == filters.stage)
    return statement.order_by(*SORTS[filters.sort])


def list_labs(filters: LabFilters, today: date, page: int, per_page: int) -> tuple[Pagination, list[tuple]]:
    """A page of labs and, for each, (lab, accepted, pending, waitlisted): two queries plus the count."""
    pagination = db.paginate(lab_list_query(filters, today), page=page, per_page=per_page, error_out=False)
    return pagination, with_membership_counts(pagination.items)


# --- members -------------------------------------------------------------------------------------

MEMBER_SORTS = {
    # the members page: open applications first, then members, then the waitlist in its order
    "status": (case((LabMembership.status == MembershipStatus.APPLIED, 0),
                    (LabMembership.status == MembershipStatus.ACCEPTED, 1),
                    (LabMembership.status == MembershipStatus.WAITLISTED, 2), else_=3),
               LabMembership.waitlisted_at, LabMembership.applied_at, LabMembership.id),
    "applied": (LabMembership.id,),  # the API
}


def members_query(lab: Lab, *, every_application: bool, sort: str = "status") -> Select:
    """The lab's accepted members; with ``every_application`` (``permissions.can_view_applications``)
    every application whatever its status."""
    statement = select(LabMembership).where(LabMembership.lab_id == lab.id)
    if not every_application:
        statement = statement.where(LabMembership.status == MembershipStatus.ACCEPTED)
    return statement.order_by(*MEMBER_SORTS[sort])


# --- proposals -----------------------------------------------------------------------------------

def proposals_of(lab: Lab) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).join(lab_proposals, lab_proposals.c.proposal_id == Proposal.id)
        .where(lab_proposals.c.lab_id == lab.id).order_by(Proposal.id)))


def labs_from_proposal(proposal_id: int) -> list[Lab]:
    return list(db.session.scalars(
        select(Lab).join(lab_proposals, lab_proposals.c.lab_id == Lab.id)
        .where(lab_proposals.c.proposal_id == proposal_id).order_by(Lab.id)))


def recruiting_labs_from_proposal(proposal_id: int, today: date) -> list[Lab]:
    return [lab for lab in labs_from_proposal(proposal_id)
            if lab.stage is not LabStage.CLOSED and lab.recruitment_deadline >= today]
