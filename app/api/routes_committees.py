"""The advisory committee over the API: the same forms, rules and services as the pages."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented, query_param
from app.committees import permissions as perm
from app.committees import queries
from app.committees.forms import AppointForm, CommitteeForm, DismissForm, LinkAccountForm, NominationForm, OfficerForm
from app.committees.models import (
    CallBasis,
    DismissalReason,
    Gender,
    ItemOutcome,
    MeetingStatus,
    MemberCategory,
    MemberStatus,
    Office,
    RecusalGround,
    RecusalKind,
    VoteChoice,
)
from app.committees.services import membership, today
from app.committees.views import load_committee, load_member
from app.core import ValidationFailed, iso
from app.extensions import db

TAG = "committees"
S, INT, B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NS, NI = {"type": "string", "nullable": True}, {"type": "integer", "nullable": True}


def _enum(enum_class):
    return {"type": "string", "enum": [m.value for m in enum_class]}


COMMITTEE = {"type": "object", "properties": {"id": INT, "name": S, "description": S, "travel_expense_won": INT}}
PUBLIC_MEMBER = {"type": "object", "description": "Never carries contact details.", "properties": {
    "id": INT, "name": S, "affiliation": S, "category": _enum(MemberCategory),
    "office": {**_enum(Office), "nullable": True}, "term_starts_on": NS, "term_ends_on": NS, "renewals": INT}}
STAFF_MEMBER = {"allOf": [PUBLIC_MEMBER, {"type": "object", "properties": {
    "contact": S, "gender": _enum(Gender), "status": _enum(MemberStatus), "user_id": NI, "is_city_employee": B,
    "predecessor_id": NI, "left_on": NS, "dismissal": {"type": "object", "nullable": True, "properties": {
        "reason": _enum(DismissalReason), "reason_ko": S, "reason_en": S, "note": NS, "at": S, "by": NI}}}}]}
COMMITTEE_DETAIL = {"allOf": [COMMITTEE, {"type": "object", "properties": {
    "members": {"type": "array", "items": PUBLIC_MEMBER}, "enrolled": INT}}]}
REQUEST = {"type": "object", "properties": {"id": INT, "purpose": S, "status": S, "signature_count": INT,
                                            "signatures_needed": INT, "due_at": NS, "signed": B}}
RECUSAL = {"type": "object", "properties": {
    "id": INT, "member_id": INT, "member": S, "kind": _enum(RecusalKind),
    "ground": {**_enum(RecusalGround), "nullable": True},
    "status": S, "reason": {"type": "string", "description": "staff only"}, "challenged_by": NS,
    "decision_present": NI, "decision_votes_for": NI}}
ITEM = {"type": "object", "properties": {
    "id": INT, "position": INT, "title": S, "description": S, "subject": {"type": "object", "nullable": True},
    "outcome": _enum(ItemOutcome), "result_note": S, "votes_for": INT, "votes_against": INT, "votes_abstain": INT,
    "eligible_present": NI, "eligible_enrolled": NI, "recusals": {"type": "array", "items": RECUSAL},
    "votes": {"type": "array", "items": {"type": "object", "properties": {
        "member_id": INT, "choice": _enum(VoteChoice)}}}}}
MEETING = {"type": "object", "properties": {
    "id": INT, "committee_id": INT, "title": S, "starts_at": S, "place": S, "status": _enum(MeetingStatus),
    "basis": _enum(CallBasis), "request_id": NI, "enrolled_count": NI, "published_at": NS}}
MEETING_DETAIL = {"allOf": [MEETING, {"type": "object", "properties": {
    "items": {"type": "array", "items": ITEM}, "attendance": {"type": "array", "items": {
        "type": "object", "properties": {"member_id": INT, "name": S}}}, "minutes": NS, "cancel_reason": NS}}]}


def _list_of(schema):
    return {"type": "object", "properties": {"items": {"type": "array", "items": schema}, "total": INT, "page": INT,
                                             "per_page": INT}}


def committee_json(committee) -> dict:
    return {"id": committee.id, "name": committee.name, "description": committee.description,
            "travel_expense_won": committee.travel_expense_won}


def member_json(member, offices: dict, *, staff: bool) -> dict:
    body = {"id": member.id, "name": member.name, "affiliation": member.affiliation, "category": member.category.value,
            "office": offices[member.id].value if member.id in offices else None,
            "term_starts_on": iso(member.term_starts_on), "term_ends_on": iso(member.term_ends_on),
            "renewals": member.renewals}
    if staff:
        dismissal = None
        if member.dismissal_reason is not None:
            dismissal = {"reason": member.dismissal_reason.value, "reason_ko": member.dismissal_reason.korean,
                         "reason_en": str(member.dismissal_reason.label), "note": member.dismissal_note,
                         "at": iso(member.dismissed_at), "by": member.dismissed_by_id}
        body.update(contact=member.contact, gender=member.gender.value, status=member.status.value,
                    user_id=member.user_id, is_city_employee=member.is_city_employee,
                    predecessor_id=member.predecessor_id, left_on=iso(member.left_on), dismissal=dismissal)
    return body


def meeting_json(meeting) -> dict:
    return {"id": meeting.id, "committee_id": meeting.committee_id, "title": meeting.title,
            "starts_at": iso(meeting.starts_at), "place": meeting.place, "status": meeting.status.value,
            "basis": meeting.basis.value, "request_id": meeting.request_id, "enrolled_count": meeting.enrolled_count,
            "published_at": iso(meeting.published_at)}


def item_json(item, *, staff: bool) -> dict:
    show_votes = staff or item.meeting.status is MeetingStatus.PUBLISHED
    return {
        "id": item.id, "position": item.position, "title": item.title, "description": item.description,
        "subject": {"type": item.subject_type.value, "id": item.subject_id} if item.subject_type else None,
        "outcome": item.outcome.value, "result_note": item.result_note, "votes_for": item.votes_for,
        "votes_against": item.votes_against, "votes_abstain": item.votes_abstain,
        "eligible_present": item.eligible_present, "eligible_enrolled": item.eligible_enrolled,
        "recusals": [{"id": r.id, "member_id": r.member_id, "member": r.member.name, "kind": r.kind.value,
                      "ground": r.ground.value if r.ground else None, "status": r.status.value,
                      **({"reason": r.reason, "challenged_by": r.challenged_by} if staff else {}),
                      "decision_present": r.decision_present, "decision_votes_for": r.decision_votes_for}
                     for r in item.recusals],
        "votes": [{"member_id": v.member_id, "choice": v.choice.value} for v in item.votes] if show_votes else [],
    }


def meeting_detail_json(meeting, *, staff: bool) -> dict:
    public_record = staff or meeting.status is MeetingStatus.PUBLISHED
    return {**meeting_json(meeting), "items": [item_json(item, staff=staff) for item in meeting.items],
            "attendance": [{"member_id": a.member_id, "name": a.member.name}
                           for a in queries.attendance(meeting.id)] if public_record else [],
            "minutes": meeting.minutes if public_record else None, "cancel_reason": meeting.cancel_reason}


def _staff() -> bool:
    return perm.can_manage_committee(api_user())


def _seat(committee):
    return queries.member_of_user(committee.id, api_user(), today())


def _body(schema_required: list[str], properties: dict) -> dict:
    return {"type": "object", "required": schema_required, "properties": properties}


# --- committees -------------------------------------------------------------------------------------------

@bp.route("/committees", methods=["GET"])
@documented("List the committees", tag=TAG, auth=False, responses={200: ("A page of committees", _list_of(COMMITTEE))},
            query=[query_param("page", "integer"), query_param("per_page", "integer")])
def list_committees():
    pagination = db.paginate(queries.committees_query(), page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, committee_json))


COMMITTEE_BODY = _body(["name", "travel_expense_won"], {"name": S, "description": S, "travel_expense_won": INT})


@bp.route("/committees", methods=["POST"])
@documented("Create a committee (admin)", tag=TAG, body=COMMITTEE_BODY,
            responses={201: ("The committee", COMMITTEE), 403: ("Admins only", None)})
def create_committee():
    user = require_api(perm.can_create_committee)
    form = validate(CommitteeForm, json_body())
    committee = membership.create_committee(user, name=form.name.data, description=form.description.data or "",
                                            travel_expense_won=form.travel_expense_won.data)
    db.session.commit()
    return jsonify(committee_json(committee)), 201


@bp.route("/committees/<int:committee_id>", methods=["GET"])
@documented("A committee and its serving members (no contact details)", tag=TAG, auth=False,
            responses={200: ("The committee", COMMITTEE_DETAIL), 404: ("No such committee", None)})
def get_committee(committee_id: int):
    committee = load_committee(committee_id)
    members, offices = queries.roster(committee.id, today())
    return jsonify({**committee_json(committee), "enrolled": len(members),
                    "members": [member_json(m, offices, staff=False) for m in members]})


@bp.route("/committees/<int:committee_id>", methods=["PATCH"])
@documented("Change a committee's name, description or travel expenses (staff)", tag=TAG, body=COMMITTEE_BODY,
            responses={200: ("The committee", COMMITTEE)})
def update_committee(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_manage_committee)
    form = validate(CommitteeForm, json_body())
    membership.update_committee(committee, user, name=form.name.data, description=form.description.data or "",
                                travel_expense_won=form.travel_expense_won.data)
    db.session.commit()
    return jsonify(committee_json(committee))


# --- membership -------------------------------------------------------------------------------------------

@bp.route("/committees/<int:committee_id>/members", methods=["GET"])
@documented("Every member and nominee with contact details and status (staff)", tag=TAG,
            responses={200: ("A page of members", _list_of(STAFF_MEMBER))},
            query=[query_param("status", enum=[s.value for s in MemberStatus]), query_param("page", "integer"),
                   query_param("per_page", "integer")])
def committee_list_members(committee_id: int):
    committee = load_committee(committee_id)
    require_api(perm.can_view_contacts)
    statuses = list(MemberStatus)
    if request.args.get("status"):
        try:
            statuses = [MemberStatus(request.args["status"])]
        except ValueError:
            raise ValidationFailed({"status": [_l("Unknown status.")]}) from None
    offices = queries.offices_by_member(committee.id, today())
    pagination = db.paginate(queries.members_in_status_query(committee.id, *statuses), page=page_arg(),
                             per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda m: member_json(m, offices, staff=True)))


NOMINATION_BODY = _body(["name", "gender", "category"], {
    "name": S, "affiliation": S, "contact": {"type": "string", "description": "staff only"},
    "gender": _enum(Gender), "category": _enum(MemberCategory), "is_city_employee": B,
    "account_email": {"type": "string", "description": "their Maeul account, if any"},
    "replaces_id": {"type": "integer", "description": "the member whose remaining term they serve"}})


@bp.route("/committees/<int:committee_id>/members", methods=["POST"])
@documented("Nominate a member (staff); they count only once appointed", tag=TAG, body=NOMINATION_BODY,
            responses={201: ("The nominee", STAFF_MEMBER)})
def committee_nominate_member(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_manage_committee)
    form = validate(NominationForm, json_body())
    member = membership.nominate_member(
        committee, user, name=form.name.data, gender=Gender(form.gender.data),
        category=MemberCategory(form.category.data), affiliation=form.affiliation.data or "",
        contact=form.contact.data or "", is_city_employee=form.is_city_employee.data,
        user_id=membership.account_id_for_email(form.account_email.data), replaces_id=form.replaces_id.data)
    db.session.commit()
    return jsonify(member_json(member, {}, staff=True)), 201


@bp.route("/committees/<int:committee_id>/members/<int:member_id>", methods=["GET"])
@documented("One member with contact details and dismissal record (staff)", tag=TAG,
            responses={200: ("The member", STAFF_MEMBER)})
def committee_get_member(committee_id: int, member_id: int):
    committee = load_committee(committee_id)
    require_api(perm.can_view_contacts)
    member = load_member(committee, member_id)
    return jsonify(member_json(member, queries.offices_by_member(committee.id, today()), staff=True))


@bp.route("/committees/<int:committee_id>/appointments", methods=["POST"])
@documented("Appoint nominees together (staff): 15 seats, at most 2 council members, no gender above 6 in 10 of "
            "the appointed members; 409 with the counts otherwise", tag=TAG,
            body=_body(["member_ids", "starts_on"], {"member_ids": {"type": "array", "items": INT},
                                                     "starts_on": {"type": "string", "format": "date"}}),
            responses={200: ("The appointed members", {"type": "array", "items": STAFF_MEMBER}),
                       409: ("The ordinance refuses it", None)})
def committee_appoint_members(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_manage_committee)
    form = validate(AppointForm, json_body())
    members = membership.appoint_members(committee, user, form.member_ids.data, form.starts_on.data)
    db.session.commit()
    return jsonify([member_json(m, {}, staff=True) for m in members])


def _member_action(committee_id: int, member_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_manage_committee)
    return user, load_member(committee, member_id)


@bp.route("/committees/<int:committee_id>/members/<int:member_id>/renewal", methods=["POST"])
@documented("Renew a serving member's term for two years; only once (staff)", tag=TAG,
            responses={200: ("The member", STAFF_MEMBER), 409: ("Renewed once already", None)})
def committee_renew_member(committee_id: int, member_id: int):
    user, member = _member_action(committee_id, member_id)
    membership.renew_member(member, user)
    db.session.commit()
    return jsonify(member_json(member, {}, staff=True))


@bp.route("/committees/<int:committee_id>/members/<int:member_id>/dismissal", methods=["POST"])
@documented("Dismiss a member for one of article 14's reasons (staff), optionally appointing the replacement "
            "nominee at once", tag=TAG, body=_body(["reason"], {"reason": _enum(DismissalReason), "note": S,
                                                               "replacement_id": INT}),
            responses={200: ("The member", STAFF_MEMBER), 409: ("The ordinance refuses it", None)})
def committee_dismiss_member(committee_id: int, member_id: int):
    user, member = _member_action(committee_id, member_id)
    form = validate(DismissForm, json_body())
    membership.dismiss_member(member, user, reason=DismissalReason(form.reason.data), note=form.note.data or "",
                              replacement_id=form.replacement_id.data)
    db.session.commit()
    return jsonify(member_json(member, {}, staff=True))


@bp.route("/committees/<int:committee_id>/members/<int:member_id>/withdrawal", methods=["POST"])
@documented("Withdraw a nomination (staff)", tag=TAG, responses={200: ("The nominee", STAFF_MEMBER)})
def committee_withdraw_member(committee_id: int, member_id: int):
    user, member = _member_action(committee_id, member_id)
    membership.withdraw_nomination(member, user)
    db.session.commit()
    return jsonify(member_json(member, {}, staff=True))


@bp.route("/committees/<int:committee_id>/members/<int:member_id>/account", methods=["POST"])
@documented("Link a member kept by name to their account; allowances for attended meetings follow (staff)", tag=TAG,
            body=_body(["account_email"], {"account_email": S}), responses={200: ("The member", STAFF_MEMBER)})
def committee_link_member_account(committee_id: int, member_id: int):
    user, member = _member_action(committee_id, member_id)
    form = validate(LinkAccountForm, json_body())
    membership.link_account(member, user, membership.account_id_for_email(form.account_email.data))
    db.session.commit()
    return jsonify(member_json(member, {}, staff=True))


@bp.route("/committees/<int:committee_id>/expiring-terms", methods=["GET"])
@documented("Serving members whose term ends within 60 days (staff)", tag=TAG,
            responses={200: ("Members", {"type": "array", "items": STAFF_MEMBER})})
def committee_expiring_terms(committee_id: int):
    committee = load_committee(committee_id)
    require_api(perm.can_view_contacts)
    members = db.session.scalars(queries.expiring_terms_query(committee.id, today()))
    return jsonify([member_json(m, {}, staff=True) for m in members])


@bp.route("/committees/<int:committee_id>/ended-terms", methods=["POST"])
@documented("Mark members whose term ran out as ended (staff)", tag=TAG,
            responses={200: ("The members marked", {"type": "array", "items": STAFF_MEMBER})})
def committee_end_terms(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_manage_committee)
    ended = membership.end_expired_terms(committee, user)
    db.session.commit()
    return jsonify([member_json(m, {}, staff=True) for m in ended])


@bp.route("/committees/<int:committee_id>/officers", methods=["POST"])
@documented("Record the members' election of the chair or vice-chair (staff)", tag=TAG,
            body=_body(["office", "member_id", "elected_on", "present", "votes_for"], {
                "office": _enum(Office), "member_id": INT, "elected_on": {"type": "string", "format": "date"},
                "present": INT, "votes_for": INT}),
            responses={200: ("The officer", PUBLIC_MEMBER)})
def committee_elect_officer(committee_id: int):
    committee = load_committee(committee_id)
    user = require_api(perm.can_manage_committee)
    form = validate(OfficerForm, json_body())
    officer = membership.elect_officer(committee, user, office=Office(form.office.data), member_id=form.member_id.data,
                                       elected_on=form.elected_on.data, present=form.present.data,
                                       votes_for=form.votes_for.data)
    db.session.commit()
    return jsonify(member_json(officer.member, {officer.member_id: officer.office}, staff=False))


from app.api import routes_committee_meetings  # noqa: E402,F401
