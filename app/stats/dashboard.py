"""The staff dashboard's working figures: what waits for someone, counted in one query each."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core import utcnow
from app.extensions import db


def working_figures() -> dict[str, int]:
    from app.labs.models import LabMembership, MembershipStatus
    from app.ledger.models import Allowance
    from app.ledger.models.allowance import AllowanceStatus
    from app.privacy.models import DeletionRequest, DeletionStatus
    from app.proposals.models import Proposal

    now = utcnow()
    answers = db.session.execute(select(
        func.count().filter(Proposal.answer_due_at.is_not(None)),
        func.count().filter(Proposal.answer_due_at < now),
    ).where(Proposal.answered_at.is_(None), Proposal.hidden.is_(False))).one()
    waiting = db.session.execute(select(
        func.count().filter(Allowance.status == AllowanceStatus.CONFIRMED),
        func.coalesce(func.sum(Allowance.amount_won).filter(Allowance.status == AllowanceStatus.APPROVED), 0),
    )).one()
    return {
        "answers_due": answers[0], "answers_overdue": answers[1],
        "allowances_to_approve": waiting[0], "approved_unpaid_won": int(waiting[1]),
        "applications_waiting": db.session.scalar(select(func.count()).select_from(LabMembership).where(
            LabMembership.status == MembershipStatus.APPLIED)),
        "deletions_pending": db.session.scalar(select(func.count()).select_from(DeletionRequest).where(
            DeletionRequest.status == DeletionStatus.PENDING)),
    }
