"""Loading helpers shared by the committee pages (404 on a wrong or mismatched id)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.committees import queries
from app.committees.forms import MAX_ID
from app.committees.models import AgendaItem, Committee, CommitteeMember, Meeting, MeetingRequest, Office, Recusal
from app.committees.services import today
from app.extensions import db
from app.web import run_service


def _get(model, row_id: int):
    """The row, or None for a number no row can have (the id columns are 32-bit)."""
    return db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def load_committee(committee_id: int) -> Committee:
    return _get(Committee, committee_id) or abort(404)


def load_member(committee: Committee, member_id: int) -> CommitteeMember:
    member = _get(CommitteeMember, member_id)
    if member is None or member.committee_id != committee.id:
        abort(404)
    return member


def load_request(committee: Committee, request_id: int) -> MeetingRequest:
    request = _get(MeetingRequest, request_id)
    if request is None or request.committee_id != committee.id:
        abort(404)
    return request


def load_meeting(committee: Committee, meeting_id: int) -> Meeting:
    meeting = queries.load_meeting(meeting_id) if 0 < meeting_id <= MAX_ID else None
    if meeting is None or meeting.committee_id != committee.id:
        abort(404)
    return meeting


def load_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = _get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def load_recusal(meeting: Meeting, recusal_id: int) -> Recusal:
    recusal = _get(Recusal, recusal_id)
    if recusal is None or recusal.item_id not in {item.id for item in meeting.items}:
        abort(404)
    return recusal


def viewer_seat(committee: Committee, user=None) -> CommitteeMember | None:
    return queries.member_of_user(committee.id, user if user is not None else current_user, today())


def chair_seat(committee: Committee) -> CommitteeMember | None:
    """Who acts as chair: the chair, or the vice-chair while the chair's office is vacant (제15조②)."""
    officers = queries.officers(committee.id, today())
    return officers.get(Office.CHAIR) or officers.get(Office.VICE_CHAIR)


def saved(form, action, message) -> bool:
    """The form is valid and the service went through (committed, ``message`` flashed); else the reasons are
    beside the form's fields for the page to re-render."""
    return form.validate_on_submit() and bool(run_service(action, message, form=form))
