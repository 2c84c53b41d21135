"""Committee meetings over the API: members' requests, calls, agenda, attendance, recusal, votes, minutes."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Optional

from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.routes_committees import (
    INT,
    ITEM,
    MEETING,
    MEETING_DETAIL,
    RECUSAL,
    REQUEST,
    TAG,
    _body,
    _enum,
    _list_of,
    item_json,
    meeting_detail_json,
    meeting_json,
)
from app.api.spec import documented, query_param
from app.committees import permissions as perm
from app.committees import queries
from app.committees.forms import (
    MAX_ID,
    AttendanceForm,
    ChallengeDecisionForm,
    CloseItemForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    RecusalForm,
    RequestForm,
    StepAsideForm,
    VotesNoteForm,
    parse_votes,
)
from app.committees.models import (
    CallBasis,
    ItemOutcome,
    MeetingStatus,
    RecusalGround,
    RecusalKind,
    RequestStatus,
    SubjectType,
)
from app.committees.rules import signatures_needed
from app.committees.services import deliberation, meetings, today
from app.committees.views import chair_seat, load_committee, load_item, load_meeting, load_recusal, load_request
from app.core import ValidationFailed, iso
from app.extensions import db


def _seat(committee):
    return queries.member_of_user(committee.id, api_user(), today())


def request_json(req, enrolled: int, signed: set[int]) -> dict:
    return {"id": req.id, "purpose": req.purpose, "status": req.status.value, "signature_count": req.signature_count,
            "signatures_needed": signatures_needed(req.enrolled_when_due or enrolled), "due_at": iso(req.due_at),
            "signed": req.id in signed}


@bp.route("/committees/<int:committee_id>/requests", methods=["GET"])
@documented("Members' requests for a meeting that collect signatures or are due (members and staff)", tag=TAG,
            responses={200: ("Requests", {"type": "array", "items": REQUEST})})
def committee_list_requests(committee_id: int):
    committee = load_committee(committee_id)
    seat = _seat(committee)
    require_api(lambda user: seat is not None or perm.can_manage_committee(user))
    requests = list(db.session.scalars(queries.requests_query(committee.id, RequestStatus.OPEN, RequestStatus.DUE)))
    signed = queries.signed_request_ids(seat.id if seat else None, [r.id for r in requests])
    enrolled = queries.enrolled_count(committee.id, today())
    return jsonify([request_json(r, enrolled, signed) for r in requests])


@bp.route("/committees/<int:committee_id>/requests", methods=["POST"])
@documented("Ask for a meeting (a serving member); your signature is the first", tag=TAG,
            body=_body(["purpose"], {"purpose": {"type": "string"}}), responses={201: ("The request", REQUEST)})
def committee_create_request(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_request_meeting, _seat(committee))
    form = validate(RequestForm, json_body())
    req = meetings.create_request(committee, user, form.purpose.data)
    db.session.commit()
    return jsonify(request_json(req, queries.enrolled_count(committee.id, today()), {req.id})), 201


@bp.route("/committees/<int:committee_id>/requests/<int:request_id>/signatures", methods=["POST"])
@documented("Sign a request (a serving member); it is due when a third of the members have signed", tag=TAG,
            responses={200: ("The request", REQUEST), 409: ("Signed already, or no longer open", None)})
def committee_sign_request(committee_id: int, request_id: int):
    committee = load_committee(committee_id)
    req = load_request(committee, request_id)
    user = require_api(perm.can_request_meeting, _seat(committee))
    req = meetings.sign_request(req, user)
    db.session.commit()
    return jsonify(request_json(req, queries.enrolled_count(committee.id, today()), {req.id}))


@bp.route("/committees/<int:committee_id>/meetings", methods=["GET"])
@documented("Meetings: scheduled and published ones for everybody, every meeting for staff", tag=TAG, auth=False,
            responses={200: ("A page of meetings", _list_of(MEETING))},
            query=[query_param("page", "integer"), query_param("per_page", "integer")])
def committee_list_meetings(committee_id: int):
    committee = load_committee(committee_id)
    public = not perm.can_manage_committee(api_user())
    pagination = db.paginate(queries.meetings_query(committee.id, public=public), page=page_arg(),
                             per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, meeting_json))


def _parse_instant(field: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed({field: [_l("Send an ISO 8601 date and time, e.g. 2026-12-01T10:00:00+09:00.")]}) \
            from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


class ApiMeetingForm(MeetingForm):
    """The page form with the start as ISO 8601 text (with an offset; without one it is UTC)."""

    starts_at = StringField(validators=[DataRequired(message=_l("Enter when the meeting starts."))])


@bp.route("/committees/<int:committee_id>/meetings", methods=["POST"])
@documented("Call a meeting (the chair, or staff for the chair): on the chair's judgment or on a due members' "
            "request", tag=TAG, body=_body(["title", "starts_at", "place", "basis"], {
                "title": {"type": "string"}, "starts_at": {"type": "string", "format": "date-time"},
                "place": {"type": "string"}, "basis": _enum(CallBasis), "request_id": INT}),
            responses={201: ("The meeting", MEETING_DETAIL)})
def committee_call_meeting(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_call_meeting, chair_seat(committee))
    form = validate(ApiMeetingForm, json_body())
    meeting = meetings.call_meeting(committee, user, title=form.title.data,
                                    starts_at=_parse_instant("starts_at", form.starts_at.data), place=form.place.data,
                                    basis=CallBasis(form.basis.data), request_id=form.request_id.data)
    db.session.commit()
    return jsonify(meeting_detail_json(meeting, staff=True)), 201


def _viewable(committee_id: int, meeting_id: int):
    committee = load_committee(committee_id)
    meeting = load_meeting(committee, meeting_id)
    if not perm.can_view_meeting(api_user(), meeting):
        abort(404)
    return committee, meeting


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>", methods=["GET"])
@documented("A meeting: agenda, results and, once published, attendance, votes and minutes", tag=TAG, auth=False,
            responses={200: ("The meeting", MEETING_DETAIL), 404: ("No such meeting, or not public", None)})
def committee_get_meeting(committee_id: int, meeting_id: int):
    _committee, meeting = _viewable(committee_id, meeting_id)
    return jsonify(meeting_detail_json(meeting, staff=perm.can_use("view_record", api_user(), meeting)))


def _action(committee_id: int, meeting_id: int, action: str):
    committee = load_committee(committee_id)
    meeting = load_meeting(committee, meeting_id)
    user = require_api(lambda u: perm.can_use(action, u, meeting, _seat(committee), chair_seat(committee)))
    return user, meeting


def _answer(meeting, status=200):
    db.session.commit()
    return jsonify(meeting_detail_json(queries.load_meeting(meeting.id), staff=True)), status


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/items", methods=["POST"])
@documented("Add an agenda item, optionally about a proposal, policy or lab (staff or the chair)", tag=TAG,
            body=_body(["title"], {"title": {"type": "string"}, "description": {"type": "string"},
                                   "subject_type": _enum(SubjectType), "subject_id": INT}),
            responses={201: ("The meeting", MEETING_DETAIL)})
def committee_add_item(committee_id: int, meeting_id: int):
    user, meeting = _action(committee_id, meeting_id, "edit_agenda")
    form = validate(ItemForm, json_body())
    meetings.add_item(meeting, user, title=form.title.data, description=form.description.data or "",
                      subject_type=SubjectType(form.subject_type.data) if form.subject_type.data else None,
                      subject_id=form.subject_id.data)
    return _answer(meeting, 201)


class StatusForm(MinutesForm):
    status = SelectField(choices=[(s.value, s.value) for s in (MeetingStatus.HELD, MeetingStatus.CANCELLED,
                                                               MeetingStatus.PUBLISHED)], validators=[DataRequired()])
    reason = StringField(validators=[Optional()])


STATUS_ACTIONS = {"held": "hold", "cancelled": "cancel", "published": "publish"}


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/status", methods=["POST"])
@documented("Move a meeting on: held (staff), cancelled with a reason (staff or the chair), published: staff "
            "approve the minutes and results", tag=TAG,
            body=_body(["status"], {"status": {"type": "string", "enum": list(STATUS_ACTIONS)},
                                    "reason": {"type": "string", "description": "required to cancel"}}),
            responses={200: ("The meeting", MEETING_DETAIL), 409: ("Not allowed from its status", None)})
def committee_meeting_status(committee_id: int, meeting_id: int):
    payload = json_body()
    form = validate(StatusForm, payload, ignore=("minutes",))
    user, meeting = _action(committee_id, meeting_id, STATUS_ACTIONS[form.status.data])
    if form.status.data == "held":
        meetings.hold_meeting(meeting, user)
    elif form.status.data == "cancelled":
        meetings.cancel_meeting(meeting, user, form.reason.data)
    else:
        meetings.publish_meeting(meeting, user)
    return _answer(meeting)


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/attendance", methods=["POST"])
@documented("Record the members present (staff); each counts, and is paid, once per meeting", tag=TAG,
            body=_body(["member_ids"], {"member_ids": {"type": "array", "items": INT}}),
            responses={200: ("The meeting", MEETING_DETAIL)})
def committee_record_attendance(committee_id: int, meeting_id: int):
    user, meeting = _action(committee_id, meeting_id, "record_attendance")
    form = validate(AttendanceForm, json_body())
    meetings.record_attendance(meeting, user, form.member_ids.data)
    return _answer(meeting)


RECUSAL_BODY = _body(["member_id", "kind", "reason"], {
    "member_id": INT, "kind": _enum(RecusalKind),
    "ground": {**_enum(RecusalGround), "description": "not for a challenge"},
    "challenged_by": {"type": "string", "description": "the party, for a challenge"}, "reason": {"type": "string"}})


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/recusals",
          methods=["POST"])
@documented("Record an exclusion, a challenge or a member stepping aside, with its reason (staff)", tag=TAG,
            body=RECUSAL_BODY, responses={201: ("The recusal", RECUSAL)})
def committee_record_recusal(committee_id: int, meeting_id: int, item_id: int):
    user, meeting = _action(committee_id, meeting_id, "record_recusal")
    item = load_item(meeting, item_id)
    form = validate(RecusalForm, json_body())
    recusal = deliberation.record_recusal(
        item, user, member_id=form.member_id.data, kind=RecusalKind(form.kind.data),
        ground=RecusalGround(form.ground.data) if form.ground.data else None, reason=form.reason.data,
        challenged_by=form.challenged_by.data)
    db.session.commit()
    return jsonify(next(r for r in item_json(item, staff=True)["recusals"] if r["id"] == recusal.id)), 201


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/step-aside",
          methods=["POST"])
@documented("Step aside from an item yourself (a serving member), with the ground and reason", tag=TAG,
            body=_body(["ground", "reason"], {"ground": _enum(RecusalGround), "reason": {"type": "string"}}),
            responses={201: ("The recusal", RECUSAL)})
def committee_step_aside(committee_id: int, meeting_id: int, item_id: int):
    user, meeting = _action(committee_id, meeting_id, "step_aside")
    item = load_item(meeting, item_id)
    form = validate(StepAsideForm, json_body())
    recusal = deliberation.record_recusal(item, user, member_id=_seat(meeting.committee).id, kind=RecusalKind.SELF,
                                          ground=RecusalGround(form.ground.data), reason=form.reason.data)
    db.session.commit()
    return jsonify(next(r for r in item_json(item, staff=True)["recusals"] if r["id"] == recusal.id)), 201


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/recusals/<int:recusal_id>/decision",
          methods=["POST"])
@documented("Record the committee's decision on a challenge, voted without the challenged member (staff)", tag=TAG,
            body=_body(["votes_for"], {"votes_for": INT}), responses={200: ("The recusal", RECUSAL)})
def committee_decide_challenge(committee_id: int, meeting_id: int, recusal_id: int):
    user, meeting = _action(committee_id, meeting_id, "decide_challenge")
    recusal = load_recusal(meeting, recusal_id)
    form = validate(ChallengeDecisionForm, json_body())
    deliberation.decide_challenge(recusal, user, votes_for=form.votes_for.data)
    db.session.commit()
    item = load_item(meeting, recusal.item_id)
    return jsonify(next(r for r in item_json(item, staff=True)["recusals"] if r["id"] == recusal.id))


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/votes", methods=["POST"])
@documented("Record every eligible present member's vote and the result (staff): quorum and majority without "
            "recused members", tag=TAG,
            body=_body(["votes"], {"votes": {"type": "object", "description": "member id → for, against or abstain",
                                             "additionalProperties": {"type": "string", "enum": ["for", "against",
                                                                                                 "abstain"]}},
                                   "note": {"type": "string"}}),
            responses={200: ("The item", ITEM), 409: ("No quorum, or a challenge to decide first", None)})
def committee_record_votes(committee_id: int, meeting_id: int, item_id: int):
    user, meeting = _action(committee_id, meeting_id, "record_votes")
    item = load_item(meeting, item_id)
    payload = json_body()
    form = validate(VotesNoteForm, payload, ignore=("votes",))
    deliberation.record_votes(item, user, parse_votes(payload.get("votes")), form.note.data or "")
    db.session.commit()
    return jsonify(item_json(item, staff=True))


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/close", methods=["POST"])
@documented("Record an item's result without a vote: advice given in discussion, or no quorum (staff)", tag=TAG,
            body=_body(["outcome"], {"outcome": {"type": "string", "enum": [ItemOutcome.DISCUSSED.value,
                                                                           ItemOutcome.NO_QUORUM.value]},
                                     "note": {"type": "string"}}),
            responses={200: ("The item", ITEM)})
def committee_close_item(committee_id: int, meeting_id: int, item_id: int):
    user, meeting = _action(committee_id, meeting_id, "record_votes")
    item = load_item(meeting, item_id)
    form = validate(CloseItemForm, json_body())
    deliberation.close_item(item, user, outcome=ItemOutcome(form.outcome.data), note=form.note.data or "")
    db.session.commit()
    return jsonify(item_json(item, staff=True))


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/minutes", methods=["PUT"])
@documented("Write the minutes of a held meeting (staff); published with the results once approved", tag=TAG,
            body=_body(["minutes"], {"minutes": {"type": "string"}}), responses={200: ("The meeting", MEETING_DETAIL)})
def committee_save_minutes(committee_id: int, meeting_id: int):
    user, meeting = _action(committee_id, meeting_id, "write_minutes")
    form = validate(MinutesForm, json_body())
    meetings.save_minutes(meeting, user, form.minutes.data or "")
    return _answer(meeting)


@bp.route("/committee-discussions", methods=["GET"])
@documented("Published committee discussions of a proposal, policy or lab", tag=TAG, auth=False,
            responses={200: ("Agenda items with their meeting", {"type": "array", "items": ITEM})},
            query=[query_param("subject_type", enum=[s.value for s in SubjectType]),
                   query_param("subject_id", "integer")])
def committee_discussions():
    try:
        subject_type = SubjectType(request.args.get("subject_type", ""))
    except ValueError:
        raise ValidationFailed({"subject_type": [_l("Use one of: %(codes)s.",
                                                    codes=", ".join(s.value for s in SubjectType))]}) from None
    subject_id = request.args.get("subject_id", type=int)
    if subject_id is None or not 0 < subject_id <= MAX_ID:
        raise ValidationFailed({"subject_id": [_l("Give the number of the proposal, policy or lab.")]})
    items = queries.discussions_of(subject_type, subject_id)
    return jsonify([{**item_json(item, staff=False), "meeting": meeting_json(item.meeting),
                     "committee": item.meeting.committee.name} for item in items])
