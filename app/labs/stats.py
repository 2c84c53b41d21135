"""Numbers shown on lab pages and lists, each computed with a fixed number of grouped queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.labs.models import Attendance, Lab, LabMembership, LabSession, LabStage, MemberGroup, MembershipStatus
from app.labs.workspace import ProblemCard, Prototype, PrototypeFeedback


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
