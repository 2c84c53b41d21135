"""Staff and admin pages: the dashboard, official answers, fields, topics and thresholds."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.core import DomainError, page_number, utcnow
from app.extensions import db
from app.proposals import bp, permissions, queries, services
from app.proposals.choices import all_fields, all_topics, proposal_settings, save_choice, update_settings
from app.proposals.forms import AnswerForm, ChoiceForm, SettingsForm
from app.proposals.models import AnswerStatus, Field, Proposal, Topic


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
        try:
            services.answer_proposal(current_user, proposal, body=form.body.data,
                                     status=AnswerStatus(form.status.data), department=form.department.data or "",
                                     reason=form.reason.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(str(error.message), "error")
        else:
            flash(_("The official answer was published and followers were notified."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/answer.html", form=form, proposal=proposal)


CHOICE_MODELS = {"fields": Field, "topics": Topic}


@bp.route("/admin/<kind>", methods=["GET", "POST"])
@login_required
def admin_choices(kind: str):
    model = CHOICE_MODELS.get(kind) or abort(404)
    require(permissions.can_manage_proposal_settings)
    form = ChoiceForm()
    if form.validate_on_submit():
        try:
            save_choice(model, current_user, slug=form.slug.data, name_ko=form.name_ko.data,
                        name_en=form.name_en.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, error.message]
        else:
            flash(_("Saved."), "success")
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
        save_choice(model, current_user, slug=item.slug, name_ko=form.name_ko.data, name_en=form.name_en.data,
                    existing=item)
        db.session.commit()
        flash(_("Saved."), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
    return redirect(url_for("proposals.admin_choices", kind=kind))


@bp.route("/admin/settings", methods=["GET", "POST"])
@login_required
def admin_settings():
    require(permissions.can_manage_proposal_settings)
    settings = proposal_settings()
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        try:
            update_settings(current_user, forum_threshold=form.forum_threshold.data,
                            answer_threshold=form.answer_threshold.data, answer_days=form.answer_days.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.forum_threshold.errors = [*form.forum_threshold.errors, error.message]
        else:
            flash(_("The thresholds were saved."), "success")
            return redirect(url_for("proposals.admin_settings"))
    return render_template("proposals/admin_settings.html", form=form)
