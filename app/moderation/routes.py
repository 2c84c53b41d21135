from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.core import page_number
from app.extensions import db
from app.moderation import bp, services
from app.moderation.forms import DecisionForm, ReportForm
from app.moderation.permissions import can_moderate
from app.moderation.registry import moderation_target
from app.urls import safe_next_url
from app.web import flash_form_errors, run_service


@bp.route("/report/<target_type>/<int:target_id>", methods=["POST"])
@login_required
def report(target_type: str, target_id: int):
    target = moderation_target(target_type) or abort(404)
    obj = db.session.get(target.model, target_id)
    if obj is None or not target.visible_to(current_user, obj):
        abort(404)
    back = target.url(obj)
    form = ReportForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    run_service(lambda: services.report_content(current_user, target_type, target_id, form.reason.data),
                _("Thank you. Staff will look at your report."))
    return redirect(back)


@bp.route("/")
@login_required
def queue():
    require(can_moderate)
    items, total = services.moderation_queue(page_number())
    return render_template("moderation/queue.html", items=items, total=total, page=page_number(),
                           per_page=20, form=DecisionForm())


def _decide(target_type: str, target_id: int, decision):
    require(can_moderate)
    target = moderation_target(target_type) or abort(404)
    obj = db.session.get(target.model, target_id) or abort(404)
    form = DecisionForm()
    back = safe_next_url(request.form.get("next")) or url_for("moderation.queue")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    run_service(lambda: decision(current_user, target_type, obj, form.reason.data),
                _("The decision was saved and the author was told."))
    return redirect(back)


@bp.route("/<target_type>/<int:target_id>/hide", methods=["POST"])
@login_required
def hide(target_type: str, target_id: int):
    return _decide(target_type, target_id, services.hide_content)


@bp.route("/<target_type>/<int:target_id>/restore", methods=["POST"])
@login_required
def restore(target_type: str, target_id: int):
    return _decide(target_type, target_id, services.restore_content)
