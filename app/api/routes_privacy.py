"""Privacy in the API: the policy, agreeing again, the export, deletion, the staff access log, breaches."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import api_user, require_api, token_required
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented, query_param
from app.auth.export import export_user_data, iso
from app.auth.services import password_matches
from app.core import ValidationFailed, utcnow
from app.extensions import db
from app.privacy.access import data_access_query
from app.privacy.breach import affected_count, checklist_state, complete_step, list_breaches, record_breach
from app.privacy.deletion import cancel_deletion, pending_deletions, pending_request, request_deletion
from app.privacy.export_zip import export_zip
from app.privacy.forms import PolicyForm
from app.privacy.models import BreachIncident
from app.privacy.permissions import (
    can_manage_breaches,
    can_publish_policy,
    can_view_data_access_log,
    can_view_pending_deletions,
)
from app.privacy.policy import (
    agree_to_current,
    current_policy,
    current_policy_version,
    publish_policy,
    published_versions,
    reconsent_policy,
)


def policy_json(policy) -> dict:
    config = current_app.config
    base = {"retention_days": config["PRIVACY_RETENTION_DAYS"],
            "sign_in_log_retention_days": config["ACCESS_LOG_RETENTION_DAYS"],
            "privacy_officer": {"name": config["PRIVACY_OFFICER_NAME"], "contact": config["PRIVACY_OFFICER_CONTACT"]},
            "deletion_cooling_off_days": config["PRIVACY_DELETION_COOLING_OFF_DAYS"]}
    if policy is None:
        return {**base, "version": config["PRIVACY_POLICY_VERSION"], "published_at": None, "builtin": True,
                "required_changed": False, "changes": "", "body_ko": None, "body_en": None}
    return {**base, "version": policy.version, "published_at": iso(policy.published_at), "builtin": False,
            "required_changed": policy.required_changed, "changes": policy.changes, "body_ko": policy.body_ko,
            "body_en": policy.body_en or None}


@bp.route("/privacy/policy", methods=["GET"])
@documented("The privacy policy in force: version, text, retention per kind of data, privacy officer",
            tag="privacy", auth=False)
def privacy_policy():
    return jsonify(policy_json(current_policy()))


@bp.route("/privacy/policies", methods=["GET"])
@documented("Every published version of the privacy policy, newest first", tag="privacy", auth=False)
def privacy_policies():
    return jsonify({"items": [{"version": p.version, "published_at": iso(p.published_at),
                               "required_changed": p.required_changed, "changes": p.changes}
                              for p in published_versions()],
                    "builtin_version": current_app.config["PRIVACY_POLICY_VERSION"]})


POLICY_BODY = {"type": "object", "required": ["version", "body_ko", "changes"], "properties": {
    "version": {"type": "string", "maxLength": 20}, "body_ko": {"type": "string"}, "body_en": {"type": "string"},
    "changes": {"type": "string"}, "required_changed": {"type": "boolean",
                                                        "description": "Everyone agrees again at next log-in"}}}


@bp.route("/privacy/policies", methods=["POST"])
@documented("Publish a new privacy policy version (admins)", tag="privacy", body=POLICY_BODY,
            responses={201: ("Published", None), 403: ("Not an admin", None)})
def publish_privacy_policy():
    user = require_api(can_publish_policy)
    form = validate(PolicyForm, json_body())
    policy = publish_policy(user, version=form.version.data, body_ko=form.body_ko.data, body_en=form.body_en.data,
                            changes=form.changes.data, required_changed=form.required_changed.data)
    db.session.commit()
    return jsonify(policy_json(policy)), 201


def _deletion_json(row) -> dict | None:
    if row is None:
        return None
    return {"status": row.status.value, "keep_content": row.keep_content, "requested_at": iso(row.requested_at),
            "due_at": iso(row.due_at)}


@bp.route("/me/privacy", methods=["GET"])
@token_required
@documented("The current user's privacy state: the version in force, whether they must agree again, "
            "a pending deletion", tag="privacy")
def my_privacy():
    user = api_user()
    return jsonify({"current_version": current_policy_version(), "must_agree": reconsent_policy(user) is not None,
                    "deletion": _deletion_json(pending_request(user))})


@bp.route("/me/privacy/agree", methods=["POST"])
@token_required
@documented("Agree to the privacy policy version in force", tag="privacy",
            body={"type": "object", "required": ["agree"],
                  "properties": {"agree": {"type": "boolean", "enum": [True]}}})
def agree_privacy():
    user = api_user()
    if json_body().get("agree") is not True:
        raise ValidationFailed({"agree": [_l("Tick the box to agree.")]})
    row = agree_to_current(user)
    db.session.commit()
    return jsonify({"version": row.policy_version, "agreed_at": iso(row.created_at)})


@bp.route("/me/export", methods=["GET"])
@token_required
@documented("Everything Maeul holds about the current user: a zip of JSON and CSV files, or one JSON "
            "document with format=json (privacy: view your data)", tag="accounts",
            query=[query_param("format", description="zip (default) or json", enum=["zip", "json"])],
            responses={200: ("A zip file (application/zip) or JSON", None)})
def export_me():
    user = api_user()
    wanted = request.args.get("format", "zip")
    if wanted == "json":
        return jsonify(export_user_data(user))
    if wanted != "zip":
        raise ValidationFailed({"format": [_l("Choose zip or json.")]})
    return Response(export_zip(user), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="maeul-my-data-{utcnow():%Y%m%d}.zip"'})


DELETION_BODY = {"type": "object", "required": ["password", "keep_content"], "properties": {
    "password": {"type": "string"},
    "keep_content": {"type": "boolean", "description": "true: keep what they wrote as 탈퇴한 회원; false: remove it"}}}


@bp.route("/me/deletion", methods=["POST"])
@token_required
@documented("Ask to delete the current account after the cooling-off period", tag="privacy", body=DELETION_BODY,
            responses={201: ("Requested", None), 409: ("Already asked, or allowances still open", None)})
def request_my_deletion():
    user = api_user()
    payload = json_body()
    errors = {}
    if not isinstance(payload.get("password"), str) or not password_matches(user, payload["password"]):
        errors["password"] = [_l("The password is wrong.")]
    if not isinstance(payload.get("keep_content"), bool):
        errors["keep_content"] = [_l("Send true or false.")]
    if errors:
        raise ValidationFailed(errors)
    row = request_deletion(user, keep_content=payload["keep_content"])
    db.session.commit()
    return jsonify(_deletion_json(row)), 201


@bp.route("/me/deletion", methods=["DELETE"])
@token_required
@documented("Cancel the current account's pending deletion", tag="privacy",
            responses={204: ("Cancelled", None), 409: ("Nothing to cancel", None)})
def cancel_my_deletion():
    cancel_deletion(api_user())
    db.session.commit()
    return "", 204


@bp.route("/privacy/deletions", methods=["GET"])
@documented("Accounts waiting to be erased, soonest first (staff)", tag="privacy",
            query=[query_param("page", "integer"), query_param("per_page", "integer")])
def pending_deletions_api():
    require_api(can_view_pending_deletions)
    return jsonify(paginated(pending_deletions(page_arg(), per_page_arg()), lambda row: {
        "user_id": row.user_id, "reason": row.reason.value, **_deletion_json(row)}))


@bp.route("/privacy/access-log", methods=["GET"])
@documented("Staff and facilitators' views and exports of personal data, newest first (admins)", tag="privacy",
            query=[query_param("kind", enum=["contact", "bank_account", "receipt", "application", "attendance"]),
                   query_param("actor", description="staff email"), query_param("subject_id", "integer"),
                   query_param("page", "integer"), query_param("per_page", "integer")])
def data_access_log_api():
    require_api(can_view_data_access_log)
    kind = request.args.get("kind") or None
    if kind not in (None, "contact", "bank_account", "receipt", "application", "attendance"):
        raise ValidationFailed({"kind": [_l("Unknown kind of data.")]})
    query = data_access_query(kind=kind, actor_email=request.args.get("actor") or None,
                              subject_id=request.args.get("subject_id", type=int))
    pagination = db.paginate(query, page=page_arg(), per_page=per_page_arg(50, 200), error_out=False)
    return jsonify(paginated(pagination, lambda row: {
        "at": iso(row.created_at), "actor_id": row.actor_id, "subject_id": row.subject_id, "kind": row.kind.value,
        "action": row.action.value, "target_type": row.target_type, "target_id": row.target_id,
        "channel": row.channel, "ip_address": row.ip_address}))


def breach_json(incident: BreachIncident) -> dict:
    count = affected_count(incident)
    return {"id": incident.id, "title": incident.title, "description": incident.description,
            "data_kinds": incident.data_kinds, "occurred_from": iso(incident.occurred_from),
            "occurred_until": iso(incident.occurred_until), "discovered_at": iso(incident.discovered_at),
            "deadline": iso(incident.deadline), "suspect_id": incident.suspect_id, "affected_count": count,
            "checklist": [{"step": s["step"], "label": str(s["label"]), "required": s["required"],
                           "done_at": iso(s["done_at"]), "overdue": s["overdue"]}
                          for s in checklist_state(incident, count, utcnow())]}


BREACH_BODY = {"type": "object", "required": ["title", "description", "data_kinds", "occurred_from",
                                              "occurred_until", "discovered_at"], "properties": {
    "title": {"type": "string", "maxLength": 200}, "description": {"type": "string"},
    "data_kinds": {"type": "array", "items": {"type": "string", "enum": [
        "contact", "bank_account", "receipt", "application", "attendance"]}},
    "occurred_from": {"type": "string", "format": "date-time", "description": "UTC, ISO 8601"},
    "occurred_until": {"type": "string", "format": "date-time"},
    "discovered_at": {"type": "string", "format": "date-time"},
    "suspect_email": {"type": "string"}}}


def _utc(payload: dict, name: str, errors: dict) -> datetime | None:
    value = payload.get(name)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        errors[name] = [_l("Send a date and time (ISO 8601).")]
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


@bp.route("/privacy/breaches", methods=["POST"])
@documented("Record a personal data breach (admins)", tag="privacy", body=BREACH_BODY,
            responses={201: ("Recorded", None)})
def record_breach_api():
    user = require_api(can_manage_breaches)
    payload = json_body()
    errors: dict = {}
    for name in ("title", "description"):
        if not isinstance(payload.get(name), str) or not payload[name].strip():
            errors[name] = [_l("This field is required.")]
    kinds = payload.get("data_kinds")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        errors["data_kinds"] = [_l("Choose at least one kind of data.")]
    times = {name: _utc(payload, name, errors) for name in ("occurred_from", "occurred_until", "discovered_at")}
    if errors:
        raise ValidationFailed(errors)
    incident = record_breach(user, title=payload["title"][:200], description=payload["description"],
                             data_kinds=kinds, suspect_email=payload.get("suspect_email") or None, **times)
    db.session.commit()
    return jsonify(breach_json(incident)), 201


@bp.route("/privacy/breaches", methods=["GET"])
@documented("Recorded breaches, newest first (admins)", tag="privacy", query=[query_param("page", "integer")])
def list_breaches_api():
    require_api(can_manage_breaches)
    pagination = list_breaches(page_arg())
    return jsonify(paginated(pagination, lambda i: {"id": i.id, "title": i.title, "deadline": iso(i.deadline)}))


@bp.route("/privacy/breaches/<int:incident_id>", methods=["GET"])
@documented("A breach: its 72-hour checklist, deadline and how many people are affected (admins)", tag="privacy")
def breach_api(incident_id: int):
    require_api(can_manage_breaches)
    incident = db.session.get(BreachIncident, incident_id) or abort(404)
    return jsonify(breach_json(incident))


@bp.route("/privacy/breaches/<int:incident_id>/steps/<step>", methods=["POST"])
@documented("Mark a checklist step of a breach as done (admins)", tag="privacy")
def breach_step_api(incident_id: int, step: str):
    user = require_api(can_manage_breaches)
    incident = db.session.get(BreachIncident, incident_id) or abort(404)
    complete_step(user, incident, step)
    db.session.commit()
    return jsonify(breach_json(incident))

