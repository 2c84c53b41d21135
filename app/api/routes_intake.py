"""Intake: community-centre staff enter participation on a resident's behalf; residents claim it."""
from flask import abort, jsonify, request

from app.api import bp
from app.api.auth import api_user, require_api, token_required
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented
from app.auth.limits import credential_limits
from app.consultations.models import Consultation
from app.core import ValidationFailed
from app.extensions import db
from app.intake import permissions, queries, services
from app.intake.forms import ClaimCodeForm, ClaimForm, IntakeLabApplicationForm, IntakeOpinionForm, IntakeProposalForm
from app.intake.models import IntakeChannel, IntakeKind, IntakeRecord
from app.labs.models import Lab, MemberGroup
from app.labs.views import seoul_today
from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.proposals.choices import all_fields, all_topics

RESIDENT = {
    "channel": {"type": "string", "enum": [c.value for c in IntakeChannel]},
    "resident_name": {"type": "string"}, "phone": {"type": "string"}, "district": {"type": "string"},
    "birth_year": {"type": "integer"}, "guardian_name": {"type": "string"}, "guardian_consent": {"type": "boolean"},
    "consent_privacy": {"type": "boolean"}, "consent_texts": {"type": "boolean"}, "consent_note": {"type": "string"},
}
RESIDENT_REQUIRED = ["channel", "resident_name", "phone", "district", "birth_year", "consent_privacy"]
RECORD = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "channel": {"type": "string"}, "title": {"type": "string"},
    "url": {"type": "string"}, "claimed": {"type": "boolean"},
    "phone_erased": {"type": "boolean", "description": "the resident's number was erased (at the claim, or unclaimed "
                     "past PRIVACY_RETENTION_DAYS intake_unclaimed): it can no longer be claimed; `phone` is null"}}}
CLAIMED = {"type": "object", "properties": {"claimed": {"type": "array", "items": RECORD}}}


def _body(extra: dict, required: list[str]) -> dict:
    return {"type": "object", "required": RESIDENT_REQUIRED + required, "properties": {**RESIDENT, **extra}}


def _created(record: IntakeRecord):
    db.session.commit()
    return jsonify(queries.record_json(record, with_contact=True)), 201


@bp.route("/intake", methods=["GET"])
@token_required
@documented("Participation entered for residents: every record for city staff, one's own for community-centre "
            "staff", tag="intake")
def intake_records():
    actor = require_api(permissions.can_use_intake)
    everyone = permissions.can_see_all_records(actor)
    pagination = db.paginate(services.records_query(actor, everyone=everyone), page=page_arg(),
                             per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, queries.record_json))


@bp.route("/intake/<int:record_id>", methods=["GET"])
@token_required
@documented("One intake record with the resident's name, number and consent (the view is logged)", tag="intake",
            responses={200: ("Record", RECORD), 404: ("No such record", None)})
def intake_record(record_id: int):
    record = db.session.get(IntakeRecord, record_id) or abort(404)
    actor = require_api(permissions.can_view_record, record)
    record_view(actor, [record.claimed_by_id or record.holder_id], DataKind.CONTACT, target_type="intake_record",
                target_id=record.id)
    return jsonify(queries.record_json(record, with_contact=True))


@bp.route("/intake/proposals", methods=["POST"])
@token_required
@documented("Enter a proposal a resident gave by phone, on paper or in person", tag="intake",
            body=_body({"title": {"type": "string"}, "body": {"type": "string"}, "field": {"type": "string"},
                        "topics": {"type": "array", "items": {"type": "string"}}, "place": {"type": "string"}},
                       ["title", "body", "field"]),
            responses={201: ("Entered", RECORD)})
def intake_proposal():
    actor = require_api(permissions.can_enter, IntakeKind.PROPOSAL)
    form = validate(IntakeProposalForm, json_body(), field_choices=all_fields(), topic_choices=all_topics())
    return _created(services.enter_proposal(
        actor, services.resident_data(form), title=form.title.data, body=form.body.data, field_slug=form.field.data,
        topic_slugs=form.topics.data, district=form.place.data or None))


@bp.route("/intake/opinions", methods=["POST"])
@token_required
@documented("Enter an opinion on an open consultation that a resident gave", tag="intake",
            body=_body({"consultation_id": {"type": "integer"}, "body": {"type": "string"},
                        "written_on": {"type": "string", "format": "date"}}, ["consultation_id", "body", "written_on"]),
            responses={201: ("Entered", RECORD)})
def intake_opinion():
    actor = require_api(permissions.can_enter, IntakeKind.OPINION)
    form = validate(IntakeOpinionForm, json_body())
    consultation = db.session.get(Consultation, form.consultation_id.data)
    if consultation is None:
        raise ValidationFailed({"consultation_id": [services.NO_SUCH_CONSULTATION]})
    return _created(services.enter_opinion(actor, services.resident_data(form), consultation, body=form.body.data,
                                           written_on=form.written_on.data))


@bp.route("/intake/lab-applications", methods=["POST"])
@token_required
@documented("Enter a living lab application a resident gave", tag="intake",
            body=_body({"lab_id": {"type": "integer"}, "group": {"type": "string"}, "motivation": {"type": "string"}},
                       ["lab_id", "group", "motivation"]),
            responses={201: ("Entered", RECORD)})
def intake_lab_application():
    actor = require_api(permissions.can_enter, IntakeKind.LAB_APPLICATION)
    form = validate(IntakeLabApplicationForm, json_body())
    lab = db.session.get(Lab, form.lab_id.data)
    if lab is None:
        raise ValidationFailed({"lab_id": [services.NO_SUCH_LAB]})
    return _created(services.enter_lab_application(actor, services.resident_data(form), lab,
                                                   motivation=form.motivation.data, group=MemberGroup(form.group.data),
                                                   today=seoul_today()))


@bp.route("/me/claims/code", methods=["POST"])
@token_required
@credential_limits
@documented("Text a one-time code to the number staff entered, to claim what was entered with it", tag="intake",
            body={"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
            responses={202: ("Sent if the number can receive texts", None)})
def claim_code():
    form = validate(ClaimCodeForm, json_body())
    services.send_claim_code(form.phone.data, request.remote_addr)
    db.session.commit()
    return jsonify({"status": "sent"}), 202


@bp.route("/me/claims", methods=["POST"])
@token_required
@credential_limits
@documented("Claim everything entered with a number: with {phone, code}, or with the account's verified number "
            "(empty body)", tag="intake",
            body={"type": "object", "properties": {"phone": {"type": "string"}, "code": {"type": "string"}}},
            responses={200: ("Claimed", CLAIMED), 404: ("Nothing waits for this number", None)})
def claim_records():
    user = api_user()
    payload = json_body() if request.get_data() else {}
    if payload:
        form = validate(ClaimForm, payload)
        # The code's tries are counted on a connection of their own (app.phones.services.verify_code): commit
        # what this request wrote so far (the token's last use) so SQLite's write lock is free for it.
        db.session.commit()
        claimed = services.verify_and_claim(user, form.phone.data, form.code.data)
    else:
        claimed = services.claim_with_account_phone(user)
    db.session.commit()
    return jsonify({"claimed": [queries.record_json(r) for r in claimed]})
