from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.comments.routes import comment_page_for_request
from app.core import page_number
from app.districts import district_choices
from app.extensions import db
from app.ops.cache import public_page
from app.proposals import bp, permissions, queries, services
from app.proposals.choices import all_fields, all_topics
from app.proposals.forms import ProposalForm
from app.proposals.models import Proposal, ProposalStatus
from app.web import run_service


@bp.app_context_processor
def proposal_helpers():
    return {"proposal_permissions": permissions}


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not permissions.can_view_proposal(current_user, proposal):
        abort(404)
    return proposal


def _form(**kwargs) -> ProposalForm:
    return ProposalForm(field_choices=all_fields(), topic_choices=all_topics(), **kwargs)


def _content(form: ProposalForm) -> dict:
    return {"title": form.title.data, "body": form.body.data, "field_slug": form.field.data,
            "topic_slugs": form.topics.data, "district": form.district.data,
            "latitude": form.latitude.data, "longitude": form.longitude.data}


@bp.route("/")
@public_page
def index():
    filters = queries.ProposalFilters.from_args(request.args)
    pagination = queries.list_proposals(filters, current_user, page_number())
    return render_template(
        "proposals/index.html", pagination=pagination, filters=filters, fields=all_fields(), topics=all_topics(),
        statuses=list(ProposalStatus), districts=district_choices(),
        own_hidden=queries.own_hidden_proposals(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(permissions.can_create_proposal)
    form = _form()
    if form.validate_on_submit():
        outcome = run_service(lambda: services.submit_proposal(current_user, **_content(form)),
                              _("Your proposal was published."), form=form)
        if outcome:
            return redirect(url_for("proposals.detail", proposal_id=outcome.value.id))
    return render_template("proposals/form.html", form=form, proposal=None)


@bp.route("/<int:proposal_id>")
@public_page
def detail(proposal_id: int):
    from app.proposals.choices import proposal_settings
    from app.proposals.thresholds import next_threshold

    proposal = _proposal_or_404(proposal_id)
    settings = proposal_settings()
    return render_template(
        "proposals/detail.html", proposal=proposal, answer=services.official_answer(proposal),
        settings=settings, threshold=next_threshold(proposal.support_count, settings, proposal.answer_due_at),
        supported=services.has_supported(current_user, proposal),
        following=services.is_following(current_user, proposal),
        comment_page=comment_page_for_request("proposal", proposal.id),
        comment_target_url=url_for("proposals.detail", proposal_id=proposal.id),
        can_comment=permissions.can_comment_on_proposal(current_user, proposal),
    )


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if current_user.id != proposal.author_id:
        abort(403)
    if not proposal.editable:
        flash(_("This proposal can no longer be edited: it already has supports or comments."), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    form = _form(title=proposal.title, body=proposal.body, field=proposal.field.slug,
                 topics=[t.slug for t in proposal.topics], district=proposal.district or "",
                 latitude=proposal.latitude, longitude=proposal.longitude)
    if form.validate_on_submit():
        if run_service(lambda: services.edit_proposal(current_user, proposal, **_content(form)),
                       _("Your proposal was changed."), form=form):
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=proposal)


def _action(proposal_id: int, predicate, action, message: str):
    proposal = _proposal_or_404(proposal_id)
    require(predicate, proposal)
    run_service(lambda: action(current_user, proposal), message)
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int):
    return _action(proposal_id, permissions.can_withdraw_proposal, services.withdraw_proposal,
                   _("Your proposal was withdrawn. It stays visible, marked as withdrawn."))


@bp.route("/<int:proposal_id>/support", methods=["POST"])
@login_required
def support(proposal_id: int):
    return _action(proposal_id, permissions.can_support_proposal, services.support_proposal,
                   _("You support this proposal."))


@bp.route("/<int:proposal_id>/unsupport", methods=["POST"])
@login_required
def unsupport(proposal_id: int):
    return _action(proposal_id, permissions.can_follow_proposal, services.withdraw_support,
                   _("Your support was withdrawn."))


@bp.route("/<int:proposal_id>/follow", methods=["POST"])
@login_required
def follow(proposal_id: int):
    return _action(proposal_id, permissions.can_follow_proposal, services.follow_proposal,
                   _("You follow this proposal and will be notified of answers and status changes."))


@bp.route("/<int:proposal_id>/unfollow", methods=["POST"])
@login_required
def unfollow(proposal_id: int):
    return _action(proposal_id, permissions.can_follow_proposal, services.unfollow_proposal,
                   _("You no longer follow this proposal."))


