from flask import abort, jsonify, request

from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.routes_comments import (COMMENT_BODY, COMMENT_LIST_QUERY, COMMENT_PAGE_SCHEMA, COMMENT_SCHEMA,
                                     comments_create, comments_list)
from app.api.spec import documented, query_param
from app.core import iso
from app.extensions import db
from app.ops.cache import public_page
from app.proposals import permissions, queries, services
from app.proposals.choices import all_fields, all_topics
from app.proposals.forms import AnswerForm, ProposalForm
from app.proposals.models import AnswerStatus, Proposal, ProposalStatus

PROPOSAL_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "body": {"type": "string"},
    "field": {"type": "string"}, "topics": {"type": "array", "items": {"type": "string"}},
    "status": {"type": "string", "enum": [s.value for s in ProposalStatus]},
    "support_count": {"type": "integer"}, "comment_count": {"type": "integer"}, "answered": {"type": "boolean"},
    "author": {"type": "string"}, "created_at": {"type": "string"}, "district": {"type": "string", "nullable": True},
    "hidden": {"type": "boolean"}}}
PROPOSAL_BODY = {"type": "object", "required": ["title", "body", "field"], "properties": {
    "title": {"type": "string", "minLength": 5, "maxLength": 120},
    "body": {"type": "string", "minLength": 20, "maxLength": 10000},
    "field": {"type": "string", "description": "a field's slug (GET /api/v1/fields)"},
    "topics": {"type": "array", "maxItems": 5, "items": {"type": "string"}},
    "district": {"type": "string"}, "latitude": {"type": "number"}, "longitude": {"type": "number"}}}
ANSWER_BODY = {"type": "object", "required": ["body", "status"], "properties": {
    "body": {"type": "string"}, "status": {"type": "string", "enum": [s.value for s in AnswerStatus]},
    "department": {"type": "string"}, "reason": {"type": "string", "description": "required for not_adopted"}}}
CHOICE_SCHEMA = {"type": "object", "properties": {
    "slug": {"type": "string"}, "name": {"type": "string", "description": "in the request's language"},
    "name_ko": {"type": "string"}, "name_en": {"type": "string"}}}
CHOICES_SCHEMA = {"type": "object", "properties": {"items": {"type": "array", "items": CHOICE_SCHEMA}}}


def proposal_json(proposal: Proposal) -> dict:
    return {
        "id": proposal.id, "title": proposal.title, "body": proposal.body, "field": proposal.field.slug,
        "topics": [t.slug for t in proposal.topics_by_name], "status": proposal.status.value,
        "support_count": proposal.support_count, "comment_count": proposal.comment_count,
        "answered": proposal.answered, "author": proposal.author.display_name,
        "created_at": iso(proposal.created_at), "district": proposal.district,
        "hidden": proposal.hidden,
    }


def proposal_detail_json(proposal: Proposal) -> dict:
    body = proposal_json(proposal)
    answer = services.official_answer(proposal)
    body["answer"] = None if answer is None else {
        "status": answer.status.value, "department": answer.department, "body": answer.body,
        "reason": answer.reason, "updated_at": iso(answer.updated_at)}
    body["latitude"], body["longitude"] = proposal.latitude, proposal.longitude
    return body


def _visible_proposal(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not permissions.can_view_proposal(api_user(), proposal):
        abort(404)
    return proposal


def _content(form: ProposalForm) -> dict:
    return {"title": form.title.data, "body": form.body.data, "field_slug": form.field.data,
            "topic_slugs": form.topics.data, "district": form.district.data,
            "latitude": form.latitude.data, "longitude": form.longitude.data}


LIST_QUERY = [
    query_param("q", description="keyword"), query_param("field", description="a field's slug"),
    query_param("topic", description="a topic's slug"),
    query_param("status", enum=[s.value for s in ProposalStatus]), query_param("district"),
    query_param("answered", "boolean"), query_param("sort", enum=list(queries.SORTS)),
    query_param("page", "integer"), query_param("per_page", "integer", "at most 100"),
]


@bp.route("/proposals", methods=["GET"])
@documented("List proposals with filters and sorting", tag="proposals", auth=False, query=LIST_QUERY,
            responses={200: ("A page of proposals", {"type": "object", "properties": {
                "items": {"type": "array", "items": PROPOSAL_SCHEMA}, "total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"}}})})
@public_page
def list_proposals():
    filters = queries.ProposalFilters.from_args(request.args)
    pagination = queries.list_proposals(filters, api_user(), page_arg(), per_page_arg())
    return jsonify(paginated(pagination, proposal_json))


@bp.route("/proposals", methods=["POST"])
@documented("Make a proposal", tag="proposals", body=PROPOSAL_BODY,
            responses={201: ("The new proposal", PROPOSAL_SCHEMA)})
def create_proposal():
    user = require_api(permissions.can_create_proposal)
    form = validate(ProposalForm, json_body(), field_choices=all_fields(), topic_choices=all_topics())
    proposal = services.submit_proposal(user, **_content(form))
    db.session.commit()
    return jsonify(proposal_detail_json(proposal)), 201


@bp.route("/proposals/<int:proposal_id>", methods=["GET"])
@documented("One proposal with its official answer (404 when hidden, unless you may see it)", tag="proposals",
            auth=False, responses={200: ("The proposal", PROPOSAL_SCHEMA), 404: ("Not found", None)})
def get_proposal(proposal_id: int):
    return jsonify(proposal_detail_json(_visible_proposal(proposal_id)))


@bp.route("/proposals/<int:proposal_id>", methods=["PATCH"])
@documented("Edit your proposal (until its first support or comment); send every field", tag="proposals",
            body=PROPOSAL_BODY, responses={200: ("The changed proposal", PROPOSAL_SCHEMA),
                                           409: ("It already has supports or comments", None)})
def edit_proposal(proposal_id: int):
    user = require_api(permissions.is_active_user)
    proposal = _visible_proposal(proposal_id)
    if proposal.author_id != user.id:
        abort(403)
    form = validate(ProposalForm, json_body(), field_choices=all_fields(), topic_choices=all_topics())
    services.edit_proposal(user, proposal, **_content(form))
    db.session.commit()
    return jsonify(proposal_detail_json(proposal))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@documented("Withdraw your proposal (it stays visible, marked withdrawn)", tag="proposals",
            responses={200: ("The withdrawn proposal", PROPOSAL_SCHEMA)})
def withdraw_proposal(proposal_id: int):
    proposal = _visible_proposal(proposal_id)
    user = require_api(permissions.can_withdraw_proposal, proposal)
    services.withdraw_proposal(user, proposal)
    db.session.commit()
    return jsonify(proposal_detail_json(proposal))


SUPPORT_SCHEMA = {"type": "object", "properties": {"supported": {"type": "boolean"},
                                                   "support_count": {"type": "integer"}}}


@bp.route("/proposals/<int:proposal_id>/support", methods=["PUT"])
@documented("Support a proposal (idempotent: 201 the first time, 200 after)", tag="proposals",
            responses={201: ("Supported now", SUPPORT_SCHEMA), 200: ("Already supported", SUPPORT_SCHEMA),
                       409: ("Withdrawn proposal", None)})
def support_proposal(proposal_id: int):
    proposal = _visible_proposal(proposal_id)
    user = require_api(permissions.is_active_user)
    created = services.support_proposal(user, proposal)
    db.session.commit()
    return jsonify({"supported": True, "support_count": proposal.support_count}), 201 if created else 200


@bp.route("/proposals/<int:proposal_id>/support", methods=["DELETE"])
@documented("Withdraw your support", tag="proposals", responses={200: ("Not supported", SUPPORT_SCHEMA)})
def withdraw_support(proposal_id: int):
    proposal = _visible_proposal(proposal_id)
    user = require_api(permissions.is_active_user)
    services.withdraw_support(user, proposal)
    db.session.commit()
    return jsonify({"supported": False, "support_count": proposal.support_count})


FOLLOW_SCHEMA = {"type": "object", "properties": {"following": {"type": "boolean"}}}


@bp.route("/proposals/<int:proposal_id>/follow", methods=["PUT"])
@documented("Follow a proposal: notifications of answers and status changes", tag="proposals",
            responses={200: ("Following", FOLLOW_SCHEMA)})
def follow_proposal(proposal_id: int):
    proposal = _visible_proposal(proposal_id)
    user = require_api(permissions.can_follow_proposal, proposal)
    services.follow_proposal(user, proposal)
    db.session.commit()
    return jsonify({"following": True})


@bp.route("/proposals/<int:proposal_id>/follow", methods=["DELETE"])
@documented("Stop following a proposal", tag="proposals", responses={200: ("Not following", FOLLOW_SCHEMA)})
def unfollow_proposal(proposal_id: int):
    proposal = _visible_proposal(proposal_id)
    user = require_api(permissions.can_follow_proposal, proposal)
    services.unfollow_proposal(user, proposal)
    db.session.commit()
    return jsonify({"following": False})


@bp.route("/proposals/<int:proposal_id>/answer", methods=["POST"])
@documented("Post or replace the official answer and set the status (staff)", tag="proposals", body=ANSWER_BODY,
            responses={200: ("The proposal with its answer", PROPOSAL_SCHEMA), 403: ("Not staff", None)})
def answer_proposal(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    user = require_api(permissions.can_answer_proposal, proposal)
    form = validate(AnswerForm, json_body())
    services.answer_proposal(user, proposal, body=form.body.data, status=AnswerStatus(form.status.data),
                             department=form.department.data or "", reason=form.reason.data)
    db.session.commit()
    return jsonify(proposal_detail_json(proposal))


@bp.route("/proposals/<int:proposal_id>/comments", methods=["GET"])
@documented("A page of a proposal's comments, threaded (replies follow their parent)", tag="comments",
            auth=False, query=COMMENT_LIST_QUERY, responses={200: ("Comments", COMMENT_PAGE_SCHEMA)})
def proposal_comments(proposal_id: int):
    return comments_list("proposal", proposal_id)


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@documented("Comment on a proposal, or reply with parent_id (stance only on top-level comments)",
            tag="comments", body=COMMENT_BODY, responses={201: ("The new comment", COMMENT_SCHEMA)})
def create_proposal_comment(proposal_id: int):
    return comments_create("proposal", proposal_id)


def _choices_json(items) -> dict:
    return {"items": [{"slug": i.slug, "name": i.name, "name_ko": i.name_ko, "name_en": i.name_en} for i in items]}


@bp.route("/fields")
@documented("The fields (분야) a proposal can belong to", tag="proposals", auth=False,
            responses={200: ("Fields", CHOICES_SCHEMA)})
def list_fields():
    return jsonify(_choices_json(all_fields()))


@bp.route("/topics")
@documented("The topics (주제) a proposal can carry, up to 5, sorted by their name in the request's language",
            tag="proposals", auth=False,
            responses={200: ("Topics", CHOICES_SCHEMA)})
def list_topics():
    return jsonify(_choices_json(all_topics()))
