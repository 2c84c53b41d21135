"""Consultations and hearings over the API: the same forms, services and permissions as the pages."""
from flask import abort, jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api import guests as api_guests
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented, query_param
from app.consultations import guests, queries, services
from app.consultations.clock import utc_to_seoul
from app.consultations.forms import (
    AssignForm,
    ConsultationForm,
    EnteredOpinionForm,
    OpinionForm,
    ResultsForm,
    ThemeForm,
)
from app.consultations.models import (
    Channel,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    Opinion,
    OpinionTheme,
)
from app.consultations.permissions import (
    can_create_consultation,
    can_edit_consultation,
    can_enter_opinion,
    can_group_opinions,
    can_manage_consultation,
    can_publish_results,
    can_register_for_hearing,
    can_view_consultation,
)
from app.core import ValidationFailed, utcnow
from app.extensions import db
from app.phones.limits import phone_code_limited
from app.policies.models import Policy

TAG = "consultations"
_DT = {"type": "string", "format": "date-time"}
DOCUMENT_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"}, "url": {"type": "string"}}}
THEME_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "response": {"type": "string"},
    "opinions": {"type": "integer"}}}
NUMBERS_SCHEMA = {"type": "object", "nullable": True, "properties": {
    "opinions": {"type": "integer"}, "participants": {"type": "integer"},
    "by_channel": {"type": "object", "properties": {c.value: {"type": "integer"} for c in Channel}}}}
CONSULTATION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "purpose": {"type": "string"},
    "body": {"type": "string"}, "department": {"type": "string"}, "contact": {"type": "string"},
    "paper_address": {"type": "string"},
    "deadline": {**_DT, "description": "UTC instant; opinions are accepted until and including it"},
    "deadline_korea": {"type": "string", "description": "the same instant in Korea time, YYYY-MM-DD HH:MM"},
    "status": {"type": "string", "enum": [s.value for s in ConsultationStatus]},
    "accepting": {"type": "boolean"}, "policy_id": {"type": "integer", "nullable": True},
    "hearing": {"type": "object", "nullable": True, "properties": {
        "starts_at": _DT, "ends_at": _DT, "place": {"type": "string", "nullable": True},
        "url": {"type": "string", "nullable": True}, "capacity": {"type": "integer"},
        "registered": {"type": "integer"}, "waitlisted": {"type": "integer"},
        "my_registration": {"type": "string", "nullable": True, "enum": ["registered", "waitlisted", "cancelled"]}}},
    "documents": {"type": "array", "items": DOCUMENT_SCHEMA},
    "numbers": NUMBERS_SCHEMA,
    "results": {"type": "object", "nullable": True, "properties": {
        "summary": {"type": "string"}, "published_at": _DT, "themes": {"type": "array", "items": THEME_SCHEMA}}}}}
LIST_SCHEMA = {"type": "object", "properties": {
    "items": {"type": "array", "items": CONSULTATION_SCHEMA}, "total": {"type": "integer"},
    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
CONSULTATION_BODY = {"type": "object", "required": ["title", "purpose", "department", "deadline_date",
                                                    "deadline_time"], "properties": {
    "title": {"type": "string", "maxLength": 200}, "purpose": {"type": "string"}, "body": {"type": "string"},
    "department": {"type": "string"}, "contact": {"type": "string"}, "paper_address": {"type": "string"},
    "deadline_date": {"type": "string", "format": "date", "description": "Korea time"},
    "deadline_time": {"type": "string", "example": "18:00", "description": "HH:MM, Korea time"},
    "policy_id": {"type": "integer"}, "has_hearing": {"type": "boolean"},
    "hearing_date": {"type": "string", "format": "date"}, "hearing_start": {"type": "string", "example": "14:00"},
    "hearing_end": {"type": "string", "example": "16:00"}, "hearing_place": {"type": "string"},
    "hearing_url": {"type": "string"}, "hearing_capacity": {"type": "integer", "minimum": 1}}}
OPINION_FIELDS = {
    "affiliation": {"type": "string"}, "name": {"type": "string"}, "position": {"type": "string"},
    "phone": {"type": "string"}, "body": {"type": "string"}}
OPINION_BODY = {"type": "object", "required": ["name", "phone", "body"], "properties": {
    **OPINION_FIELDS,
    "email": {"type": "string", "description": "without a token: the address the code was sent to"},
    "guest_phone": {"type": "string", "description": "without a token: or the mobile number a code was texted to"},
    "code": {"type": "string", "description": "without a token: the 6-digit code from the email or text"}}}
ENTERED_BODY = {"type": "object", "required": ["name", "body", "channel", "written_on"], "properties": {
    **OPINION_FIELDS, "channel": {"type": "string", "enum": ["paper", "phone", "hearing"]},
    "written_on": {"type": "string", "format": "date"}}}
OPINION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "channel": {"type": "string", "enum": [c.value for c in Channel]},
    "affiliation": {"type": "string"}, "body": {"type": "string"}, "written_on": {"type": "string"},
    "theme_id": {"type": "integer", "nullable": True}, "created_at": _DT,
    "name": {"type": "string", "description": "staff only"}, "position": {"type": "string"},
    "phone": {"type": "string", "description": "staff only"},
    "email": {"type": "string", "nullable": True, "description": "staff only"}}}
THEME_BODY = {"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string"}, "response": {"type": "string"}}}
ASSIGN_BODY = {"type": "object", "required": ["opinion_ids"], "properties": {
    "opinion_ids": {"type": "array", "items": {"type": "integer"}},
    "theme_id": {"type": "integer", "nullable": True, "description": "null takes them out of their theme"}}}
RESULTS_BODY = {"type": "object", "required": ["results_summary"], "properties": {
    "results_summary": {"type": "string"}}}
REGISTRATION_SCHEMA = {"type": "object", "properties": {
    "status": {"type": "string", "enum": ["registered", "waitlisted", "cancelled"]}}}


def _iso(value):
    return value.isoformat() + "Z" if value else None


def consultation_json(consultation: Consultation, user=None) -> dict:
    now = utcnow()
    hearing = None
    counts = queries.numbers(consultation)
    if consultation.has_hearing:
        mine = services.registration_of(consultation, user)
        hearing = {"starts_at": _iso(consultation.hearing_starts_at), "ends_at": _iso(consultation.hearing_ends_at),
                   "place": consultation.hearing_place, "url": consultation.hearing_url,
                   "capacity": consultation.hearing_capacity, "registered": counts.registered,
                   "waitlisted": counts.waitlisted, "my_registration": mine.status.value if mine else None}
    show_numbers = consultation.closed(now) or can_manage_consultation(user, consultation)
    results = None
    if consultation.status is ConsultationStatus.RESULTS:
        theme_counts = queries.theme_counts(consultation)
        results = {"summary": consultation.results_summary, "published_at": _iso(consultation.results_at),
                   "themes": [theme_json(t, theme_counts) for t in consultation.themes]}
    return {
        "id": consultation.id, "title": consultation.title, "purpose": consultation.purpose,
        "body": consultation.body, "department": consultation.department, "contact": consultation.contact,
        "paper_address": consultation.paper_address, "deadline": _iso(consultation.deadline_at),
        "deadline_korea": utc_to_seoul(consultation.deadline_at).strftime("%Y-%m-%d %H:%M"),
        "status": consultation.status.value, "accepting": consultation.accepting(now),
        "policy_id": consultation.policy_id, "hearing": hearing,
        "documents": [{"id": d.id, "name": d.name, "size": d.size,
                       "url": url_for("consultations.document", consultation_id=consultation.id, document_id=d.id)}
                      for d in consultation.documents],
        "numbers": {"opinions": counts.opinions, "participants": counts.participants,
                    "by_channel": {c.value: n for c, n in counts.by_channel.items()}} if show_numbers else None,
        "results": results,
    }


def theme_json(theme: OpinionTheme, counts: dict[int, int]) -> dict:
    return {"id": theme.id, "title": theme.title, "response": theme.response, "opinions": counts.get(theme.id, 0)}


def opinion_json(opinion: Opinion, *, private: bool) -> dict:
    data = {"id": opinion.id, "channel": opinion.channel.value, "affiliation": opinion.affiliation,
            "position": opinion.position, "body": opinion.body, "written_on": opinion.written_on.isoformat(),
            "theme_id": opinion.theme_id, "created_at": _iso(opinion.created_at)}
    if private:
        data.update(name=opinion.name, phone=opinion.phone, email=opinion.guest_email)
    return data


def _load(consultation_id: int) -> Consultation:
    consultation = queries.load_consultation(consultation_id)
    if consultation is None or not can_view_consultation(api_user(), consultation):
        abort(404)
    return consultation


def _detail(consultation: Consultation, status: int = 200):
    db.session.expire_all()
    return jsonify(consultation_json(queries.load_consultation(consultation.id), api_user())), status


@bp.route("/consultations", methods=["GET"])
@documented("List consultations: open ones first by nearest deadline", tag=TAG, auth=False,
            query=[query_param("phase", enum=list(queries.PHASES)), query_param("page", "integer"),
                   query_param("per_page", "integer")],
            responses={200: ("A page of consultations", LIST_SCHEMA)})
def list_consultations():
    phase = request.args.get("phase", "").strip() or None
    if phase is not None and phase not in queries.PHASES:
        raise ValidationFailed({"phase": [_l("Use one of: %(codes)s.", codes=", ".join(queries.PHASES))]})
    user = api_user()
    query = queries.consultations_query(phase=phase, include_drafts=can_create_consultation(user), now=utcnow())
    pagination = db.paginate(query, page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda c: consultation_json(c, user)))


@bp.route("/consultations", methods=["POST"])
@documented("Create a consultation as a draft, with an optional hearing (staff)", tag=TAG, body=CONSULTATION_BODY,
            responses={201: ("The draft", CONSULTATION_SCHEMA), 403: ("Staff only", None)})
def create_consultation():
    actor = require_api(can_create_consultation)
    form = validate(ConsultationForm, json_body(), policies=queries.policy_choices())
    consultation = services.create_consultation(actor, services.consultation_data(form))
    db.session.commit()
    return _detail(consultation, 201)


@bp.route("/consultations/<int:consultation_id>", methods=["GET"])
@documented("A consultation with its documents, hearing, and numbers and results once the deadline passed",
            tag=TAG, auth=False, responses={200: ("The consultation", CONSULTATION_SCHEMA), 404: ("Not found", None)})
def get_consultation(consultation_id: int):
    return _detail(_load(consultation_id))


@bp.route("/consultations/<int:consultation_id>", methods=["PUT"])
@documented("Replace a consultation's details (staff; the deadline cannot move once passed)", tag=TAG,
            body=CONSULTATION_BODY, responses={200: ("The consultation", CONSULTATION_SCHEMA),
                                               403: ("Staff only, not after results", None)})
def edit_consultation(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_edit_consultation, consultation)
    form = validate(ConsultationForm, json_body(), policies=queries.policy_choices())
    services.edit_consultation(consultation, actor, services.consultation_data(form))
    db.session.commit()
    return _detail(consultation)


@bp.route("/consultations/<int:consultation_id>/open", methods=["POST"])
@documented("Open a draft to everyone (staff)", tag=TAG,
            responses={200: ("The consultation", CONSULTATION_SCHEMA), 409: ("Not a draft", None)})
def open_consultation(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_edit_consultation, consultation)
    services.open_consultation(consultation, actor)
    db.session.commit()
    return _detail(consultation)


@bp.route("/consultations/<int:consultation_id>/documents", methods=["POST"])
@documented("Attach a PDF as multipart/form-data field `document` (checked by content, at most 5 MB; staff)",
            tag=TAG, responses={201: ("The document", DOCUMENT_SCHEMA), 422: ("Not a PDF", None)})
def add_consultation_document(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_edit_consultation, consultation)
    document = services.add_document(consultation, actor, request.files.get("document"))
    db.session.commit()
    return jsonify({"id": document.id, "name": document.name, "size": document.size,
                    "url": url_for("consultations.document", consultation_id=consultation.id,
                                   document_id=document.id)}), 201


@bp.route("/consultations/<int:consultation_id>/documents/<int:document_id>", methods=["DELETE"])
@documented("Remove a document (staff)", tag=TAG, responses={204: ("Removed", None)})
def remove_consultation_document(consultation_id: int, document_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_edit_consultation, consultation)
    document = db.session.get(ConsultationDocument, document_id)
    if document is None or document.consultation_id != consultation.id:
        abort(404)
    services.remove_document(document, actor)
    db.session.commit()
    return "", 204


@bp.route("/consultations/<int:consultation_id>/guest-code", methods=["POST"])
@guests.rate_limited
@documented("Without an account: mail a 6-digit confirmation code to an address (rate limited, expires)",
            tag=TAG, auth=False, body=api_guests.EMAIL_CODE_BODY,
            responses={202: ("Sent", None), 409: ("Not accepting opinions", None), 429: ("Too many codes", None)})
def consultation_guest_code(consultation_id: int):
    consultation = _load(consultation_id)
    consultation.ensure_accepting(utcnow())
    return api_guests.send_email_code(json_body(), services.purpose_key(consultation), consultation.title)


@bp.route("/consultations/<int:consultation_id>/guest-phone-code", methods=["POST"])
@phone_code_limited
@documented("Without an account: text a 6-digit code to a mobile number (rate limited, expires; a code is "
            "good for one opinion)", tag=TAG, auth=False, body=api_guests.PHONE_CODE_BODY,
            responses={202: ("Sent", None), 409: ("Not accepting opinions", None), 422: ("Not a mobile number", None),
                       429: ("Too many codes", None)})
def consultation_guest_phone_code(consultation_id: int):
    consultation = _load(consultation_id)
    consultation.ensure_accepting(utcnow())
    return api_guests.send_phone_code(json_body(), services.purpose_key(consultation))


@bp.route("/consultations/<int:consultation_id>/opinions", methods=["POST"])
@guests.rate_limited
@documented("Send an opinion before the deadline (server time, Korea): with a token, with `email` and the "
            "`code` mailed by guest-code, or with `guest_phone` and the `code` texted by guest-phone-code (used "
            "up). Name and phone are never shown publicly.", tag=TAG, auth=False,
            body=OPINION_BODY, responses={201: ("The opinion as its author sees it", OPINION_SCHEMA),
                                          403: ("Wrong or expired emailed code", None),
                                          409: ("Deadline passed or not open", None),
                                          422: ("Wrong or expired texted code", None),
                                          429: ("No tries left for the texted code", None)})
def submit_consultation_opinion(consultation_id: int):
    consultation = _load(consultation_id)
    user = api_guests.user_or_guest()
    payload = json_body()
    form = validate(OpinionForm, payload, ignore=("email", "code", "guest_phone"))
    guest_email = guest_phone = None
    if user is None:
        consultation.ensure_accepting(utcnow())
        email, code = payload.get("email"), payload.get("code")
        if payload.get("guest_phone") is None and (not isinstance(email, str) or not isinstance(code, str)):
            raise ValidationFailed({"code": [guests.WRONG_CODE]})  # here a missing code is 422, not 403
        guest_email, guest_phone = api_guests.confirmed_guest(payload, services.purpose_key(consultation))
    opinion = services.submit_opinion(consultation, services.opinion_data(form), user=user, guest_email=guest_email,
                                      guest_phone=guest_phone)
    db.session.commit()
    return jsonify(opinion_json(opinion, private=True)), 201


@bp.route("/consultations/<int:consultation_id>/opinions", methods=["GET"])
@documented("Every opinion with name, phone and email (staff)", tag=TAG,
            query=[query_param("theme", description="a theme id, or none"), query_param("page", "integer"),
                   query_param("per_page", "integer")],
            responses={200: ("A page of opinions", {"type": "object", "properties": {
                "items": {"type": "array", "items": OPINION_SCHEMA}, "total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"}}}), 403: ("Staff only", None)})
def list_consultation_opinions(consultation_id: int):
    consultation = _load(consultation_id)
    require_api(can_manage_consultation, consultation)
    pagination = db.paginate(queries.opinions_query(consultation, theme=request.args.get("theme", "")),
                             page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda o: opinion_json(o, private=True)))


@bp.route("/consultations/<int:consultation_id>/entered-opinions", methods=["POST"])
@documented("Enter an opinion received on paper, by phone or at the hearing (staff)", tag=TAG, body=ENTERED_BODY,
            responses={201: ("The opinion", OPINION_SCHEMA), 409: ("Dated after the deadline", None)})
def enter_consultation_opinion(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_enter_opinion, consultation)
    form = validate(EnteredOpinionForm, json_body())
    opinion = services.enter_opinion(consultation, actor, services.opinion_data(form),
                                     channel=Channel(form.channel.data), written_on=form.written_on.data)
    db.session.commit()
    return jsonify(opinion_json(opinion, private=True)), 201


@bp.route("/consultations/<int:consultation_id>/themes", methods=["POST"])
@documented("Add a theme with the city's response (staff, after the deadline)", tag=TAG, body=THEME_BODY,
            responses={201: ("The theme", THEME_SCHEMA), 403: ("Before the deadline or after results", None)})
def add_consultation_theme(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_group_opinions, consultation, utcnow())
    form = validate(ThemeForm, json_body())
    theme = services.add_theme(consultation, actor, form.title.data, form.response.data)
    db.session.commit()
    return jsonify(theme_json(theme, {})), 201


@bp.route("/consultations/<int:consultation_id>/themes/<int:theme_id>", methods=["PUT"])
@documented("Rename a theme and write its response (staff)", tag=TAG, body=THEME_BODY,
            responses={200: ("The theme", THEME_SCHEMA)})
def edit_consultation_theme(consultation_id: int, theme_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_group_opinions, consultation, utcnow())
    theme = db.session.get(OpinionTheme, theme_id)
    if theme is None or theme.consultation_id != consultation.id:
        abort(404)
    form = validate(ThemeForm, json_body())
    services.edit_theme(theme, actor, form.title.data, form.response.data)
    db.session.commit()
    return jsonify(theme_json(theme, queries.theme_counts(consultation)))


@bp.route("/consultations/<int:consultation_id>/assign", methods=["POST"])
@documented("Put opinions under a theme (staff)", tag=TAG, body=ASSIGN_BODY,
            responses={200: ("How many opinions moved", {"type": "object", "properties": {
                "assigned": {"type": "integer"}}})})
def assign_consultation_opinions(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_group_opinions, consultation, utcnow())
    form = validate(AssignForm, json_body())
    count = services.assign_opinions(consultation, actor, form.opinion_ids.data, form.theme_id.data)
    db.session.commit()
    return jsonify({"assigned": count})


@bp.route("/consultations/<int:consultation_id>/results", methods=["POST"])
@documented("Publish the results and notify every participant (staff, after the deadline)", tag=TAG,
            body=RESULTS_BODY, responses={200: ("The consultation", CONSULTATION_SCHEMA),
                                          409: ("Opinions without a theme or themes without a response", None)})
def publish_consultation_results(consultation_id: int):
    consultation = _load(consultation_id)
    actor = require_api(can_publish_results, consultation, utcnow())
    form = validate(ResultsForm, json_body())
    services.publish_results(consultation, actor, form.results_summary.data)
    db.session.commit()
    return _detail(consultation)


@bp.route("/consultations/<int:consultation_id>/hearing/registration", methods=["PUT"])
@documented("Register for the hearing: a seat while there is one, else the waitlist", tag=TAG,
            responses={200: ("Your registration", REGISTRATION_SCHEMA), 403: ("Registration closed", None)})
def register_for_hearing(consultation_id: int):
    consultation = _load(consultation_id)
    user = require_api(can_register_for_hearing, consultation, utcnow())
    registration = services.register_for_hearing(consultation, user)
    db.session.commit()
    return jsonify({"status": registration.status.value})


@bp.route("/consultations/<int:consultation_id>/hearing/registration", methods=["DELETE"])
@documented("Cancel your hearing registration (the first on the waitlist moves up)", tag=TAG,
            responses={200: ("Cancelled", REGISTRATION_SCHEMA), 409: ("Not registered", None)})
def cancel_hearing_registration(consultation_id: int):
    consultation = _load(consultation_id)
    user = require_api(lambda u: u.active)
    services.cancel_registration(consultation, user)
    db.session.commit()
    return jsonify({"status": "cancelled"})


@bp.route("/policies/<int:policy_id>/consultations", methods=["GET"])
@documented("The published consultations linked to a policy (its timeline)", tag=TAG, auth=False,
            responses={200: ("Consultations", {"type": "array", "items": CONSULTATION_SCHEMA})})
def policy_consultations(policy_id: int):
    if db.session.get(Policy, policy_id) is None:
        abort(404)
    return jsonify([consultation_json(c, api_user()) for c in queries.consultations_for_policy(policy_id)])
