"""Surveys and quick polls over the API: the same forms, services, results and permissions as the pages."""
from flask import Response, abort, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api import guests as api_guests
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented, query_param
from app.consultations import guests
from app.consultations.clock import seoul_to_utc, utc_to_seoul
from app.core import ValidationFailed, utcnow
from app.extensions import db
from app.phones.limits import phone_code_limited
from app.surveys import queries, results, services
from app.surveys.forms import DemographicForm, PollForm, QuestionForm, SectionForm, SurveyForm
from app.surveys.models import (
    Audience,
    Demographic,
    QuestionKind,
    Survey,
    SurveyKind,
    SurveyQuestion,
    SurveyStatus,
)
from app.surveys.permissions import (
    can_close_survey,
    can_create_survey,
    can_edit_questions,
    can_export,
    can_manage_survey,
    can_read_text_answers,
    can_view_results,
    can_view_survey,
)

TAG = "surveys"
OPTION_SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}, "label": {"type": "string"}}}
QUESTION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "text": {"type": "string"},
    "kind": {"type": "string", "enum": [k.value for k in QuestionKind]}, "required": {"type": "boolean"},
    "section_id": {"type": "integer", "nullable": True},
    "demographic": {"type": "string", "nullable": True, "enum": [d.value for d in Demographic]},
    "options": {"type": "array", "items": OPTION_SCHEMA}}}
SURVEY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": [k.value for k in SurveyKind]},
    "title": {"type": "string"}, "description": {"type": "string"}, "consent_notice": {"type": "string"},
    "status": {"type": "string", "enum": [s.value for s in SurveyStatus]},
    "audience": {"type": "string", "enum": [a.value for a in Audience]},
    "lab_id": {"type": "integer", "nullable": True},
    "opens_at": {"type": "string", "description": "Korea time, YYYY-MM-DDTHH:MM"},
    "closes_at": {"type": "string", "description": "Korea time, YYYY-MM-DDTHH:MM"},
    "open": {"type": "boolean"}, "response_count": {"type": "integer"},
    "target": {"type": "object", "nullable": True,
               "properties": {"type": {"type": "string"}, "id": {"type": "integer"}}},
    "sections": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"}}}},
    "questions": {"type": "array", "items": QUESTION_SCHEMA},
    "my_answers": {"type": "object", "nullable": True,
                   "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "your current answers by question id (with a token)"}}}
LIST_SCHEMA = {"type": "object", "properties": {"items": {"type": "array", "items": SURVEY_SCHEMA},
                                                "total": {"type": "integer"}, "page": {"type": "integer"},
                                                "per_page": {"type": "integer"}}}
SURVEY_BODY = {"type": "object", "required": ["title", "opens_at", "closes_at", "audience"], "properties": {
    "title": {"type": "string"}, "description": {"type": "string"}, "consent_notice": {"type": "string"},
    "opens_at": {"type": "string", "example": "2026-12-01T09:00", "description": "Korea time"},
    "closes_at": {"type": "string", "example": "2026-12-15T18:00", "description": "Korea time"},
    "audience": {"type": "string", "enum": [a.value for a in Audience]}, "lab_id": {"type": "integer"}}}
QUESTION_BODY = {"type": "object", "required": ["text", "kind"], "properties": {
    "text": {"type": "string"}, "kind": {"type": "string", "enum": [k.value for k in QuestionKind]},
    "options": {"type": "array", "items": {"type": "string"}, "description": "choice questions: two or more"},
    "required": {"type": "boolean"}, "section_id": {"type": "integer"}}}
RESPONSE_BODY = {"type": "object", "required": ["answers"], "properties": {
    "answers": {"type": "object", "additionalProperties": {}, "description":
                "by question id: an option id, a list of option ids, a number 1-5 or a text"},
    "consent": {"type": "boolean",
                "description": "agree to the consent notice (needed to answer respondent questions)"},
    "email": {"type": "string", "description": "without a token, surveys open to everyone: the address of the code"},
    "guest_phone": {"type": "string", "description": "or the mobile number a code was texted to (guest-phone-code)"},
    "code": {"type": "string"}}}
ROW = {"type": "object", "properties": {"label": {"type": "string"}, "count": {"type": "integer"},
                                        "percent": {"type": "number"}}}
RESULTS_SCHEMA = {"type": "object", "properties": {
    "response_count": {"type": "integer"},
    "questions": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "text": {"type": "string"}, "respondents": {"type": "integer"},
        "rows": {"type": "array", "items": ROW}, "mean": {"type": "number", "nullable": True},
        "texts": {"type": "array", "items": {"type": "string"}, "description": "staff only"}}}},
    "crosstab": {"type": "object", "nullable": True, "properties": {
        "question_id": {"type": "integer"}, "by_question_id": {"type": "integer"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "min_group": {"type": "integer"},
        "groups": {"type": "array", "items": {"type": "object", "properties": {
            "label": {"type": "string"}, "respondents": {"type": "integer"},
            "suppressed": {"type": "boolean"}, "cells": {"type": "array", "nullable": True, "items": ROW}}}}}}}}
POLL_BODY = {"type": "object", "required": ["target_type", "target_id", "question", "options", "closes_at"],
             "properties": {"target_type": {"type": "string", "enum": list(services.POLL_TARGETS)},
                            "target_id": {"type": "integer"}, "question": {"type": "string"},
                            "options": {"type": "array", "items": {"type": "string"}},
                            "closes_at": {"type": "string", "example": "2026-12-15T18:00"}}}


def _local(value) -> str:
    return utc_to_seoul(value).strftime("%Y-%m-%dT%H:%M")


def survey_json(survey: Survey, user=None) -> dict:
    mine = None
    if user is not None:
        mine = {str(k): v for k, v in services.answers_of(services.response_of(survey, user)).items()}
    return {
        "id": survey.id, "kind": survey.kind.value, "title": survey.title, "description": survey.description,
        "consent_notice": survey.consent_notice, "status": survey.status.value, "audience": survey.audience.value,
        "lab_id": survey.lab_id, "opens_at": _local(survey.opens_at), "closes_at": _local(survey.closes_at),
        "open": survey.is_open(utcnow()), "response_count": survey.response_count,
        "target": {"type": survey.target_type, "id": survey.target_id} if survey.target_type else None,
        "sections": [{"id": s.id, "title": s.title, "description": s.description} for s in survey.sections],
        "questions": [question_json(q) for q in survey.questions], "my_answers": mine,
    }


def question_json(question: SurveyQuestion) -> dict:
    return {"id": question.id, "text": question.text, "kind": question.kind.value, "required": question.required,
            "section_id": question.section_id,
            "demographic": question.demographic.value if question.demographic else None,
            "options": [{"id": o.id, "label": o.label} for o in question.options]}


def _load(survey_id: int) -> Survey:
    survey = queries.load_survey(survey_id)
    if survey is None or not can_view_survey(api_user(), survey):
        abort(404)
    return survey


def _open_to_guests(survey: Survey) -> Survey:
    """Only a survey open to everyone, while it is open, sends codes to guests (403 needs an account, 409 not
    open)."""
    if survey.audience is not Audience.EVERYONE:
        abort(403)
    survey.ensure_open(utcnow())
    return survey


def _fresh(survey: Survey, status: int = 200):
    db.session.expire_all()
    return jsonify(survey_json(queries.load_survey(survey.id), api_user())), status


@bp.route("/surveys", methods=["GET"])
@documented("List surveys: running ones first by nearest close", tag=TAG, auth=False,
            query=[query_param("page", "integer"), query_param("per_page", "integer")],
            responses={200: ("A page of surveys", LIST_SCHEMA)})
def list_surveys():
    user = api_user()
    query = queries.surveys_query(include_drafts=can_create_survey(user), now=utcnow())
    pagination = db.paginate(query, page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda s: survey_json(s, None)))


@bp.route("/surveys", methods=["POST"])
@documented("Create a survey as a draft (staff)", tag=TAG, body=SURVEY_BODY,
            responses={201: ("The draft", SURVEY_SCHEMA), 403: ("Staff only", None)})
def create_survey():
    actor = require_api(can_create_survey)
    form = validate(SurveyForm, json_body(), labs=queries.lab_choices())
    survey = services.create_survey(actor, services.survey_data(form))
    db.session.commit()
    return _fresh(survey, 201)


@bp.route("/surveys/<int:survey_id>", methods=["GET"])
@documented("A survey with its sections, questions and options, and your answers with a token", tag=TAG,
            auth=False, responses={200: ("The survey", SURVEY_SCHEMA), 404: ("Not found", None)})
def get_survey(survey_id: int):
    return _fresh(_load(survey_id))


@bp.route("/surveys/<int:survey_id>", methods=["PUT"])
@documented("Replace a survey's details and dates (staff)", tag=TAG, body=SURVEY_BODY,
            responses={200: ("The survey", SURVEY_SCHEMA), 409: ("Closed, or audience change after publishing", None)})
def edit_survey(survey_id: int):
    survey = _load(survey_id)
    actor = require_api(can_manage_survey, survey)
    form = validate(SurveyForm, json_body(), labs=queries.lab_choices())
    services.edit_survey(survey, actor, services.survey_data(form))
    db.session.commit()
    return _fresh(survey)


@bp.route("/surveys/<int:survey_id>/sections", methods=["POST"])
@documented("Add a section (staff, draft only)", tag=TAG, body={"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string"}, "description": {"type": "string"}}},
            responses={201: ("The survey", SURVEY_SCHEMA)})
def add_survey_section(survey_id: int):
    survey = _load(survey_id)
    actor = require_api(can_edit_questions, survey)
    form = validate(SectionForm, json_body())
    services.add_section(survey, actor, form.title.data, form.description.data)
    db.session.commit()
    return _fresh(survey, 201)


@bp.route("/surveys/<int:survey_id>/questions", methods=["POST"])
@documented("Add a question (staff, draft only)", tag=TAG, body=QUESTION_BODY,
            responses={201: ("The question", QUESTION_SCHEMA)})
def add_survey_question(survey_id: int):
    survey = _load(survey_id)
    actor = require_api(can_edit_questions, survey)
    payload = json_body()
    options = payload.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValidationFailed({"options": [_l("Send the options as a list of texts.")]})
    form = validate(QuestionForm, {k: v for k, v in payload.items() if k != "options"}, ignore=("options",),
                    sections=survey.sections)
    question = services.add_question(survey, actor, kind=QuestionKind(form.kind.data), text=form.text.data,
                                     required=form.required.data, options=options, section_id=form.section_id.data)
    db.session.commit()
    return jsonify(question_json(question)), 201


@bp.route("/surveys/<int:survey_id>/demographics", methods=["POST"])
@documented("Add a respondent question with fixed options: district, years, sex or age (staff, draft only)",
            tag=TAG, body={"type": "object", "required": ["demographic"], "properties": {
                "demographic": {"type": "string", "enum": [d.value for d in Demographic]},
                "section_id": {"type": "integer"}}}, responses={201: ("The question", QUESTION_SCHEMA)})
def add_survey_demographic(survey_id: int):
    survey = _load(survey_id)
    actor = require_api(can_edit_questions, survey)
    form = validate(DemographicForm, json_body(), sections=survey.sections)
    question = services.add_demographic(survey, actor, Demographic(form.demographic.data), form.section_id.data)
    db.session.commit()
    return jsonify(question_json(question)), 201


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>", methods=["DELETE"])
@documented("Remove a question (staff, draft only)", tag=TAG, responses={204: ("Removed", None)})
def remove_survey_question(survey_id: int, question_id: int):
    survey = _load(survey_id)
    actor = require_api(can_edit_questions, survey)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    services.remove_question(question, actor)
    db.session.commit()
    return "", 204


@bp.route("/surveys/<int:survey_id>/publish", methods=["POST"])
@documented("Publish a draft (staff)", tag=TAG, responses={200: ("The survey", SURVEY_SCHEMA),
                                                           409: ("Not ready", None)})
def publish_survey(survey_id: int):
    survey = _load(survey_id)
    actor = require_api(can_edit_questions, survey)
    services.publish_survey(survey, actor)
    db.session.commit()
    return _fresh(survey)


@bp.route("/surveys/<int:survey_id>/close", methods=["POST"])
@documented("Close a published survey now (staff)", tag=TAG, responses={200: ("The survey", SURVEY_SCHEMA)})
def close_survey(survey_id: int):
    survey = _load(survey_id)
    actor = require_api(can_close_survey, survey)
    services.close_survey(survey, actor)
    db.session.commit()
    return _fresh(survey)


@bp.route("/surveys/<int:survey_id>/guest-code", methods=["POST"])
@guests.rate_limited
@documented("Without an account (surveys open to everyone): mail a 6-digit code", tag=TAG, auth=False,
            body=api_guests.EMAIL_CODE_BODY,
            responses={202: ("Sent", None), 403: ("This survey needs an account", None), 429: ("Too many", None)})
def survey_guest_code(survey_id: int):
    survey = _open_to_guests(_load(survey_id))
    return api_guests.send_email_code(json_body(), services.purpose_key(survey), survey.title)


@bp.route("/surveys/<int:survey_id>/guest-phone-code", methods=["POST"])
@phone_code_limited
@documented("Without an account (surveys open to everyone): text a 6-digit code to a mobile number; a code is "
            "good for one answer", tag=TAG, auth=False, body=api_guests.PHONE_CODE_BODY,
            responses={202: ("Sent", None), 403: ("This survey needs an account", None),
                       422: ("Not a mobile number", None), 429: ("Too many", None)})
def survey_guest_phone_code(survey_id: int):
    survey = _open_to_guests(_load(survey_id))
    return api_guests.send_phone_code(json_body(), services.purpose_key(survey))


@bp.route("/surveys/<int:survey_id>/response", methods=["PUT"])
@guests.rate_limited
@documented("Answer, or change your answers until the survey closes (one response per account, email or mobile "
            "number): guests send `email` with the mailed `code`, or `guest_phone` with a texted `code` (used up)",
            tag=TAG, auth=False, body=RESPONSE_BODY,
            responses={200: ("Your saved answers", {"type": "object", "properties": {
                "answers": {"type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}),
                403: ("Not in the survey's audience, or wrong code", None), 409: ("Not open", None)})
def answer_survey(survey_id: int):
    survey = _load(survey_id)
    user = api_guests.user_or_guest()
    payload = json_body()
    unknown = sorted(set(payload) - {"answers", "consent", "email", "code", "guest_phone"})
    if unknown or not isinstance(payload.get("answers"), dict) or not isinstance(payload.get("consent", False), bool):
        raise ValidationFailed({name: [_l("Unknown field.")] for name in unknown} or {
            "answers": [_l("Send the answers as an object keyed by question id.")]})
    guest_email = guest_phone = None
    if user is None and survey.audience is Audience.EVERYONE:
        survey.ensure_open(utcnow())
        guest_email, guest_phone = api_guests.confirmed_guest(payload, services.purpose_key(survey))
    response = services.submit_response(survey, payload["answers"], user=user, guest_email=guest_email,
                                        guest_phone=guest_phone,
                                        consent=payload.get("consent", False),
                                        lab_member=services.is_lab_member(survey, user))
    db.session.commit()
    return jsonify({"answers": {str(k): v for k, v in services.answers_of(response).items()}})


@bp.route("/surveys/<int:survey_id>/results", methods=["GET"])
@documented("Counts and percentages per question; with q and by, a cross-tab where groups under 5 are hidden",
            tag=TAG, auth=False, query=[query_param("q", "integer", "question to cross-tabulate"),
                                         query_param("by", "integer", "a respondent question")],
            responses={200: ("Results", RESULTS_SCHEMA), 403: ("Not before the survey closes", None)})
def survey_results(survey_id: int):
    survey = _load(survey_id)
    user = api_user()
    if not can_view_results(user, survey, utcnow()):
        abort(403)
    texts = can_read_text_answers(user, survey)
    body = {"response_count": survey.response_count, "crosstab": None, "questions": [
        {"id": r.question.id, "text": r.question.text, "respondents": r.respondents, "mean": r.mean,
         "rows": [{"label": row.label, "count": row.count, "percent": row.percent} for row in r.rows],
         "texts": r.texts if texts else []}
        for r in results.question_results(survey, with_texts=texts)]}
    q_id, by_id = request.args.get("q", type=int), request.args.get("by", type=int)
    if q_id is not None or by_id is not None:
        question = next((x for x in survey.questions if x.id == q_id and not x.kind.is_text), None)
        by = next((x for x in survey.questions if x.id == by_id and x.demographic is not None), None)
        if question is None or by is None:
            raise ValidationFailed({"by": [_l("Choose a question and a respondent question of this survey.")]})
        table = results.crosstab(survey, question, by)
        body["crosstab"] = {"question_id": question.id, "by_question_id": by.id, "columns": table.columns,
                            "min_group": results.MIN_GROUP, "groups": [
                                {"label": label, "respondents": n, "suppressed": cells is None,
                                 "cells": None if cells is None else [
                                     {"label": col, "count": c, "percent": p}
                                     for col, (c, p) in zip(table.columns, cells)]}
                                for label, n, cells in table.groups]}
    return jsonify(body)


@bp.route("/surveys/<int:survey_id>/export.csv", methods=["GET"])
@documented("Every response as CSV, numbered, without names or emails (staff)", tag=TAG,
            responses={200: ("text/csv", None), 403: ("Staff only", None)})
def export_survey(survey_id: int):
    survey = _load(survey_id)
    require_api(can_export, survey)
    return Response(results.csv_rows(survey), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=survey-{survey.id}.csv"})


@bp.route("/polls", methods=["POST"])
@documented("Open a quick poll (one question) on a proposal or a policy update (staff)", tag=TAG, body=POLL_BODY,
            responses={201: ("The poll", SURVEY_SCHEMA), 403: ("Staff only", None)})
def create_poll():
    actor = require_api(can_create_survey)
    payload = json_body()
    options, target_type, target_id = payload.get("options"), payload.get("target_type"), payload.get("target_id")
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValidationFailed({"options": [_l("Send the options as a list of texts.")]})
    if target_type not in services.POLL_TARGETS or not isinstance(target_id, int):
        raise ValidationFailed({"target_id": [_l("A poll belongs to a proposal or a policy update.")]})
    form = validate(PollForm, {"question": payload.get("question"), "closes_at": payload.get("closes_at"),
                               "options": "\n".join(options)})
    poll = services.create_poll(actor, target_type=target_type, target_id=target_id, question=form.question.data,
                                options=options, closes_at=seoul_to_utc(form.closes_at.data))
    db.session.commit()
    return _fresh(poll, 201)


@bp.route("/polls", methods=["GET"])
@documented("The quick polls of a proposal or a policy update", tag=TAG, auth=False,
            query=[query_param("target_type", enum=list(services.POLL_TARGETS)), query_param("target_id", "integer")],
            responses={200: ("Polls", {"type": "array", "items": SURVEY_SCHEMA})})
def list_polls():
    target_type, target_id = request.args.get("target_type", ""), request.args.get("target_id", type=int)
    if target_type not in services.POLL_TARGETS or target_id is None:
        raise ValidationFailed({"target_id": [_l("A poll belongs to a proposal or a policy update.")]})
    user = api_user()
    return jsonify([survey_json(p, user) for p in services.polls_for(target_type, target_id)])

