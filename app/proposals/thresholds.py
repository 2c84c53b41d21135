"""How far a proposal is from its next support threshold (DOMAIN.md: 100 supports open a public forum,
1,000 oblige an official answer within ``answer_days``; admins set the numbers in ProposalSettings)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, union_all

from app.extensions import db
from app.proposals.models import Proposal, ProposalStatus


@dataclass
class ThresholdProgress:
    """Where a proposal stands against its next support threshold."""
    supports: int
    threshold: int
    kind: str  # "forum" (a public forum opens) or "answer" (the city must answer officially)

    @property
    def missing(self) -> int:
        return max(self.threshold - self.supports, 0)

    @property
    def percent(self) -> int:
        return min(100, self.supports * 100 // self.threshold) if self.threshold else 100


def next_threshold(supports: int, settings, answer_due_at: datetime | None = None) -> ThresholdProgress | None:
    """The threshold a proposal with ``supports`` works toward next, or None when it passed both."""
    if supports < settings.forum_threshold:
        return ThresholdProgress(supports, settings.forum_threshold, "forum")
    if supports < settings.answer_threshold and answer_due_at is None:
        return ThresholdProgress(supports, settings.answer_threshold, "answer")
    return None


@dataclass
class NearProposal:
    id: int
    title: str
    progress: ThresholdProgress


def close_to_threshold(settings, limit: int = 3) -> list[NearProposal]:
    """Open proposals nearest (by share) to their next threshold: the best supported few below the forum
    threshold and the best supported few between the forum and the answer threshold, in one statement
    (each half walks the support-count order and stops after ``limit`` rows)."""
    live = and_(Proposal.hidden.is_(False), Proposal.status.in_([ProposalStatus.OPEN, ProposalStatus.FORUM]),
                Proposal.support_count > 0)
    columns = (Proposal.id, Proposal.title, Proposal.support_count)
    below_forum = (select(*columns).where(live, Proposal.support_count < settings.forum_threshold)
                   .order_by(Proposal.support_count.desc(), Proposal.id.desc()).limit(limit))
    below_answer = (select(*columns).where(live, Proposal.support_count >= settings.forum_threshold,
                                           Proposal.support_count < settings.answer_threshold,
                                           Proposal.answer_due_at.is_(None))
                    .order_by(Proposal.support_count.desc(), Proposal.id.desc()).limit(limit))
    both = union_all(select(below_forum.subquery()), select(below_answer.subquery()))
    near = []
    for proposal_id, title, supports in db.session.execute(both):
        progress = next_threshold(supports, settings)
        if progress is not None:
            near.append(NearProposal(proposal_id, title, progress))
    near.sort(key=lambda item: (-item.progress.supports / item.progress.threshold, -item.id))
    return near[:limit]
