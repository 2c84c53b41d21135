"""Staff and admin pages: the dashboard, official answers, fields, topics and thresholds."""
from typing import Any

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.core import page_number, utcnow
from app.extensions import db
from app.proposals import bp, permissions, queries, services
from app.proposals.choices import all_fields, all_topics, proposal_settings, save_choice, update_settings
from app.proposals.forms import AnswerForm, ChoiceForm, SettingsForm
from app.proposals.models import AnswerStatus, Field, Proposal, Topic
from app.web import flash_form_errors, run_service


@bp.route("/staff")
@login_required
def dashboard():
    require(permissions.can_view_staff_dashboard)
    return render_template("proposals/dashboard.html", due=queries.answer_due_proposals(page_number()),
                           forums=queries.forum_proposals(), now=utcnow(), settings=proposal_settings())


@bp.route("/<int:proposal_id>/answer", methods=["GET", "POST"])
@login_required
def answer(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    require(permissions.can_answer_proposal, proposal)
    existing = services.official_answer(proposal)
    form = AnswerForm(obj=existing, status=existing.status.value if existing else None)
    if form.validate_on_submit():
        if run_service(lambda: services.answer_proposal(
                current_user, proposal, body=form.body.data, status=AnswerStatus(form.status.data),
                department=form.department.data or "", reason=form.reason.data),
                _("The official answer was published and followers were notified."), form=form):
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/answer.html", form=form, proposal=proposal)


CHOICE_MODELS: dict[str, Any] = {"fields": Field, "topics": Topic}


@bp.route("/admin/<kind>", methods=["GET", "POST"])
@login_required
def admin_choices(kind: str):
    model = CHOICE_MODELS.get(kind) or abort(404)
    require(permissions.can_manage_proposal_settings)
    form = ChoiceForm()
    if form.validate_on_submit():
        if run_service(lambda: save_choice(model, current_user, slug=form.slug.data, name_ko=form.name_ko.data,
                                           name_en=form.name_en.data), _("Saved."), form=form):
            return redirect(url_for("proposals.admin_choices", kind=kind))
    items = all_fields() if model is Field else all_topics()
    return render_template("proposals/admin_choices.html", kind=kind, items=items, form=form)


@bp.route("/admin/<kind>/<int:item_id>", methods=["POST"])
@login_required
def admin_rename_choice(kind: str, item_id: int):
    model = CHOICE_MODELS.get(kind) or abort(404)
    require(permissions.can_manage_proposal_settings)
    item = db.session.get(model, item_id) or abort(404)
    form = ChoiceForm(slug=item.slug)
    form.slug.data = item.slug
    if form.validate_on_submit():
        run_service(lambda: save_choice(model, current_user, slug=item.slug, name_ko=form.name_ko.data,
                                        name_en=form.name_en.data, existing=item), _("Saved."))
    else:
        flash_form_errors(form)
    return redirect(url_for("proposals.admin_choices", kind=kind))


@bp.route("/admin/settings", methods=["GET", "POST"])
@login_required
def admin_settings():
    require(permissions.can_manage_proposal_settings)
    settings = proposal_settings()
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        if run_service(lambda: update_settings(current_user, forum_threshold=form.forum_threshold.data,
                                               answer_threshold=form.answer_threshold.data,
                                               answer_days=form.answer_days.data),
                       _("The thresholds were saved."), form=form):
            return redirect(url_for("proposals.admin_settings"))
    return render_template("proposals/admin_settings.html", form=form)
