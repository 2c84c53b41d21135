"""What waits for someone, counted in a fixed number of queries, each queue shown only to those who can act."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.permissions import can_manage_jobs
from app.labs.models import Lab, LabMembership, MembershipStatus
from app.labs.models.lab import lab_facilitators
from app.labs.permissions import OPEN_STAGES
from app.ledger.permissions import can_decide_allowances, can_use_confirmation_queue
from app.ledger.services.allowances import approval_queue_query, confirmation_queue_query
from app.moderation.models import Report
from app.moderation.permissions import can_moderate
from app.proposals.models import Proposal
from app.proposals.permissions import can_view_staff_dashboard

LABS_SHOWN = 20  # labs with applications listed on the dashboard; the rest are counted


@dataclass
class Queue:
    key: str
    label: object
    count: int | None  # None: not counted here (failed jobs without a job queue)
    url: str


@dataclass
class LabApplications:
    lab_id: int
    title: str
    count: int


@dataclass
class Desk:
    queues: list[Queue] = field(default_factory=list)
    labs: list[LabApplications] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(q.count or 0 for q in self.queues if q.key != "jobs")


def _count(query):
    return select(func.count()).select_from(query.subquery()).scalar_subquery()


def waiting_work(user, *, with_jobs: bool = True) -> Desk:
    """The queues this user can act on: one query for every count, one for the labs' applications."""
    desk = Desk()
    counts: dict[str, Any] = {}
    if can_moderate(user):
        counts["reports"] = _count(select(Report.target_type, Report.target_id).where(Report.resolved_at.is_(None))
                                   .group_by(Report.target_type, Report.target_id))
    if can_view_staff_dashboard(user):
        counts["answers"] = _count(select(Proposal.id).where(Proposal.answer_due_at.is_not(None),
                                                             Proposal.answered_at.is_(None)))
    if can_use_confirmation_queue(user):
        counts["confirmations"] = _count(confirmation_queue_query(user))
    if can_decide_allowances(user):
        counts["approvals"] = _count(approval_queue_query(user))
    if user.is_facilitator:  # applications are decided by the lab's facilitators (labs.permissions)
        counts["applications"] = _count(
            select(LabMembership.id).join(Lab, Lab.id == LabMembership.lab_id)
            .join(lab_facilitators, lab_facilitators.c.lab_id == Lab.id)
            .where(lab_facilitators.c.user_id == user.id, LabMembership.status == MembershipStatus.APPLIED,
                   Lab.stage.in_(OPEN_STAGES)))
    values = dict(zip(counts, db.session.execute(select(*counts.values())).one())) if counts else {}
    labels = {
        "reports": (_l("Reported content to review"), url_for("moderation.queue")),
        "answers": (_l("Proposals due an official answer"), url_for("proposals.dashboard")),
        "confirmations": (_l("Allowances to confirm"), url_for("ledger.confirmations")),
        "approvals": (_l("Allowances to approve"), url_for("ledger.approvals")),
        "applications": (_l("Lab applications to decide"), url_for("staffdesk.dashboard") + "#applications"),
    }
    for key, value in values.items():
        label, url = labels[key]
        desk.queues.append(Queue(key, label, int(value), url))
    if values.get("applications"):
        desk.labs = [LabApplications(lab_id, title, count) for lab_id, title, count in db.session.execute(
            select(Lab.id, Lab.title, func.count(LabMembership.id)).join(LabMembership, LabMembership.lab_id == Lab.id)
            .join(lab_facilitators, lab_facilitators.c.lab_id == Lab.id)
            .where(lab_facilitators.c.user_id == user.id, LabMembership.status == MembershipStatus.APPLIED,
                   Lab.stage.in_(OPEN_STAGES))
            .group_by(Lab.id).order_by(func.count(LabMembership.id).desc(), Lab.id).limit(LABS_SHOWN))]
    if can_manage_jobs(user):
        desk.queues.append(Queue("jobs", _l("Background jobs that failed"),
                                 _failed_jobs() if with_jobs else None, url_for("jobs.failed")))
    return desk


def _failed_jobs() -> int | None:
    from app.jobs import queue_configured
    from app.jobs.services import failed_jobs

    if not queue_configured():
        return None
    return failed_jobs(1, 1).total
