"""What proposals give the shared components (comments, moderation, search, home page); declared in `register`."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.proposals import queries, services
from app.proposals.models import Proposal


def load_proposal(proposal_id: int) -> Proposal | None:
    return db.session.get(Proposal, proposal_id)


def comment_count_changed(proposal: Proposal, delta: int) -> None:
    count = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(comment_count=Proposal.comment_count + delta).returning(Proposal.comment_count)).scalar_one()
    set_committed_value(proposal, "comment_count", count)


def moderation_changed(proposal: Proposal) -> None:
    """Hiding or restoring a proposal hides or restores its comments in search results too."""
    from app.comments.models import Comment
    from app.comments.registry import comment_target
    from app.comments.services import index_comment

    services.index_proposal(proposal)
    target = comment_target("proposal")
    comments = db.session.scalars(select(Comment).where(
        Comment.target_type == "proposal", Comment.target_id == proposal.id, Comment.deleted_at.is_(None)))
    for comment in comments:
        index_comment(comment, target, proposal)


def proposal_documents():
    for proposal in db.session.scalars(select(Proposal).execution_options(yield_per=1000)):
        yield services.proposal_document(proposal)


def count_proposals() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def home_section():
    latest = queries.latest_proposals()
    if not latest:
        return None
    from app.proposals.choices import proposal_settings
    from app.proposals.thresholds import close_to_threshold

    settings = proposal_settings()
    return {"template": "proposals/_home.html", "latest_proposals": latest,
            "near_threshold": close_to_threshold(settings), "settings": settings}

