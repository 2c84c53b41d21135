"""Proposals' sections of the resident's data export: what they proposed, supported, followed, answered."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.proposals.models import Follow, OfficialAnswer, Proposal, Support


def _proposals(user) -> list[dict]:
    rows = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id))
    return [{"id": p.id, "title": p.title, "body": p.body, "field": p.field.slug, "status": p.status.value,
             "district": p.district, "latitude": p.latitude, "longitude": p.longitude,
             "support_count": p.support_count, "created_at": iso(p.created_at), "edited_at": iso(p.edited_at),
             "withdrawn_at": iso(p.withdrawn_at)} for p in rows]


def _supports(user) -> list[dict]:
    rows = db.session.execute(select(Support.proposal_id, Proposal.title, Support.created_at)
                              .join(Proposal, Proposal.id == Support.proposal_id)
                              .where(Support.user_id == user.id).order_by(Support.created_at))
    return [{"proposal_id": pid, "proposal_title": title, "at": iso(at)} for pid, title, at in rows]


def _follows(user) -> list[dict]:
    rows = db.session.execute(select(Follow.proposal_id, Proposal.title, Follow.created_at)
                              .join(Proposal, Proposal.id == Follow.proposal_id)
                              .where(Follow.user_id == user.id).order_by(Follow.created_at))
    return [{"proposal_id": pid, "proposal_title": title, "at": iso(at)} for pid, title, at in rows]


def _answers(user) -> list[dict]:
    rows = db.session.scalars(select(OfficialAnswer).where(OfficialAnswer.author_id == user.id)
                              .order_by(OfficialAnswer.id))
    return [{"proposal_id": a.proposal_id, "department": a.department, "status": a.status.value,
             "body": a.body, "reason": a.reason, "created_at": iso(a.created_at)} for a in rows]


def register() -> None:
    register_export("proposals_written", _proposals)
    register_export("proposals_supported", _supports)
    register_export("proposals_followed", _follows)
    register_export("official_answers_written", _answers)
