"""Policy progress over the API: the same services and forms as the pages."""
from typing import Any

from flask import abort, jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.routes_comments import COMMENT_BODY, COMMENT_LIST_QUERY, COMMENT_PAGE_SCHEMA, COMMENT_SCHEMA
from app.api.routes_comments import comments_create, comments_list
from app.api.spec import documented, query_param
from app.core import ValidationFailed, iso
from app.extensions import db
from app.policies import services
from app.policies.comments import TARGET_TYPE
from app.policies.forms import NewStepForm, PolicyForm, StatusForm, StepForm, UpdateForm
from app.policies.models import Horizon, Policy, PolicyStatus, PolicyStep, PolicyUpdate, StepState
from app.policies.permissions import (
    can_change_status,
    can_create_policy,
    can_edit_policy,
    can_follow,
    can_manage_steps,
    can_post_update,
)
from app.proposals.permissions import can_view_proposal

DETAIL_UPDATES = 20

STEP_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "position": {"type": "integer", "description": "0 is the build step"},
    "title": {"type": "string"}, "weight": {"type": "integer"},
    "state": {"type": "string", "enum": [s.value for s in StepState]},
    "percent": {"type": "integer", "nullable": True}, "completion": {"type": "integer"}}}
UPDATE_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "body": {"type": "string"}, "author": {"type": "string", "nullable": True},
    "created_at": {"type": "string"}, "step_id": {"type": "integer", "nullable": True},
    "step_state": {"type": "string", "nullable": True, "enum": [s.value for s in StepState]},
    "step_percent": {"type": "integer", "nullable": True}, "comment_count": {"type": "integer"},
    "attachment": {"type": "object", "nullable": True, "properties": {
        "name": {"type": "string"}, "mime": {"type": "string"}, "size": {"type": "integer"},
        "url": {"type": "string"}}}}}
POLICY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "summary": {"type": "string"},
    "department": {"type": "string"}, "official": {"type": "string", "nullable": True},
    "official_id": {"type": "integer", "nullable": True}, "field": {"type": "string", "nullable": True},
    "horizon": {"type": "string", "nullable": True, "enum": [h.value for h in Horizon]},
    "starts_on": {"type": "string", "nullable": True}, "ends_on": {"type": "string", "nullable": True},
    "budget_won": {"type": "integer", "nullable": True},
    "status": {"type": "string", "enum": [s.value for s in PolicyStatus]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}
POLICY_DETAIL_SCHEMA = {"allOf": [POLICY_SCHEMA, {"type": "object", "properties": {
    "steps": {"type": "array", "items": STEP_SCHEMA},
    "proposal_ids": {"type": "array", "items": {"type": "integer"}},
    "timeline": {"type": "array", "items": {"type": "object", "properties": {
        "from": {"type": "string", "nullable": True}, "to": {"type": "string"},
        "reason": {"type": "string", "nullable": True}, "actor": {"type": "string", "nullable": True},
        "at": {"type": "string"}}}},
    "updates": {"type": "array", "items": UPDATE_SCHEMA, "description": f"the latest {DETAIL_UPDATES}"},
    "update_count": {"type": "integer"}, "following": {"type": "boolean"}}}]}
POLICY_LIST_SCHEMA = {"type": "object", "properties": {
    "items": {"type": "array", "items": POLICY_SCHEMA}, "total": {"type": "integer"},
    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
POLICY_FIELDS = {
    "title": {"type": "string", "maxLength": 200}, "summary": {"type": "string"},
    "department": {"type": "string", "maxLength": 100},
    "field": {"type": "string", "description": "a field's slug (GET /api/v1/fields)"},
    "horizon": {"type": "string", "enum": [h.value for h in Horizon]},
    "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "budget_won": {"type": "integer", "minimum": 0},
    "official_id": {"type": "integer", "description": "a staff account"}, "official_name": {"type": "string"},
    "proposal_ids": {"type": "array", "items": {"type": "integer"},
                     "description": "adopted or partly adopted proposals"},
}
NEW_STEP: dict[str, Any] = {"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string", "maxLength": 200}, "weight": {"type": "integer", "minimum": 1, "default": 1}}}
POLICY_BODY = {"type": "object", "required": ["title", "summary", "department"], "properties": {
    **POLICY_FIELDS, "steps": {"type": "array", "items": NEW_STEP, "description": "Step 0 (build) first"}},
    "description": "Give a horizon or a date range (starts_on and ends_on)."}
POLICY_EDIT_BODY = {"type": "object", "required": ["title", "summary", "department"], "properties": POLICY_FIELDS}
STEP_BODY = {"type": "object", "required": ["title", "weight", "state"], "properties": {
    **NEW_STEP["properties"], "state": {"type": "string", "enum": [s.value for s in StepState]},
    "percent": {"type": "integer", "minimum": 0, "maximum": 100}}}
MOVE_BODY = {"type": "object", "required": ["direction"], "properties": {
    "direction": {"type": "string", "enum": ["up", "down"]}}}
STATUS_BODY = {"type": "object", "required": ["status"], "properties": {
    "status": {"type": "string", "enum": [s.value for s in PolicyStatus]},
    "reason": {"type": "string", "description": "required for stopped"}}}
UPDATE_BODY = {"type": "object", "required": ["body"], "properties": {
    "body": {"type": "string"}, "step_id": {"type": "integer"},
    "step_state": {"type": "string", "enum": [s.value for s in StepState]},
    "step_percent": {"type": "integer", "minimum": 0, "maximum": 100}}}
FOLLOW_SCHEMA = {"type": "object", "properties": {"following": {"type": "boolean"}}}


def policy_json(policy: Policy) -> dict:
    return {
        "id": policy.id, "title": policy.title, "summary": policy.summary, "department": policy.department,
        "official": policy.official_display, "official_id": policy.official_id,
        "field": policy.field.slug if policy.field else None,
        "horizon": policy.horizon.value if policy.horizon else None,
        "starts_on": iso(policy.starts_on), "ends_on": iso(policy.ends_on), "budget_won": policy.budget_won,
        "status": policy.status.value, "progress": policy.progress,
        "created_at": iso(policy.created_at), "updated_at": iso(policy.updated_at),
    }


def step_json(step: PolicyStep) -> dict:
    return {"id": step.id, "position": step.position, "title": step.title, "weight": step.weight,
            "state": step.state.value, "percent": step.percent, "completion": step.completion}


def update_json(update: PolicyUpdate) -> dict:
    attachment = None
    if update.attachment_key:
        attachment = {"name": update.attachment_name, "mime": update.attachment_mime,
                      "size": update.attachment_size,
                      "url": url_for("policies.attachment", policy_id=update.policy_id, update_id=update.id)}
    return {
        "id": update.id, "body": update.body, "author": update.author.display_name if update.author else None,
        "created_at": iso(update.created_at), "step_id": update.step_id,
        "step_state": update.step_state.value if update.step_state else None,
        "step_percent": update.step_percent, "comment_count": update.comment_count, "attachment": attachment,
    }


def policy_detail_json(policy: Policy) -> dict:
    updates = db.paginate(services.updates_query(policy), page=1, per_page=DETAIL_UPDATES, error_out=False)
    return {
        **policy_json(policy),
        "steps": [step_json(step) for step in policy.steps],
        "proposal_ids": [p.id for p in policy.proposals if can_view_proposal(api_user(), p)],
        "timeline": [{"from": c.from_status.value if c.from_status else None, "to": c.to_status.value,
                      "reason": c.reason, "actor": c.actor.display_name if c.actor else None,
                      "at": iso(c.created_at)} for c in policy.status_changes],
        "updates": [update_json(update) for update in updates.items],
        "update_count": updates.total,
        "following": services.is_following(policy, api_user()),
    }


def _policy_or_404(policy_id: int) -> Policy:
    return services.load_policy(policy_id) or abort(404)


def _step_or_404(policy: Policy, step_id: int) -> PolicyStep:
    step = db.session.get(PolicyStep, step_id)
    if step is None or step.policy_id != policy.id:
        abort(404)
    return step


def _update_or_404(policy_id: int, update_id: int) -> PolicyUpdate:
    update = db.session.get(PolicyUpdate, update_id)
    if update is None or update.policy_id != policy_id:
        abort(404)
    return update


def _enum_filter(enum_class, name: str):
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return enum_class(value)
    except ValueError:
        raise ValidationFailed({name: [_l("Use one of: %(codes)s.", codes=", ".join(m.value for m in enum_class))]}) \
            from None


def _policy_form(payload: dict, policy: Policy | None = None, *, ignore=()) -> PolicyForm:
    return validate(PolicyForm, payload, ignore=ignore, staff=services.staff_users(),
                    **services.form_choices(policy))


def _steps(payload: dict) -> list[tuple[str, int]]:
    raw = payload.get("steps", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ValidationFailed({"steps": [_l("Send the steps as a list of objects with a title and a weight.")]})
    steps, errors = [], {}
    for index, item in enumerate(raw):
        try:
            form = validate(NewStepForm, {"weight": 1, **item})
        except ValidationFailed as failed:
            errors.update({f"steps[{index}].{name}": messages for name, messages in failed.errors.items()})
        else:
            steps.append((form.title.data, form.weight.data))
    if errors:
        raise ValidationFailed(errors)
    return steps


@bp.route("/policies", methods=["GET"])
@documented("List policies and projects with their progress", tag="policies", auth=False,
            responses={200: ("A page of policies, latest activity first", POLICY_LIST_SCHEMA)},
            query=[query_param("field", description="a field's slug"), query_param("department"),
                   query_param("status", enum=[s.value for s in PolicyStatus]),
                   query_param("horizon", enum=[h.value for h in Horizon]),
                   query_param("page", "integer"), query_param("per_page", "integer")])
def list_policies():
    query = services.policies_query(
        field=request.args.get("field", "").strip() or None,
        department=request.args.get("department", "").strip() or None,
        status=_enum_filter(PolicyStatus, "status"), horizon=_enum_filter(Horizon, "horizon"))
    pagination = db.paginate(query, page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, policy_json))


@bp.route("/policies", methods=["POST"])
@documented("Create a policy, optionally from adopted proposals and with its steps (staff)", tag="policies",
            body=POLICY_BODY, responses={201: ("The new policy", POLICY_DETAIL_SCHEMA), 403: ("Staff only", None)})
def create_policy():
    actor = require_api(can_create_policy)
    payload = json_body()
    form = _policy_form(payload, ignore=("steps",))
    steps = _steps(payload)
    policy = services.create_policy(actor, services.policy_data(form), field_slug=form.field.data or None,
                                    proposal_ids=form.proposal_ids.data, steps=steps)
    db.session.commit()
    return jsonify(policy_detail_json(_policy_or_404(policy.id))), 201


@bp.route("/policies/<int:policy_id>", methods=["GET"])
@documented("A policy with its steps, progress, timeline, latest updates and linked proposal ids", tag="policies",
            auth=False, responses={200: ("The policy", POLICY_DETAIL_SCHEMA), 404: ("No such policy", None)})
def get_policy(policy_id: int):
    return jsonify(policy_detail_json(_policy_or_404(policy_id)))


@bp.route("/policies/<int:policy_id>", methods=["PUT"])
@documented("Replace a policy's details and linked proposals (staff)", tag="policies", body=POLICY_EDIT_BODY,
            responses={200: ("The policy", POLICY_DETAIL_SCHEMA), 403: ("Staff only", None)})
def edit_policy(policy_id: int):
    policy = _policy_or_404(policy_id)
    actor = require_api(can_edit_policy, policy)
    form = _policy_form(json_body(), policy)
    services.edit_policy(policy, actor, services.policy_data(form), field_slug=form.field.data or None,
                         proposal_ids=form.proposal_ids.data)
    db.session.commit()
    return jsonify(policy_detail_json(_policy_or_404(policy.id)))


@bp.route("/policies/<int:policy_id>/status", methods=["POST"])
@documented("Change a policy's status; stopping needs a reason (staff)", tag="policies", body=STATUS_BODY,
            responses={200: ("The policy", POLICY_DETAIL_SCHEMA), 403: ("Staff only, and not once final", None),
                       409: ("Not allowed from the current status", None)})
def change_policy_status(policy_id: int):
    policy = _policy_or_404(policy_id)
    actor = require_api(can_change_status, policy)
    form = validate(StatusForm, json_body())
    services.change_status(policy, actor, PolicyStatus(form.status.data), form.reason.data)
    db.session.commit()
    return jsonify(policy_detail_json(_policy_or_404(policy.id)))


@bp.route("/policies/<int:policy_id>/steps", methods=["POST"])
@documented("Add a step at the end (staff)", tag="policies", body=NEW_STEP,
            responses={201: ("The new step", STEP_SCHEMA), 403: ("Staff only, and not once final", None)})
def add_policy_step(policy_id: int):
    policy = _policy_or_404(policy_id)
    actor = require_api(can_manage_steps, policy)
    form = validate(NewStepForm, {"weight": 1, **json_body()})
    step = services.add_step(policy, actor, form.title.data, form.weight.data)
    db.session.commit()
    return jsonify(step_json(step)), 201


@bp.route("/policies/<int:policy_id>/steps/<int:step_id>", methods=["PUT"])
@documented("Change a step's title, weight, state and partial percentage (staff)", tag="policies",
            body=STEP_BODY, responses={200: ("The step", STEP_SCHEMA), 403: ("Staff only, and not once final", None)})
def edit_policy_step(policy_id: int, step_id: int):
    policy = _policy_or_404(policy_id)
    actor = require_api(can_manage_steps, policy)
    step = _step_or_404(policy, step_id)
    form = validate(StepForm, json_body())
    services.edit_step(step, actor, title=form.title.data, weight=form.weight.data,
                       state=StepState(form.state.data), percent=form.percent.data)
    db.session.commit()
    return jsonify(step_json(step))


@bp.route("/policies/<int:policy_id>/steps/<int:step_id>/move", methods=["POST"])
@documented("Move a step up or down the order (staff)", tag="policies", body=MOVE_BODY,
            responses={200: ("Every step in the new order", {"type": "array", "items": STEP_SCHEMA})})
def move_policy_step(policy_id: int, step_id: int):
    policy = _policy_or_404(policy_id)
    actor = require_api(can_manage_steps, policy)
    step = _step_or_404(policy, step_id)
    payload = json_body()
    if payload.get("direction") not in ("up", "down") or set(payload) != {"direction"}:
        raise ValidationFailed({"direction": [_l("Send the direction: up or down.")]})
    services.move_step(step, actor, -1 if payload["direction"] == "up" else 1)
    db.session.commit()
    return jsonify([step_json(s) for s in _policy_or_404(policy.id).steps])


@bp.route("/policies/<int:policy_id>/updates", methods=["GET"])
@documented("A policy's progress updates, newest first", tag="policies", auth=False,
            query=[query_param("page", "integer"), query_param("per_page", "integer")],
            responses={200: ("A page of updates", {"type": "object", "properties": {
                "items": {"type": "array", "items": UPDATE_SCHEMA}, "total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"}}})})
def list_policy_updates(policy_id: int):
    policy = _policy_or_404(policy_id)
    pagination = db.paginate(services.updates_query(policy), page=page_arg(), per_page=per_page_arg(),
                             error_out=False)
    return jsonify(paginated(pagination, update_json))


@bp.route("/policies/<int:policy_id>/updates", methods=["POST"])
@documented("Post a progress update, optionally changing one step; notifies followers, proposers and "
            "supporters (staff). Send JSON, or multipart/form-data with the same fields plus an `attachment` "
            "file (PNG, JPEG, WebP or PDF, at most 5 MB).", tag="policies", body=UPDATE_BODY,
            responses={201: ("The update", UPDATE_SCHEMA), 403: ("Staff only", None)})
def post_policy_update(policy_id: int):
    policy = _policy_or_404(policy_id)
    actor = require_api(can_post_update, policy)
    if request.mimetype == "multipart/form-data":
        payload, upload = request.form.to_dict(), request.files.get("attachment")
    else:
        payload, upload = json_body(), None
    form = validate(UpdateForm, payload, steps=policy.steps)
    update = services.post_update(
        policy, actor, body=form.body.data, step_id=form.step_id.data,
        step_state=StepState(form.step_state.data) if form.step_state.data else None,
        step_percent=form.step_percent.data, upload=upload)
    db.session.commit()
    return jsonify(update_json(update)), 201


@bp.route("/policies/<int:policy_id>/follow", methods=["PUT"])
@documented("Follow a policy", tag="policies", responses={200: ("Following", FOLLOW_SCHEMA)})
def follow_policy(policy_id: int):
    policy = _policy_or_404(policy_id)
    user = require_api(can_follow, policy)
    services.follow(policy, user)
    db.session.commit()
    return jsonify({"following": True})


@bp.route("/policies/<int:policy_id>/follow", methods=["DELETE"])
@documented("Stop following a policy", tag="policies", responses={200: ("Not following", FOLLOW_SCHEMA)})
def unfollow_policy(policy_id: int):
    policy = _policy_or_404(policy_id)
    user = require_api(can_follow, policy)
    services.unfollow(policy, user)
    db.session.commit()
    return jsonify({"following": False})


@bp.route("/policies/<int:policy_id>/updates/<int:update_id>/comments", methods=["GET"])
@documented("Comments on a progress update", tag="policies", auth=False, query=COMMENT_LIST_QUERY,
            responses={200: ("A page of comments with their replies", COMMENT_PAGE_SCHEMA)})
def policy_update_comments(policy_id: int, update_id: int):
    return comments_list(TARGET_TYPE, _update_or_404(policy_id, update_id).id)


@bp.route("/policies/<int:policy_id>/updates/<int:update_id>/comments", methods=["POST"])
@documented("Comment on a progress update, or reply with parent_id", tag="policies", body=COMMENT_BODY,
            responses={201: ("The comment", COMMENT_SCHEMA)})
def create_policy_update_comment(policy_id: int, update_id: int):
    return comments_create(TARGET_TYPE, _update_or_404(policy_id, update_id).id)
