"""Proposals and discussion (시민 제안·토론): propose, browse, support, follow, answer."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

from app.proposals import admin_routes, routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app import search
    from app.comments.registry import register_comment_target
    from app.main.home import register_home_section
    from app.moderation.registry import register_moderation_target
    from app.notifications import kinds
    from app.proposals import hooks, permissions, services
    from app.proposals.cli import proposals_cli
    from app.proposals.models import Proposal
    from app.web import register_nav

    app.register_blueprint(bp)
    from app.proposals import export  # the data-export sections of this domain

    export.register()
    app.cli.add_command(proposals_cli)
    register_nav(10, "proposals.index", _l("Proposals"))
    register_home_section(hooks.home_section, order=20)
    kinds.register("proposal_forum", _l("“%(title)s” reached %(count)s supports and is now an open forum."))
    kinds.register("proposal_answer_due", _l(
        "“%(title)s” reached %(count)s supports: an official answer is due within %(days)s days."))
    kinds.register("proposal_answered", _l("“%(title)s” has a new official answer."))
    kinds.register("proposal_withdrawn", _l("“%(title)s” was withdrawn by its author."))
    search.register_source("proposal", hooks.proposal_documents, hooks.count_proposals)
    register_comment_target(
        "proposal", load=hooks.load_proposal, can_view=permissions.can_view_proposal,
        can_comment=permissions.can_comment_on_proposal, url=services.proposal_url, title=lambda p: p.title,
        count_changed=hooks.comment_count_changed, model=Proposal,
    )
    register_moderation_target(
        "proposal", model=Proposal, title=lambda p: p.title, url=services.proposal_url,
        visible_to=permissions.can_view_proposal, after_change=hooks.moderation_changed,
    )
