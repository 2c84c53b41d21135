from flask import abort, jsonify
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import require_api
from app.api.helpers import json_body, page_arg, validate
from app.api.spec import documented
from app.core import ValidationFailed, iso
from app.extensions import db
from app.moderation import services
from app.moderation.forms import DecisionForm, ReportForm
from app.moderation.permissions import can_moderate
from app.moderation.registry import moderation_target, moderation_types
from app.proposals.permissions import is_active_user

REPORT_BODY = {"type": "object", "required": ["target_type", "target_id", "reason"], "properties": {
    "target_type": {"type": "string", "enum": ["proposal", "comment"]}, "target_id": {"type": "integer"},
    "reason": {"type": "string", "minLength": 5, "maxLength": 500}}}
REPORT_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "target_type": {"type": "string"}, "target_id": {"type": "integer"},
    "reason": {"type": "string"}, "created_at": {"type": "string"}}}
DECISION_BODY = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}


@bp.route("/reports", methods=["POST"])
@documented("Report a proposal or comment to staff; 3 reports from different accounts hide it pending review",
            tag="moderation", body=REPORT_BODY, responses={201: ("Reported", REPORT_SCHEMA),
                                                           409: ("Already reported, or your own writing", None)})
def create_report():
    user = require_api(is_active_user)
    payload = json_body()
    target_type, target_id = payload.pop("target_type", None), payload.pop("target_id", None)
    errors = {}
    if target_type not in moderation_types():
        errors["target_type"] = [_l("Send target_type: proposal or comment.")]
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        errors["target_id"] = [_l("Send the id of the proposal or comment as a number.")]
    try:
        form = validate(ReportForm, payload)
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if errors:
        raise ValidationFailed(errors)
    report = services.report_content(user, target_type, target_id, form.reason.data)
    db.session.commit()
    return jsonify({"id": report.id, "target_type": report.target_type, "target_id": report.target_id,
                    "reason": report.reason, "created_at": iso(report.created_at)}), 201


@bp.route("/moderation/queue")
@documented("Content with open reports, most reported first (staff)", tag="moderation")
def moderation_queue():
    require_api(can_moderate)
    items, total = services.moderation_queue(page_arg())
    return jsonify({"items": [{"target_type": i.target_type, "target_id": i.target_id, "reports": i.report_count,
                               "title": i.title, "url": i.url, "reasons": i.reasons,
                               "hidden": bool(i.obj and i.obj.hidden)} for i in items],
                    "total": total, "page": page_arg(), "per_page": 20})


def _decide(target_type: str, target_id: int, decision):
    actor = require_api(can_moderate)
    target = moderation_target(target_type) or abort(404)
    obj = db.session.get(target.model, target_id) or abort(404)
    form = validate(DecisionForm, json_body())
    decision(actor, target_type, obj, form.reason.data)
    db.session.commit()
    return jsonify({"target_type": target_type, "target_id": target_id, "hidden": obj.hidden})


@bp.route("/moderation/<target_type>/<int:target_id>/hide", methods=["POST"])
@documented("Hide content with a reason the author sees (staff)", tag="moderation", body=DECISION_BODY)
def moderation_hide(target_type: str, target_id: int):
    return _decide(target_type, target_id, services.hide_content)


@bp.route("/moderation/<target_type>/<int:target_id>/restore", methods=["POST"])
@documented("Restore content (or keep it visible) with a reason (staff)", tag="moderation", body=DECISION_BODY)
def moderation_restore(target_type: str, target_id: int):
    return _decide(target_type, target_id, services.restore_content)
