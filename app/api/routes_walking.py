"""The walking programme for residents: joining, steps, wallet, conversions, missions.

``POST /steps`` and ``GET /me/wallet`` also accept a token limited to the ``steps`` scope (a walking
app or device); every other endpoint refuses such a token (app/api/scopes.py)."""
from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.scopes import STEPS, allows_scope
from app.api.spec import ERROR, documented
from app.auth.services import issue_api_token
from app.core import ValidationFailed
from app.extensions import db
from app.walking.forms import CheckInForm
from app.walking.models import Conversion, ConversionStatus, Mission
from app.walking.permissions import can_view_conversion, can_walk
from app.walking.services import conversions as conversion_services
from app.walking.services import missions as mission_services
from app.walking.services import participation
from app.walking.services import wallet as wallet_services
from app.walking.services.imports import upload_phone_export
from app.walking.services.steps import MAX_RECORDS, submit_steps

RECORD = {"type": "object", "required": ["date", "steps"], "properties": {
    "date": {"type": "string", "format": "date"}, "steps": {"type": "integer", "minimum": 0},
    "source": {"type": "string", "maxLength": 40, "description": "the app or device; default \"app\""}}}
STEPS_BODY = {"oneOf": [RECORD, {"type": "object", "required": ["records"], "properties": {
    "records": {"type": "array", "maxItems": MAX_RECORDS, "items": RECORD}}}]}
OUTCOME = {"type": "object", "properties": {
    "index": {"type": "integer"}, "date": {"type": "string", "nullable": True},
    "source": {"type": "string", "nullable": True}, "steps": {"type": "integer", "nullable": True},
    "status": {"type": "string", "enum": ["credited", "flagged", "paused", "refused"]},
    "reason": {"type": "string", "nullable": True}, "day_mileage_won": {"type": "integer", "nullable": True}}}
STEPS_ANSWER = {"type": "object", "properties": {
    "records": {"type": "array", "items": OUTCOME}, "credited_won": {"type": "integer"},
    "paused": {"type": "boolean"}, "summary": {"type": "object"}}}
WALLET = {"type": "object", "properties": {
    "mileage_balance": {"type": "integer"}, "converted_total": {"type": "integer"}, "paused": {"type": "boolean"},
    "participating": {"type": "boolean"},
    "today": {"type": "object", "properties": {"date": {"type": "string"}, "steps": {"type": "integer"},
                                               "mileage": {"type": "integer"}}}}}
CONVERSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "amount": {"type": "integer"},
    "provider": {"type": "string", "enum": ["coupon", "account"]},
    "status": {"type": "string", "enum": [s.value for s in ConversionStatus]},
    "coupon_number": {"type": "string", "nullable": True}, "valid_until": {"type": "string", "nullable": True},
    "transfer_reference": {"type": "string", "nullable": True}, "created_at": {"type": "string"}}}
MISSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "kind": {"type": "string"},
    "starts_on": {"type": "string"}, "ends_on": {"type": "string"}, "bonus_won": {"type": "integer"},
    "target_steps": {"type": "integer", "nullable": True}, "completed": {"type": "boolean"}}}


def participation_json(user) -> dict:
    participant = participation.participant_of(user)
    return {
        "participating": bool(participant and participant.active),
        "joined_at": participant.joined_at.isoformat() + "Z" if participant else None,
        "left_at": participant.left_at.isoformat() + "Z" if participant and participant.left_at else None,
        "retention_days": current_app.config["WALKING_RETENTION_DAYS"],
        "data_notice": str(_l("Step records are deleted %(days)s days after they were received; your mileage "
                              "ledger stays.", days=current_app.config["WALKING_RETENTION_DAYS"])),
    }


@bp.route("/me/walking", methods=["GET"])
@documented("Whether I take part in the walking programme", tag="walking")
def my_walking():
    return jsonify(participation_json(require_api(can_walk)))


@bp.route("/me/walking", methods=["PUT"])
@documented("Join the walking programme (needs the health consent)", tag="walking",
            responses={200: ("Joined", None), 409: ("No health consent, or already joined", ERROR)})
def join_walking():
    user = require_api(can_walk)
    participation.join(user)
    db.session.commit()
    return jsonify(participation_json(user))


@bp.route("/me/walking", methods=["DELETE"])
@documented("Leave the walking programme: collection stops at once", tag="walking",
            responses={200: ("Left; says what happens to the data", None), 409: ("Not taking part", ERROR)})
def leave_walking():
    user = require_api(can_walk)
    participation.leave(user)
    db.session.commit()
    return jsonify(participation_json(user))


@bp.route("/me/walking/tokens", methods=["POST"])
@documented("Create a token limited to the steps scope for a walking app or device", tag="walking",
            responses={201: ("The token, shown once", {"type": "object", "properties": {
                "token": {"type": "string"}, "scope": {"type": "string"}}})})
def create_steps_token():
    user = require_api(can_walk)
    token = issue_api_token(user, scope=STEPS)
    db.session.commit()
    return jsonify({"token": token, "scope": STEPS}), 201


@bp.route("/steps", methods=["POST"])
@allows_scope(STEPS)
@documented("Send step counts: one record or up to 1,000 records", tag="walking", body=STEPS_BODY,
            responses={200: ("What became of each record", STEPS_ANSWER), 409: ("Not taking part", ERROR)})
def post_steps():
    user = require_api(can_walk)
    payload = json_body()
    if "records" in payload:
        records = payload["records"]
        unknown = sorted(set(payload) - {"records"})
        if not isinstance(records, list) or unknown:
            raise ValidationFailed({"records": [_l("Send a list of records.")]} if not unknown
                                   else {name: [_l("Unknown field.")] for name in unknown})
    else:
        records = [payload]
    result = submit_steps(user, records)
    db.session.commit()
    return jsonify(steps_answer(result))


def steps_answer(result, limit: int | None = None) -> dict:
    """Per record what became of it (the first ``limit`` records of a large import), with the totals."""
    return {"records": [o.as_json() for o in result.outcomes[:limit]], "credited_won": result.credited_won,
            "paused": result.paused, "summary": result.summary()}


@bp.route("/me/walking/uploads", methods=["POST"])
@documented("Upload a phone export (Apple Health export.zip or a Samsung Health step CSV) as multipart field "
            "\"file\"", tag="walking", responses={200: ("What became of each day", STEPS_ANSWER)})
def upload_steps():
    user = require_api(can_walk)
    request.max_content_length = current_app.config["WALKING_UPLOAD_MAX_BYTES"]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed({"file": [_l("Choose a file.")]})
    result = upload_phone_export(user, upload.filename, upload.stream)
    db.session.commit()
    answer = steps_answer(result)
    answer["older_than_window"] = result.counts.get("old", 0)
    return jsonify(answer)


@bp.route("/me/wallet", methods=["GET"])
@allows_scope(STEPS)
@documented("My mileage balance, converted total, today's steps and whether earning is paused", tag="walking",
            responses={200: ("The wallet", WALLET)})
def my_wallet():
    return jsonify(wallet_services.wallet(require_api(can_walk)))


@bp.route("/me/walking/history", methods=["GET"])
@documented("My mileage ledger, newest first", tag="walking")
def my_mileage_history():
    user = require_api(can_walk)
    pagination = db.paginate(wallet_services.history_query(user.id), page=page_arg(), per_page=per_page_arg(),
                             error_out=False)
    return jsonify(paginated(pagination, lambda e: {
        "id": e.id, "kind": e.kind.value, "amount": e.amount_won, "date": e.day.isoformat() if e.day else None,
        "mission_id": e.mission_id, "conversion_id": e.conversion_id, "created_at": e.created_at.isoformat() + "Z"}))


@bp.route("/me/walking/account", methods=["PUT"])
@documented("Link my local-currency account (Asan Pay) for account conversions", tag="walking",
            body={"type": "object", "required": ["account"], "properties": {"account": {"type": "string"}}},
            responses={204: ("Linked", None)})
def link_my_pay_account():
    user = require_api(can_walk)
    account = json_body().get("account")
    if not isinstance(account, str):
        raise ValidationFailed({"account": [_l("This field is required.")]})
    conversion_services.link_pay_account(user, account)
    db.session.commit()
    return "", 204


def conversion_json(conversion: Conversion) -> dict:
    return {"id": conversion.id, "amount": conversion.amount_won, "provider": conversion.provider.value,
            "status": conversion.status.value, "coupon_number": conversion.coupon_number,
            "valid_until": conversion.valid_until.isoformat() + "Z" if conversion.valid_until else None,
            "transfer_reference": conversion.transfer_reference,
            "created_at": conversion.created_at.isoformat() + "Z"}


@bp.route("/me/conversions", methods=["POST"])
@documented("Convert mileage into local currency (units of 1,000 won), with an idempotency key", tag="walking",
            body={"type": "object", "required": ["amount", "idempotency_key"], "properties": {
                "amount": {"type": "integer", "multipleOf": 1000},
                "idempotency_key": {"type": "string", "minLength": 8, "maxLength": 100}}},
            responses={201: ("The coupon or the account transfer", CONVERSION),
                       200: ("A retry with a known key: the first conversion", CONVERSION),
                       409: ("The balance, the daily cap or the budget is short", ERROR)})
def create_conversion():
    user = require_api(can_walk)
    payload = json_body()
    unknown = sorted(set(payload) - {"amount", "idempotency_key"})
    if unknown:
        raise ValidationFailed({name: [_l("Unknown field.")] for name in unknown})
    conversion, created = conversion_services.convert_mileage(
        user, amount_won=payload.get("amount"), idempotency_key=payload.get("idempotency_key"))
    db.session.commit()
    if created:
        conversion_services.deliver(conversion)
        db.session.commit()
    return jsonify(conversion_json(conversion)), 201 if created else 200


@bp.route("/me/conversions", methods=["GET"])
@documented("My conversions and coupons, newest first", tag="walking")
def my_conversions():
    user = require_api(can_walk)
    pagination = db.paginate(conversion_services.conversions_of(user.id), page=page_arg(), per_page=per_page_arg(),
                             error_out=False)
    return jsonify(paginated(pagination, conversion_json))


@bp.route("/me/conversions/<int:conversion_id>", methods=["GET"])
@documented("One of my conversions", tag="walking", responses={200: ("The conversion", CONVERSION)})
def my_conversion(conversion_id: int):
    conversion = db.session.get(Conversion, conversion_id) or abort(404)
    require_api(can_view_conversion, conversion)
    return jsonify(conversion_json(conversion))


def mission_json(mission: Mission, done: set[int]) -> dict:
    return {"id": mission.id, "title": mission.title, "description": mission.description, "kind": mission.kind.value,
            "starts_on": mission.starts_on.isoformat(), "ends_on": mission.ends_on.isoformat(),
            "bonus_won": mission.bonus_won, "target_steps": mission.target_steps,
            "latitude": mission.latitude, "longitude": mission.longitude, "radius_m": mission.radius_m,
            "session_id": mission.session_id, "completed": mission.id in done}


@bp.route("/walking/missions", methods=["GET"])
@documented("Missions, newest first, with whether I completed each", tag="walking",
            responses={200: ("A page of missions", {"type": "object", "properties": {
                "items": {"type": "array", "items": MISSION}}})})
def list_missions():
    user = require_api(can_walk)
    done = mission_services.completed_ids(user.id)
    pagination = db.paginate(mission_services.missions_query(), page=page_arg(), per_page=per_page_arg(),
                             error_out=False)
    return jsonify(paginated(pagination, lambda m: mission_json(m, done)))


@bp.route("/walking/missions/<int:mission_id>/claim", methods=["POST"])
@documented("Complete a steps or programme mission whose condition is met (bonus paid once)", tag="walking",
            responses={200: ("Completed", MISSION), 409: ("Not met, not open, or done already", ERROR)})
def claim_mission(mission_id: int):
    mission = db.session.get(Mission, mission_id) or abort(404)
    user = require_api(can_walk)
    mission_services.claim(user, mission)
    db.session.commit()
    return jsonify(mission_json(mission, mission_services.completed_ids(user.id)))


@bp.route("/walking/missions/<int:mission_id>/check-in", methods=["POST"])
@documented("Check in at a place mission (location consent; the position is checked, never stored)",
            tag="walking", body={"type": "object", "required": ["latitude", "longitude"], "properties": {
                "latitude": {"type": "number"}, "longitude": {"type": "number"}}},
            responses={200: ("Completed", MISSION), 409: ("Too far, no consent, not open, or done already", ERROR)})
def check_in_mission(mission_id: int):
    mission = db.session.get(Mission, mission_id) or abort(404)
    user = require_api(can_walk)
    form = validate(CheckInForm, json_body())
    mission_services.check_in(user, mission, latitude=form.latitude.data, longitude=form.longitude.data)
    db.session.commit()
    return jsonify(mission_json(mission, mission_services.completed_ids(user.id)))
