"""How proposals plug into the shared components: comments, moderation, search, notifications, home page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import search
from app.comments.registry import register_comment_target
from app.extensions import db
from app.main.home import register_home_section
from app.moderation.registry import register_moderation_target
from app.notifications import kinds
from app.proposals import permissions, queries, services
from app.proposals.models import Proposal


def _load_proposal(proposal_id: int) -> Proposal | None:
    return db.session.get(Proposal, proposal_id)


def _comment_count_changed(proposal: Proposal, delta: int) -> None:
    count = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(comment_count=Proposal.comment_count + delta).returning(Proposal.comment_count)).scalar_one()
    set_committed_value(proposal, "comment_count", count)


def _moderation_changed(proposal: Proposal) -> None:
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


def _proposal_documents():
    for proposal in db.session.scalars(select(Proposal).execution_options(yield_per=1000)):
        yield services.proposal_document(proposal)


def _home_section():
    latest = queries.latest_proposals()
    if not latest:
        return None
    return {"template": "proposals/_home.html", "latest_proposals": latest,
            "popular_proposals": queries.most_supported_recently()}


def register() -> None:
    register_comment_target(
        "proposal", load=_load_proposal, can_view=permissions.can_view_proposal,
        can_comment=permissions.can_comment_on_proposal, url=services.proposal_url, title=lambda p: p.title,
        count_changed=_comment_count_changed, model=Proposal,
    )
    register_moderation_target(
        "proposal", model=Proposal, title=lambda p: p.title, url=services.proposal_url,
        visible_to=permissions.can_view_proposal, after_change=_moderation_changed,
    )
    search.register_source("proposal", _proposal_documents,
                           lambda: db.session.scalar(select(func.count()).select_from(Proposal)))
    register_home_section(_home_section)
    kinds.register("proposal_forum", _l("“%(title)s” reached %(count)s supports and is now an open forum."))
    kinds.register("proposal_answer_due", _l(
        "“%(title)s” reached %(count)s supports: an official answer is due within %(days)s days."))
    kinds.register("proposal_answered", _l("“%(title)s” has a new official answer."))
    kinds.register("proposal_withdrawn", _l("“%(title)s” was withdrawn by its author."))
