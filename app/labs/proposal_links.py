"""City-commissioned labs come from proposals; each side links to the other."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Table, insert, select

from app.core import DomainError
from app.extensions import db
from app.labs.models import Lab, LabStage
from app.proposals.models import Proposal

lab_proposals = Table(
    "lab_proposals",
    db.metadata,
    Column("lab_id", ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def link_proposals(lab: Lab, proposal_ids) -> None:
    ids = sorted(set(int(i) for i in proposal_ids))
    found = set(db.session.scalars(select(Proposal.id).where(Proposal.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(_l("No proposal has the number %(ids)s.", ids=", ".join(map(str, missing))),
                          field="proposal_ids", status=422)
    db.session.execute(insert(lab_proposals), [{"lab_id": lab.id, "proposal_id": i} for i in ids])


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
