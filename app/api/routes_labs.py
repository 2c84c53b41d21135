"""Living labs in the JSON API: labs, recruitment, stages and sessions. Workspaces: routes_labs_workspace."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired

from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented, query_param
from app.core import ValidationFailed, iso, utcnow
from app.extensions import db
from app.labs import permissions as perm
from app.labs.services import labs as services
from app.labs.services import sessions as session_services
from app.labs.forms import ApplicationForm, DecisionForm, LabForm, RsvpForm, SessionForm, StageForm
from app.labs.gates import unmet_conditions
from app.labs.models import Lab, LabMembership, LabMode, LabSession, LabStage, MemberGroup, MembershipStatus, RsvpAnswer
from app.labs.models import lab_proposals
from app.labs.models import GateNotMet
from app.labs import queries
from app.labs.queries import lab_kpis
from app.labs.views import load_lab, seoul_today

TAG = "labs"
STAGE_VALUE = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "string", "enum": ["closed"]}]}
LAB_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "summary": {"type": "string"},
    "mode": {"type": "string", "enum": [m.value for m in LabMode]}, "district": {"type": "string"},
    "budget_won": {"type": "integer", "nullable": True}, "capacity": {"type": "integer"},
    "recruitment_deadline": {"type": "string", "format": "date"}, "starts_on": {"type": "string", "format": "date"},
    "ends_on": {"type": "string", "format": "date"}, "stage": STAGE_VALUE,
    "stage_code": {"type": "string", "enum": [s.value for s in LabStage]}, "recruiting": {"type": "boolean"},
    "accepted_members": {"type": "integer"}, "facilitators": {"type": "array", "items": {"type": "object"}},
    "closed_at": {"type": "string", "nullable": True}}}
LAB_DETAIL_SCHEMA = {"type": "object", "properties": {
    **LAB_SCHEMA["properties"],
    "members_by_group": {"type": "object", "properties": {g.value: {"type": "integer"} for g in MemberGroup}},
    "kpis": {"type": "object"}, "sessions": {"type": "array", "items": {"type": "object"}},
    "proposal_ids": {"type": "array", "items": {"type": "integer"}},
    "timeline": {"type": "array", "items": {"type": "object"}},
    "unmet_gate": {"type": "array", "items": {"type": "string"}, "description": "for facilitators of the lab"}}}
LAB_BODY: dict[str, Any] = {"type": "object", "required": ["title", "summary", "mode", "district", "capacity",
                                            "recruitment_deadline", "starts_on", "ends_on"], "properties": {
    "title": {"type": "string", "minLength": 4, "maxLength": 120},
    "summary": {"type": "string", "minLength": 20, "maxLength": 5000},
    "mode": {"type": "string", "enum": [m.value for m in LabMode]}, "district": {"type": "string"},
    "budget_won": {"type": "integer", "minimum": 0}, "capacity": {"type": "integer", "minimum": 1, "maximum": 500},
    "recruitment_deadline": {"type": "string", "format": "date"}, "starts_on": {"type": "string", "format": "date"},
    "ends_on": {"type": "string", "format": "date"},
    "proposal_ids": {"type": "array", "items": {"type": "integer"}, "description": "required for city_commissioned"}}}
APPLICATION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "user_id": {"type": "integer"}, "display_name": {"type": "string"},
    "group": {"type": "string", "enum": [g.value for g in MemberGroup]},
    "status": {"type": "string", "enum": [s.value for s in MembershipStatus]},
    "motivation": {"type": "string", "description": "facilitators and the applicant only"},
    "applied_at": {"type": "string"}, "decided_at": {"type": "string", "nullable": True}}}
SESSION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "starts_at": {"type": "string"},
    "ends_at": {"type": "string"}, "place": {"type": "string", "nullable": True},
    "meeting_url": {"type": "string", "nullable": True}, "duration_minutes": {"type": "integer"},
    "checkin_code": {"type": "string", "description": "facilitators of the lab only"}}}
ATTENDANCE_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "session_id": {"type": "integer"}, "user_id": {"type": "integer"},
    "method": {"type": "string", "enum": ["facilitator", "checkin"]}, "recorded_by_id": {"type": "integer"},
    "recorded_at": {"type": "string"}, "already_recorded": {"type": "boolean"}}}
GATE_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "integer"}, "message": {"type": "string"},
    "missing": {"type": "array", "items": {"type": "string"}}}}}}


def lab_json(lab: Lab, accepted: int | None = None) -> dict:
    return {
        "id": lab.id, "title": lab.title, "summary": lab.summary, "mode": lab.mode.value, "district": lab.district,
        "budget_won": lab.budget_won, "capacity": lab.capacity,
        "recruitment_deadline": lab.recruitment_deadline.isoformat(), "starts_on": lab.starts_on.isoformat(),
        "ends_on": lab.ends_on.isoformat(), "stage": lab.stage.number or "closed", "stage_code": lab.stage.value,
        "recruiting": lab.recruitment_open(seoul_today()),
        "accepted_members": services.accepted_count(lab) if accepted is None else accepted,
        "facilitators": [{"id": f.id, "display_name": f.display_name} for f in lab.facilitators],
        "closed_at": iso(lab.closed_at),
    }


def session_json(session: LabSession, show_code: bool) -> dict:
    body = {"id": session.id, "title": session.title, "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at), "place": session.place, "meeting_url": session.meeting_url,
            "duration_minutes": session.duration_minutes}
    if show_code:
        body["checkin_code"] = session.checkin_code
    return body


def application_json(membership: LabMembership, show_motivation: bool) -> dict:
    body = {"id": membership.id, "user_id": membership.user_id, "display_name": membership.user.display_name,
            "group": membership.group.value, "status": membership.status.value,
            "applied_at": iso(membership.applied_at), "decided_at": iso(membership.decided_at),
            "plan_role": membership.plan_role}
    if show_motivation:
        body["motivation"] = membership.motivation
    return body


def attendance_json(attendance, created: bool) -> dict:
    return {"id": attendance.id, "session_id": attendance.session_id, "user_id": attendance.user_id,
            "method": attendance.method.value, "recorded_by_id": attendance.recorded_by_id,
            "recorded_at": iso(attendance.recorded_at), "already_recorded": not created}


def lab_detail_json(lab: Lab, user) -> dict:
    kpis = lab_kpis(lab, utcnow())
    body = lab_json(lab, accepted=kpis.members)
    manage = perm.can_manage_sessions(user, lab)
    body["members_by_group"] = {group.value: count for group, count in kpis.members_by_group.items()}
    body["kpis"] = {"members": kpis.members, "sessions_held": kpis.sessions_held,
                    "attendance_rate": kpis.attendance_rate, "problem_cards": kpis.problem_cards,
                    "prototypes": kpis.prototypes, "feedback_received": kpis.feedback}
    body["sessions"] = [session_json(s, manage) for s in session_services.sessions_of(lab)]
    body["proposal_ids"] = list(db.session.scalars(
        select(lab_proposals.c.proposal_id).where(lab_proposals.c.lab_id == lab.id)
        .order_by(lab_proposals.c.proposal_id)))
    body["findings"], body["retrospective"] = lab.findings, lab.retrospective
    body["results_summary"] = lab.results_summary
    body["timeline"] = [{"from": c.from_stage.value if c.from_stage else None, "to": c.to_stage.value,
                         "actor_id": c.actor_id, "reason": c.reason, "at": iso(c.at)} for c in services.timeline(lab)]
    if perm.can_change_stage(user, lab):
        body["unmet_gate"] = [str(m) for m in unmet_conditions(lab)]
    return body


def membership_of(lab: Lab, user) -> LabMembership | None:
    return lab.membership_of(user) if user is not None else None


@bp.errorhandler(GateNotMet)
def gate_not_met(error: GateNotMet):
    db.session.rollback()
    return jsonify({"error": {"code": 409, "message": str(error.message),
                              "missing": [str(m) for m in error.missing]}}), 409


@bp.route("/labs", methods=["GET"])
@documented("List living labs", tag=TAG, auth=False, query=[
    query_param("stage", enum=[s.value for s in LabStage]), query_param("recruiting", "boolean"),
    query_param("page", "integer"), query_param("per_page", "integer", "at most 100")],
    responses={200: ("A page of labs", {"type": "object", "properties": {
        "items": {"type": "array", "items": LAB_SCHEMA}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}}})})
def list_labs():
    filters = queries.LabFilters(sort="newest")
    stage = request.args.get("stage")
    if stage:
        try:
            filters.stage = LabStage(stage)
        except ValueError:
            raise ValidationFailed({"stage": [_l("Unknown stage.")]}) from None
    if request.args.get("recruiting") in ("1", "true"):
        filters.show = "recruiting"
    pagination, rows = queries.list_labs(filters, seoul_today(), page_arg(), per_page_arg())
    return jsonify({"items": [lab_json(lab, accepted) for lab, accepted, _pending, _waitlisted in rows],
                    "total": pagination.total, "page": pagination.page, "per_page": pagination.per_page})


@bp.route("/labs", methods=["POST"])
@documented("Create a lab (facilitators and staff); the creator becomes its facilitator", tag=TAG, body=LAB_BODY,
            responses={201: ("The new lab", LAB_DETAIL_SCHEMA), 422: ("Invalid input", None)})
def create_lab():
    user = require_api(perm.can_create_lab)
    payload = json_body()
    proposal_ids = payload.pop("proposal_ids", [])
    if not isinstance(proposal_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                     for i in proposal_ids):
        raise ValidationFailed({"proposal_ids": [_l("Send a list of proposal numbers.")]})
    form = validate(LabForm, payload)
    lab = services.create_lab(
        user, title=form.title.data, summary=form.summary.data, mode=LabMode(form.mode.data),
        district=form.district.data, capacity=form.capacity.data, budget_won=form.budget_won.data,
        recruitment_deadline=form.recruitment_deadline.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        proposal_ids=proposal_ids)
    db.session.commit()
    return jsonify(lab_detail_json(lab, user)), 201


@bp.route("/labs/<int:lab_id>", methods=["GET"])
@documented("One lab: stage (1-5 or \"closed\"), members per group, sessions, KPIs, timeline", tag=TAG, auth=False,
            responses={200: ("The lab", LAB_DETAIL_SCHEMA), 404: ("No such lab", None)})
def get_lab(lab_id: int):
    return jsonify(lab_detail_json(load_lab(lab_id), api_user()))


@bp.route("/labs/<int:lab_id>/applications", methods=["POST"])
@documented("Apply to a lab as a member of one of the four groups", tag=TAG, body={
    "type": "object", "required": ["motivation", "group"], "properties": {
        "motivation": {"type": "string", "minLength": 10, "maxLength": 1000},
        "group": {"type": "string", "enum": [g.value for g in MemberGroup]}}},
    responses={201: ("The application", APPLICATION_SCHEMA), 409: ("Closed, or already applied", None)})
def apply_to_lab(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(lambda u: u is not None)
    if lab.is_facilitator(user):
        abort(403)
    form = validate(ApplicationForm, json_body())
    membership = services.apply(lab, user, motivation=form.motivation.data, group=MemberGroup(form.group.data),
                                today=seoul_today())
    db.session.commit()
    return jsonify(application_json(membership, True)), 201


@bp.route("/labs/<int:lab_id>/applications", methods=["GET"])
@documented("Applications and members of a lab (its facilitators see every status and motivation)", tag=TAG,
            query=[query_param("page", "integer"), query_param("per_page", "integer", "at most 100")],
            responses={200: ("A page of applications", {"type": "object", "properties": {
                "items": {"type": "array", "items": APPLICATION_SCHEMA}}})})
def list_applications(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(lambda u: perm.can_view_members(u, lab, membership_of(lab, u)))
    applications = perm.can_view_applications(user, lab)
    pagination = db.paginate(queries.members_query(lab, every_application=applications, sort="applied"),
                             page=page_arg(), per_page=per_page_arg(), error_out=False)
    body = paginated(pagination, lambda m: application_json(m, applications))
    if applications:  # applications with their motivation
        record_view(user, [m.user_id for m in pagination.items], DataKind.APPLICATION, target_type="lab",
                    target_id=lab.id)
    return jsonify(body)


@bp.route("/labs/<int:lab_id>/applications/<int:application_id>", methods=["POST"])
@documented("Accept or decline an application (facilitators of the lab); a full lab waitlists", tag=TAG, body={
    "type": "object", "required": ["decision"], "properties": {"decision": {"type": "string",
                                                                            "enum": ["accept", "decline"]}}},
    responses={200: ("The application with its new status", APPLICATION_SCHEMA)})
def decide_application(lab_id: int, application_id: int):
    lab = load_lab(lab_id)
    user = require_api(perm.can_manage_members, lab)
    membership = db.session.get(LabMembership, application_id)
    if membership is None or membership.lab_id != lab.id:
        abort(404)
    form = validate(DecisionForm, json_body())
    services.decide_application(membership, user, accept=form.decision.data == "accept")
    db.session.commit()
    return jsonify(application_json(membership, True))


@bp.route("/labs/<int:lab_id>/membership", methods=["DELETE"])
@documented("Leave the lab (or withdraw an application); the first waitlisted person moves up", tag=TAG,
            responses={200: ("Your membership, now left", APPLICATION_SCHEMA)})
def leave_lab(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(lambda u: perm.can_leave(u, lab, membership_of(lab, u)))
    membership = membership_of(lab, user)
    services.leave(membership, user)
    db.session.commit()
    return jsonify(application_json(membership, True))


@bp.route("/labs/<int:lab_id>/stage", methods=["POST"])
@documented("Move the lab on (when the stage's gate is met) or back one stage with a reason", tag=TAG, body={
    "type": "object", "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["advance", "back"]},
        "reason": {"type": "string", "description": "required for back"}}},
    responses={200: ("The lab", LAB_DETAIL_SCHEMA), 403: ("Not a facilitator of this lab", None),
               409: ("The gate is not met; error.missing lists what is missing", GATE_ERROR)})
def change_stage(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(perm.can_change_stage, lab)
    form = validate(StageForm, json_body())
    if form.action.data == "advance":
        services.advance_stage(lab, user, form.reason.data)
    else:
        services.move_back(lab, user, form.reason.data)
    db.session.commit()
    return jsonify(lab_detail_json(lab, user))


def _parse_instant(field: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            {field: [_l("Send an ISO 8601 date and time, e.g. 2026-12-01T10:00:00+09:00.")]}) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


class ApiSessionForm(SessionForm):
    """The page form with times as ISO 8601 text (with an offset; without one they are UTC)."""

    starts_at = StringField(validators=[DataRequired(message=_l("Enter when the session starts."))])
    ends_at = StringField(validators=[DataRequired(message=_l("Enter when the session ends."))])


@bp.route("/labs/<int:lab_id>/sessions", methods=["POST"])
@documented("Schedule a session (facilitators); the answer carries the check-in code", tag=TAG, body={
    "type": "object", "required": ["title", "starts_at", "ends_at"], "properties": {
        "title": {"type": "string"}, "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"}, "place": {"type": "string"},
        "meeting_url": {"type": "string", "description": "instead of place, for an online session"}}},
    responses={201: ("The session", SESSION_SCHEMA)})
def create_session(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(perm.can_manage_sessions, lab)
    form = validate(ApiSessionForm, json_body())
    session = session_services.create_session(
        lab, user, title=form.title.data, starts_at=_parse_instant("starts_at", form.starts_at.data),
        ends_at=_parse_instant("ends_at", form.ends_at.data), place=form.place.data,
        meeting_url=form.meeting_url.data)
    db.session.commit()
    return jsonify(session_json(session, True)), 201


def _load_session(lab: Lab, session_id: int) -> LabSession:
    session = db.session.get(LabSession, session_id)
    if session is None or session.lab_id != lab.id:
        abort(404)
    return session


@bp.route("/labs/<int:lab_id>/sessions/<int:session_id>", methods=["GET"])
@documented("One session; facilitators also get the check-in code and attendance", tag=TAG, auth=False,
            responses={200: ("The session", SESSION_SCHEMA)})
def get_session(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = _load_session(lab, session_id)
    user = api_user()
    manage = perm.can_manage_sessions(user, lab)
    body = session_json(session, manage)
    if manage:
        body["attendance"] = [attendance_json(a, True) for a in session_services.attendance_of(session)]
        body["rsvps"] = {str(uid): answer.value for uid, answer in session_services.rsvps_of(session).items()}
    return jsonify(body)


@bp.route("/labs/<int:lab_id>/sessions/<int:session_id>/checkin", methods=["POST"])
@documented("Check in with the code shown at the session (members, from 15 minutes before start until the end); "
            "idempotent", tag=TAG, body={"type": "object", "required": ["code"],
                                         "properties": {"code": {"type": "string"}}},
            responses={201: ("Checked in", ATTENDANCE_SCHEMA), 200: ("Already checked in", ATTENDANCE_SCHEMA),
                       409: ("Outside the session's time window", None), 422: ("Wrong code", None)})
def check_in(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = _load_session(lab, session_id)
    user = require_api(lambda u: perm.can_attend(u, lab, membership_of(lab, u)))
    payload = json_body()
    if not isinstance(payload.get("code"), str):
        raise ValidationFailed({"code": [_l("Enter the code shown at the session.")]})
    unknown = sorted(set(payload) - {"code"})
    if unknown:
        raise ValidationFailed({name: [_l("Unknown field.")] for name in unknown})
    attendance, created = session_services.check_in(session, user, payload["code"])
    db.session.commit()
    return jsonify(attendance_json(attendance, created)), 201 if created else 200


@bp.route("/labs/<int:lab_id>/sessions/<int:session_id>/attendance", methods=["POST"])
@documented("Record that a member attended (facilitators); idempotent", tag=TAG, body={
    "type": "object", "required": ["user_id"], "properties": {"user_id": {"type": "integer"}}},
    responses={201: ("Recorded", ATTENDANCE_SCHEMA), 200: ("Already recorded", ATTENDANCE_SCHEMA)})
def record_attendance(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = _load_session(lab, session_id)
    user = require_api(perm.can_manage_sessions, lab)
    member_id = json_body().get("user_id")
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise ValidationFailed({"user_id": [_l("Send the member's account number.")]})
    attendance, created = session_services.record_attendance(session, member_id, user)
    db.session.commit()
    return jsonify(attendance_json(attendance, created)), 201 if created else 200


@bp.route("/labs/<int:lab_id>/sessions/<int:session_id>/rsvp", methods=["PUT"])
@documented("Say whether you will come (members)", tag=TAG, body={
    "type": "object", "required": ["answer"], "properties": {"answer": {"type": "string",
                                                                        "enum": [a.value for a in RsvpAnswer]}}},
    responses={200: ("Your answer", {"type": "object", "properties": {"answer": {"type": "string"}}})})
def rsvp(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = _load_session(lab, session_id)
    user = require_api(lambda u: perm.can_attend(u, lab, membership_of(lab, u)))
    form = validate(RsvpForm, json_body())
    answer = session_services.answer_rsvp(session, user, RsvpAnswer(form.answer.data))
    db.session.commit()
    return jsonify({"session_id": session.id, "answer": answer.answer.value})
