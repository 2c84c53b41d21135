"""The walking programme for staff, admins and bank clerks: overview, reviews, imports, missions,
reward rules, the budget, coupon redemption and the CSV export."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request, stream_with_context
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.routes_walking import MISSION, STEPS_ANSWER, conversion_json, mission_json, steps_answer
from app.api.spec import ERROR, documented
from app.core import DomainError, ValidationFailed
from app.extensions import db
from app.walking.forms import MissionForm, RedeemForm, ReviewForm, RuleForm, TopUpForm
from app.walking.models import MissionKind, ReviewStatus, StepRecord
from app.walking.permissions import can_manage_walking, can_redeem_coupons, can_set_walking_rule
from app.walking.services import budget as budget_services
from app.walking.services import conversions as conversion_services
from app.walking.services import missions as mission_services
from app.walking.services import rules as rule_services
from app.walking.services import stats
from app.walking.services.export import csv_lines
from app.walking.services.imports import import_staff_csv
from app.walking.services.reviews import review_record

RULE: dict[str, Any] = {"type": "object", "properties": {name: {"type": "integer"} for name in (
    "version", "min_steps", "base_won", "step_unit", "unit_won", "daily_max_won", "conversion_daily_cap_won")}}
RULE["properties"]["effective_from"] = {"type": "string", "format": "date"}


def rule_json(rule) -> dict:
    return {"version": rule.version, "effective_from": rule.effective_from.isoformat(), "min_steps": rule.min_steps,
            "base_won": rule.base_won, "step_unit": rule.step_unit, "unit_won": rule.unit_won,
            "daily_max_won": rule.daily_max_won, "conversion_daily_cap_won": rule.conversion_daily_cap_won}


@bp.route("/walking/overview", methods=["GET"])
@documented("Participants, steps, won earned and converted, the budget and the day it runs out", tag="walking-staff")
def walking_overview():
    require_api(can_manage_walking)
    data = stats.overview()
    budget = data["budget"]
    if budget is not None:
        points = budget["points"]
        budget = {k: v for k, v in budget.items() if k not in ("points", "year_end")}
        budget["runs_out_on"] = budget["runs_out_on"].isoformat() if budget["runs_out_on"] else None
        budget["burn_down"] = [{"date": d.isoformat(), "remaining_won": v}
                               for d, v in points]
    data["budget"] = budget
    return jsonify(data)


@bp.route("/walking/participants", methods=["GET"])
@documented("Residents taking part (or who left), newest first", tag="walking-staff")
def walking_participants():
    require_api(can_manage_walking)
    pagination = db.paginate(stats.participants_query(), page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda p: {
        "user_id": p.user_id, "name": p.user.display_name, "status": p.status.value,
        "balance": p.balance_won, "joined_at": p.joined_at.isoformat() + "Z"}))


@bp.route("/walking/flagged", methods=["GET"])
@documented("Counts above the plausibility limit waiting for review", tag="walking-staff")
def walking_flagged():
    require_api(can_manage_walking)
    pagination = db.paginate(stats.flagged_query(), page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda r: {
        "id": r.id, "user_id": r.user_id, "date": r.day.isoformat(), "source": r.source, "steps": r.steps,
        "review": r.review.value}))


@bp.route("/walking/flagged/<int:record_id>", methods=["POST"])
@documented("Clear (the day earns) or reject a flagged count", tag="walking-staff",
            body={"type": "object", "required": ["decision"], "properties": {
                "decision": {"type": "string", "enum": ["cleared", "rejected"]}}},
            responses={200: ("Decided", None), 409: ("Already decided that way", ERROR)})
def review_flagged(record_id: int):
    record = db.session.get(StepRecord, record_id) or abort(404)
    user = require_api(can_manage_walking)
    form = validate(ReviewForm, json_body())
    result = review_record(record, ReviewStatus(form.decision.data), actor=user)
    db.session.commit()
    return jsonify({"id": record.id, "review": record.review.value, **result})


@bp.route("/walking/imports", methods=["POST"])
@documented("Import an operator's CSV (email,date,steps[,source]) as multipart field \"file\": every row or none",
            tag="walking-staff", responses={200: ("Imported", STEPS_ANSWER)})
def import_walking_csv():
    user = require_api(can_manage_walking)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed({"file": [_l("Choose a file.")]})
    result = import_staff_csv(upload.read(), actor=user)
    db.session.commit()
    return jsonify(steps_answer(result, limit=1000))


@bp.route("/walking/budget", methods=["POST"])
@documented("Add money to a year's walking budget; earning resumes for every day that waited", tag="walking-staff",
            body={"type": "object", "required": ["fiscal_year", "amount"], "properties": {
                "fiscal_year": {"type": "integer"}, "amount": {"type": "integer", "minimum": 1}}},
            responses={200: ("Added; what was credited", None)})
def top_up_walking_budget():
    user = require_api(can_manage_walking)
    form = validate(TopUpForm, json_body())
    result = budget_services.top_up(fiscal_year=form.fiscal_year.data, amount_won=form.amount.data, actor=user)
    db.session.commit()
    return jsonify(result)


@bp.route("/walking/rules", methods=["GET"])
@documented("Reward rule versions, newest first", tag="walking-staff")
def walking_rules():
    require_api(can_manage_walking)
    rule_services.rule_on(rule_services.today())
    db.session.commit()
    return jsonify({"items": [rule_json(r) for r in rule_services.all_rules()]})


@bp.route("/walking/rules", methods=["POST"])
@documented("Add a reward rule version (admins); it cannot start in the past", tag="walking-staff",
            body=RULE, responses={201: ("Created", RULE)})
def create_walking_rule():
    user = require_api(can_set_walking_rule)
    form = validate(RuleForm, json_body())
    rule = rule_services.set_rule(actor=user, **{name: form[name].data for name in (
        "effective_from", "min_steps", "base_won", "step_unit", "unit_won", "daily_max_won",
        "conversion_daily_cap_won")})
    db.session.commit()
    return jsonify(rule_json(rule)), 201


@bp.route("/walking/missions", methods=["POST"])
@documented("Create a mission (staff)", tag="walking-staff", body={"type": "object", "required": [
    "title", "kind", "starts_on", "ends_on", "bonus_won"], "properties": {
    "title": {"type": "string"}, "description": {"type": "string"},
    "kind": {"type": "string", "enum": [k.value for k in MissionKind]},
    "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "bonus_won": {"type": "integer"}, "target_steps": {"type": "integer"}, "latitude": {"type": "number"},
    "longitude": {"type": "number"}, "radius_m": {"type": "integer"}, "session_id": {"type": "integer"}}},
    responses={201: ("Created", MISSION)})
def create_walking_mission():
    user = require_api(can_manage_walking)
    form = validate(MissionForm, json_body())
    mission = mission_services.create_mission(actor=user, kind=MissionKind(form.kind.data), **mission_fields(form))
    db.session.commit()
    return jsonify(mission_json(mission, set())), 201


def mission_fields(form) -> dict:
    return {name: form[name].data for name in ("title", "description", "starts_on", "ends_on", "bonus_won",
                                               "target_steps", "latitude", "longitude", "radius_m", "session_id")}


@bp.route("/walking/redemptions", methods=["GET"])
@documented("Redeemed coupons, newest first", tag="walking-staff")
def walking_redemptions():
    require_api(can_manage_walking)
    pagination = db.paginate(stats.redemptions_query(), page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda c: {**conversion_json(c), "redeemed_place": c.redeemed_place,
                                                    "redeemed_at": c.redeemed_at.isoformat() + "Z"}))


@bp.route("/walking/export.csv", methods=["GET"])
@documented("Every resident's days as CSV (email, date, steps, reward, credited, waiting for budget)",
            tag="walking-staff", responses={200: ("text/csv", None)})
def walking_export():
    require_api(can_manage_walking)
    return Response(stream_with_context(csv_lines()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="walking-days.csv"'})


@bp.route("/coupons/<number>", methods=["GET"])
@documented("Look up a coupon before cashing it (bank clerks)", tag="walking-staff",
            responses={200: ("The coupon", None), 404: ("No such coupon", ERROR)})
def look_up_coupon(number: str):
    require_api(can_redeem_coupons)
    coupon = conversion_services.find_coupon(number) or abort(404)
    return jsonify(coupon_json(coupon))


def coupon_json(coupon) -> dict:
    return {**conversion_json(coupon),
            "redeemed_at": coupon.redeemed_at.isoformat() + "Z" if coupon.redeemed_at else None,
            "redeemed_place": coupon.redeemed_place}


@bp.route("/coupons/<number>/redeem", methods=["POST"])
@documented("Cash a coupon once (bank clerks); a second time answers 409 with when and where", tag="walking-staff",
            body={"type": "object", "required": ["place"], "properties": {"place": {"type": "string"}}},
            responses={200: ("Cashed", None), 404: ("No such coupon", ERROR),
                       409: ("Already cashed, or expired", ERROR)})
def redeem_coupon(number: str):
    clerk = require_api(can_redeem_coupons)
    coupon = conversion_services.find_coupon(number) or abort(404)
    payload = json_body()
    form = validate(RedeemForm, {**payload, "number": number})
    try:
        conversion_services.redeem_coupon(coupon, clerk=clerk, place=form.place.data)
    except DomainError:
        db.session.commit()  # an expired coupon's amount went back to the resident: keep that
        raise
    db.session.commit()
    return jsonify(coupon_json(coupon))
