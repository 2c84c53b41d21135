"""Managing a lab in the JSON API: editing it and adding facilitators."""
from __future__ import annotations

from flask import abort, jsonify
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import require_api
from app.api.helpers import json_body, validate
from app.api.routes_labs import LAB_BODY, LAB_DETAIL_SCHEMA, lab_detail_json, load_lab
from app.api.spec import documented
from app.auth.models import User
from app.core import ValidationFailed
from app.extensions import db
from app.labs import permissions as perm
from app.labs.services import labs as services
from app.labs.forms import EditLabForm


EDIT_BODY = {"type": "object", "required": [name for name in LAB_BODY["required"] if name != "mode"],
             "properties": {name: schema for name, schema in LAB_BODY["properties"].items()
                            if name not in ("mode", "proposal_ids")}}


@bp.route("/labs/<int:lab_id>", methods=["PATCH"])
@documented("Edit a lab (its facilitators and staff; send every field; mode and source proposals stay)", tag="labs",
            body=EDIT_BODY, responses={200: ("The lab", LAB_DETAIL_SCHEMA), 422: ("Invalid input", None)})
def edit_lab(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(perm.can_edit_lab, lab)
    form = validate(EditLabForm, json_body())
    services.update_lab(lab, user, title=form.title.data, summary=form.summary.data, district=form.district.data,
                        capacity=form.capacity.data, budget_won=form.budget_won.data,
                        recruitment_deadline=form.recruitment_deadline.data, starts_on=form.starts_on.data,
                        ends_on=form.ends_on.data)
    db.session.commit()
    return jsonify(lab_detail_json(lab, user))


@bp.route("/labs/<int:lab_id>/facilitators", methods=["POST"])
@documented("Add a facilitator to a lab (staff); the account needs the facilitator role", tag="labs", body={
    "type": "object", "required": ["user_id"], "properties": {"user_id": {"type": "integer"}}},
    responses={200: ("The lab", LAB_DETAIL_SCHEMA), 422: ("Not a facilitator account", None)})
def add_facilitator(lab_id: int):
    lab = load_lab(lab_id)
    user = require_api(perm.can_add_facilitator, lab)
    payload = json_body()
    user_id = payload.get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or set(payload) != {"user_id"}:
        raise ValidationFailed({"user_id": [_l("Send the facilitator's account number.")]})
    facilitator = db.session.get(User, user_id) or abort(404)
    services.add_facilitator(lab, facilitator, user)
    db.session.commit()
    return jsonify(lab_detail_json(lab, user))
