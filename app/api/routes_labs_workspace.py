"""The stage workspaces of a lab in the JSON API: problem cards, resources, plan, prototypes and feedback,
data sets, KPIs, texts (findings, retrospective, results summary) and praise."""
from __future__ import annotations

import base64
import binascii

from flask import abort, current_app, jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, validate
from app.api.routes_labs import load_lab, membership_of
from app.api.spec import documented
from app.core import ValidationFailed, iso
from app.extensions import db, limiter
from app.labs import permissions as perm
from app.labs.services import workspace as ws
from app.labs.forms import (
    FeedbackForm,
    GoalForm,
    KpiForm,
    MemberRoleForm,
    PraiseForm,
    ProblemForm,
    PrototypeForm,
    ResourceForm,
    TaskForm,
    TextForm,
)
from app.labs.models import LabMembership, MembershipStatus
from app.labs.models import DataSet, ProblemCard, Prototype, ResourceKind

TAG = "lab workspaces"
OBJECT = {"type": "object"}
LIST = {"type": "object", "properties": {"items": {"type": "array", "items": OBJECT}}}


def _viewer(lab):
    """The token's user when they may see the workspace, else 401/403."""
    return require_api(lambda u: perm.can_view_workspace(u, lab, membership_of(lab, u)))


def _user_for(lab, feature: str):
    return require_api(lambda u: perm.can_use(feature, u, lab, membership_of(lab, u)))


def _child(model, child_id: int, lab):
    row = db.session.get(model, child_id)
    if row is None or row.lab_id != lab.id:
        abort(404)
    return row


def card_json(card: ProblemCard, empathy: int, mine: bool) -> dict:
    return {"id": card.id, "title": card.title, "body": card.body, "author_id": card.author_id,
            "empathy_count": empathy, "empathized": mine, "created_at": iso(card.created_at)}


@bp.route("/labs/<int:lab_id>/problems", methods=["GET"])
@documented("Problem cards with their empathy counts (members, facilitators, staff)", tag=TAG,
            responses={200: ("The cards, most shared first", LIST)})
def list_problems(lab_id: int):
    lab = load_lab(lab_id)
    user = _viewer(lab)
    return jsonify({"items": [card_json(*row) for row in ws.problem_cards(lab, user)]})


@bp.route("/labs/<int:lab_id>/problems", methods=["POST"])
@documented("Write a problem card (members, stage 1)", tag=TAG, body={
    "type": "object", "required": ["title", "body"], "properties": {
        "title": {"type": "string", "maxLength": 120}, "body": {"type": "string", "minLength": 10}}},
    responses={201: ("The card", OBJECT), 403: ("Not a member, or not stage 1", None)})
def create_problem(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "write_problem")
    form = validate(ProblemForm, json_body())
    card = ws.write_problem(lab, user, title=form.title.data, body=form.body.data)
    db.session.commit()
    return jsonify(card_json(card, 0, False)), 201


def _set_empathy(lab_id: int, problem_id: int, on: bool):
    lab = load_lab(lab_id)
    user = _user_for(lab, "empathize")
    card = _child(ProblemCard, problem_id, lab)
    count = ws.set_empathy(card, user, on)
    db.session.commit()
    return jsonify({"problem_id": card.id, "empathized": on, "empathy_count": count})


@bp.route("/labs/<int:lab_id>/problems/<int:problem_id>/empathy", methods=["PUT"])
@documented("Empathize with a problem card: one vote per member, idempotent", tag=TAG,
            responses={200: ("The card's count", OBJECT)})
def put_empathy(lab_id: int, problem_id: int):
    return _set_empathy(lab_id, problem_id, True)


@bp.route("/labs/<int:lab_id>/problems/<int:problem_id>/empathy", methods=["DELETE"])
@documented("Take back your empathy", tag=TAG, responses={200: ("The card's count", OBJECT)})
def delete_empathy(lab_id: int, problem_id: int):
    return _set_empathy(lab_id, problem_id, False)


def resource_json(r) -> dict:
    return {"id": r.id, "kind": r.kind.value, "name": r.name, "description": r.description, "url": r.url,
            "latitude": r.latitude, "longitude": r.longitude}


@bp.route("/labs/<int:lab_id>/resources", methods=["GET"])
@documented("The lab's resource map", tag=TAG, responses={200: ("Resources", LIST)})
def list_resources(lab_id: int):
    lab = load_lab(lab_id)
    _viewer(lab)
    return jsonify({"items": [resource_json(r) for r in ws.resources(lab)]})


@bp.route("/labs/<int:lab_id>/resources", methods=["POST"])
@documented("Add a place, organisation or data set to the resource map (stage 1)", tag=TAG, body={
    "type": "object", "required": ["kind", "name"], "properties": {
        "kind": {"type": "string", "enum": [k.value for k in ResourceKind]}, "name": {"type": "string"},
        "description": {"type": "string"}, "url": {"type": "string"}, "latitude": {"type": "number"},
        "longitude": {"type": "number"}}}, responses={201: ("The resource", OBJECT)})
def create_resource(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "add_resource")
    form = validate(ResourceForm, json_body())
    resource = ws.add_resource(lab, user, kind=ResourceKind(form.kind.data), name=form.name.data,
                               description=form.description.data, url=form.url.data, latitude=form.latitude.data,
                               longitude=form.longitude.data)
    db.session.commit()
    return jsonify(resource_json(resource)), 201


@bp.route("/labs/<int:lab_id>/plan", methods=["GET"])
@documented("The plan: goals, tasks with owners and due dates, and each member's role", tag=TAG,
            responses={200: ("The plan", OBJECT)})
def get_plan(lab_id: int):
    lab = load_lab(lab_id)
    _viewer(lab)
    goals, tasks = ws.plan_of(lab)
    roles = db.session.execute(select(LabMembership.id, LabMembership.user_id, LabMembership.plan_role)
                               .where(LabMembership.lab_id == lab.id,
                                      LabMembership.status == MembershipStatus.ACCEPTED)).all()
    return jsonify({
        "goals": [{"id": g.id, "text": g.text} for g in goals],
        "tasks": [{"id": t.id, "title": t.title, "owner_id": t.owner_id, "done": t.done,
                   "due_on": t.due_on.isoformat() if t.due_on else None} for t in tasks],
        "roles": [{"membership_id": mid, "user_id": uid, "role": role} for mid, uid, role in roles]})


@bp.route("/labs/<int:lab_id>/plan/goals", methods=["POST"])
@documented("Add a goal to the plan (stage 2)", tag=TAG, body={
    "type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 300}}},
    responses={201: ("The goal", OBJECT)})
def create_goal(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "edit_plan")
    form = validate(GoalForm, json_body())
    goal = ws.add_goal(lab, user, form.text.data)
    db.session.commit()
    return jsonify({"id": goal.id, "text": goal.text}), 201


@bp.route("/labs/<int:lab_id>/plan/tasks", methods=["POST"])
@documented("Add a task with an owner (a member or facilitator) and a due date (stage 2)", tag=TAG, body={
    "type": "object", "required": ["title"], "properties": {
        "title": {"type": "string"}, "owner_id": {"type": "integer"}, "due_on": {"type": "string", "format": "date"}}},
    responses={201: ("The task", OBJECT)})
def create_task(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "edit_plan")
    form = validate(TaskForm, json_body())
    task = ws.add_task(lab, user, title=form.title.data, owner_id=form.owner(), due_on=form.due_on.data)
    db.session.commit()
    return jsonify({"id": task.id, "title": task.title, "owner_id": task.owner_id,
                    "due_on": task.due_on.isoformat() if task.due_on else None, "done": task.done}), 201


@bp.route("/labs/<int:lab_id>/plan/roles/<int:membership_id>", methods=["PUT"])
@documented("Set a member's role in the plan (facilitators, stage 2)", tag=TAG, body={
    "type": "object", "required": ["role"], "properties": {"role": {"type": "string", "maxLength": 100}}},
    responses={200: ("The role", OBJECT)})
def put_role(lab_id: int, membership_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "assign_roles")
    membership = _child(LabMembership, membership_id, lab)
    form = validate(MemberRoleForm, json_body())
    ws.set_member_role(membership, user, form.role.data or "")
    db.session.commit()
    return jsonify({"membership_id": membership.id, "role": membership.plan_role})


def prototype_json(p, count: int | None = None, average: float | None = None) -> dict:
    return {"id": p.id, "title": p.title, "description": p.description, "test_log": p.test_log,
            "feedback_count": count, "average_rating": average, "created_at": iso(p.created_at)}


@bp.route("/labs/<int:lab_id>/prototypes", methods=["GET"])
@documented("Prototypes with their feedback count and average rating (public)", tag=TAG, auth=False,
            responses={200: ("Prototypes", LIST)})
def list_prototypes(lab_id: int):
    lab = load_lab(lab_id)
    return jsonify({"items": [prototype_json(*row) for row in ws.prototypes_with_feedback(lab)]})


@bp.route("/labs/<int:lab_id>/prototypes", methods=["POST"])
@documented("Add a prototype with its description and test log (stage 3)", tag=TAG, body={
    "type": "object", "required": ["title", "description"], "properties": {
        "title": {"type": "string"}, "description": {"type": "string"}, "test_log": {"type": "string"}}},
    responses={201: ("The prototype", OBJECT)})
def create_prototype(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "add_prototype")
    form = validate(PrototypeForm, json_body())
    prototype = ws.add_prototype(lab, user, title=form.title.data, description=form.description.data,
                                 test_log=form.test_log.data)
    db.session.commit()
    return jsonify(prototype_json(prototype, 0)), 201


def _feedback_limit():
    return current_app.config["LAB_PUBLIC_FEEDBACK_LIMIT"]


@bp.route("/labs/<int:lab_id>/prototypes/<int:prototype_id>/feedback", methods=["POST"])
@limiter.limit(_feedback_limit, exempt_when=lambda: api_user() is not None)
@documented("Give feedback on a prototype while the lab is in stage 3: anyone, with or without a token "
            "(anonymous feedback is rate-limited)", tag=TAG, auth=False, body={
                "type": "object", "required": ["rating", "comment"], "properties": {
                    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                    "comment": {"type": "string", "minLength": 2, "maxLength": 1000}}},
            responses={201: ("The feedback", OBJECT), 403: ("Not in stage 3", None), 429: ("Too many", None)})
def create_feedback(lab_id: int, prototype_id: int):
    lab = load_lab(lab_id)
    prototype = _child(Prototype, prototype_id, lab)
    user = api_user()
    if not perm.can_use("give_feedback", user, lab, membership_of(lab, user)):
        abort(403)
    form = validate(FeedbackForm, json_body())
    feedback = ws.give_feedback(prototype, lab, user, rating=int(form.rating.data), comment=form.comment.data)
    db.session.commit()
    return jsonify({"id": feedback.id, "prototype_id": prototype.id, "rating": feedback.rating,
                    "comment": feedback.comment, "created_at": iso(feedback.created_at)}), 201


def dataset_json(d: DataSet, with_rows: bool) -> dict:
    body = {"id": d.id, "name": d.name, "filename": d.filename, "encoding": d.encoding, "columns": d.columns,
            "row_count": d.row_count, "created_at": iso(d.created_at)}
    if with_rows:
        body["rows"] = d.rows
    return body


@bp.route("/labs/<int:lab_id>/datasets", methods=["GET"])
@documented("The lab's data sets (without rows)", tag=TAG, responses={200: ("Data sets", LIST)})
def list_datasets(lab_id: int):
    lab = load_lab(lab_id)
    _viewer(lab)
    return jsonify({"items": [{"id": i, "name": n, "filename": f, "row_count": r}
                              for i, n, f, r in ws.datasets_of(lab)]})


@bp.route("/labs/<int:lab_id>/datasets", methods=["POST"])
@documented("Import a CSV data set (stage 4): base64 of the file, UTF-8 or CP949, all rows or none; errors name "
            "their row", tag=TAG, body={"type": "object", "required": ["name", "content_base64"], "properties": {
                "name": {"type": "string"}, "filename": {"type": "string"},
                "content_base64": {"type": "string", "format": "byte"}}},
            responses={201: ("The data set", OBJECT), 422: ("Errors by row under errors.file", None)})
def create_dataset(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "upload_dataset")
    payload = json_body()
    unknown = sorted(set(payload) - {"name", "filename", "content_base64"})
    errors = {name: [_l("Unknown field.")] for name in unknown}
    name, filename, encoded = payload.get("name"), payload.get("filename") or "data.csv", payload.get("content_base64")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors["name"] = [_l("Name the data set.")]
    data = b""
    try:
        data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
    except (binascii.Error, ValueError):
        pass
    if not data:
        errors["content_base64"] = [_l("Send the CSV file as base64.")]
    if errors:
        raise ValidationFailed(errors)
    dataset = ws.import_dataset(lab, user, name=name, filename=str(filename), data=data)
    db.session.commit()
    return jsonify(dataset_json(dataset, False)), 201


@bp.route("/labs/<int:lab_id>/datasets/<int:dataset_id>", methods=["GET"])
@documented("One data set with its rows", tag=TAG, responses={200: ("The data set", OBJECT)})
def get_dataset(lab_id: int, dataset_id: int):
    lab = load_lab(lab_id)
    _viewer(lab)
    return jsonify(dataset_json(_child(DataSet, dataset_id, lab), True))


def kpi_json(k) -> dict:
    return {"id": k.id, "name": k.name, "unit": k.unit, "target": k.target, "actual": k.actual,
            "percent_of_target": k.percent_of_target, "recorded_at": iso(k.recorded_at)}


@bp.route("/labs/<int:lab_id>/kpis", methods=["GET"])
@documented("KPI values against their targets (public)", tag=TAG, auth=False, responses={200: ("KPIs", LIST)})
def list_kpis(lab_id: int):
    lab = load_lab(lab_id)
    return jsonify({"items": [kpi_json(k) for k in ws.kpis_of(lab)]})


@bp.route("/labs/<int:lab_id>/kpis", methods=["POST"])
@documented("Record a KPI value against its target (stage 4)", tag=TAG, body={
    "type": "object", "required": ["name", "unit", "target", "actual"], "properties": {
        "name": {"type": "string"}, "unit": {"type": "string"}, "target": {"type": "number"},
        "actual": {"type": "number"}}}, responses={201: ("The KPI value", OBJECT)})
def create_kpi(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "record_kpi")
    form = validate(KpiForm, json_body())
    kpi = ws.record_kpi(lab, user, name=form.name.data, unit=form.unit.data, target=form.target.data,
                        actual=form.actual.data)
    db.session.commit()
    return jsonify(kpi_json(kpi)), 201


TEXTS = {"findings": "write_findings", "retrospective": "write_retrospective",
         "results_summary": "write_results_summary"}


@bp.route("/labs/<int:lab_id>/texts/<which>", methods=["PUT"])
@documented("Write the findings (stage 4), the retrospective or the public results summary (stage 5; "
            "facilitators)", tag=TAG, body={"type": "object", "required": ["text"],
                                            "properties": {"text": {"type": "string", "maxLength": 20000}}},
            responses={200: ("The text", OBJECT)})
def put_text(lab_id: int, which: str):
    if which not in TEXTS:
        abort(404)
    lab = load_lab(lab_id)
    user = _user_for(lab, TEXTS[which])
    form = validate(TextForm, json_body())
    ws.write_text(lab, user, which, form.text.data)
    db.session.commit()
    return jsonify({which: getattr(lab, which)})


def praise_json(p) -> dict:
    return {"id": p.id, "from_user_id": p.from_user_id, "to_user_id": p.to_user_id,
            "to": p.to_user.display_name, "message": p.message, "created_at": iso(p.created_at)}


@bp.route("/labs/<int:lab_id>/praise", methods=["GET"])
@documented("Praise between members (public)", tag=TAG, auth=False, responses={200: ("Praise", LIST)})
def list_praise(lab_id: int):
    lab = load_lab(lab_id)
    return jsonify({"items": [praise_json(p) for p in ws.praise_of(lab)]})


@bp.route("/labs/<int:lab_id>/praise", methods=["POST"])
@documented("Praise another member or facilitator (stage 5)", tag=TAG, body={
    "type": "object", "required": ["to_user_id", "message"], "properties": {
        "to_user_id": {"type": "integer"}, "message": {"type": "string", "maxLength": 1000}}},
    responses={201: ("The praise", OBJECT)})
def create_praise(lab_id: int):
    lab = load_lab(lab_id)
    user = _user_for(lab, "give_praise")
    form = validate(PraiseForm, json_body())
    praise = ws.give_praise(lab, user, to_user_id=int(form.to_user_id.data), message=form.message.data)
    db.session.commit()
    return jsonify(praise_json(praise)), 201


