"""Calling meetings (제15조③): by the chair, or on the request of at least a third of the members, who sign
it on the site; the meeting's lifecycle, agenda, attendance, minutes and publication."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import audit
from app.auth.models import User
from app.committees import queries
from app.committees.models import (
    AgendaItem,
    CallBasis,
    Committee,
    CommitteeMember,
    ItemOutcome,
    Meeting,
    MeetingAttendance,
    MeetingRequest,
    MeetingStatus,
    RequestSignature,
    RequestStatus,
    SubjectType,
)
from app.committees.rules import call_threshold_met
from app.committees.services import seoul_date, today
from app.committees.signals import meeting_attended
from app.core import DomainError, utcnow
from app.extensions import db
from app.notifications.services import notify
from app.sql import insert_unless_exists


def committee_path(committee_id: int) -> str:
    return f"/committees/{committee_id}"


def meeting_path(meeting: Meeting) -> str:
    return f"/committees/{meeting.committee_id}/meetings/{meeting.id}"


def _serving_member_of(committee: Committee, user: User) -> CommitteeMember:
    member = queries.member_of_user(committee.id, user, today())
    if member is None:
        raise DomainError(_l("Only a serving member of the committee can do this."), status=403)
    return member


def create_request(committee: Committee, user: User, purpose: str) -> MeetingRequest:
    """A member asks for a meeting; their own signature is the first."""
    member = _serving_member_of(committee, user)
    purpose = purpose.strip()
    if not purpose:
        raise DomainError(_l("Say what the meeting should discuss."), field="purpose", status=422)
    request = MeetingRequest(committee_id=committee.id, purpose=purpose, created_by_member_id=member.id,
                             status=RequestStatus.OPEN, signature_count=0)
    db.session.add(request)
    db.session.flush()
    audit.record(user, "committee_request.created", "committee_request", request.id)
    return sign_request(request, user)


def sign_request(request: MeetingRequest, user: User) -> MeetingRequest:
    """Add the member's signature; the request is due the moment signatures reach a third of the members.

    The request row is locked first (FOR UPDATE on PostgreSQL; SQLite serialises writers), so of two
    signatures arriving together exactly one sees the threshold crossed and the chair is told once."""
    locked = db.session.scalar(select(MeetingRequest).where(MeetingRequest.id == request.id)
                               .with_for_update().execution_options(populate_existing=True))
    member = _serving_member_of(locked.committee, user)
    if locked.status is not RequestStatus.OPEN:
        raise DomainError(_l("This request is no longer collecting signatures (%(status)s).",
                             status=locked.status.label))
    if not insert_unless_exists(RequestSignature, request_id=locked.id, member_id=member.id, signed_at=utcnow()):
        raise DomainError(_l("You have signed this request already."))
    db.session.execute(update(MeetingRequest).where(MeetingRequest.id == locked.id)
                       .values(signature_count=MeetingRequest.signature_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(locked)
    enrolled = queries.enrolled_count(locked.committee_id, today())
    if call_threshold_met(locked.signature_count, enrolled):
        locked.become_due(utcnow(), enrolled)
        db.session.flush()
        audit.record(user, "committee_request.due", "committee_request", locked.id, signatures=locked.signature_count,
                     enrolled=enrolled)
        # The chair must now call the meeting; the vice-chair stands in when the chair cannot (제15조②).
        officers = queries.officers(locked.committee_id, today()).values()
        notify([officer.user_id for officer in officers if officer.user_id], "committee_request_due",
               committee_path(locked.committee_id), committee=locked.committee.name,
               signatures=locked.signature_count, enrolled=enrolled)
    else:
        db.session.flush()
        audit.record(user, "committee_request.signed", "committee_request", locked.id)
    return locked


def call_meeting(committee: Committee, actor: User, *, title: str, starts_at: datetime, place: str,
                 basis: CallBasis, request_id: int | None = None) -> Meeting:
    """소집: the chair calls a meeting, on their own judgment or because a due request obliges them.

    Staff may enter it on the chair's behalf; either way the committee must have a chair, or a vice-chair
    to act for the chair (제15조②), to call it."""
    if starts_at <= utcnow():
        raise DomainError(_l("The meeting must start in the future."), field="starts_at", status=422)
    officers = queries.officers(committee.id, today())
    request = None
    if basis is CallBasis.MEMBERS_REQUEST:
        if request_id is None:
            raise DomainError(_l("Choose the members' request this meeting answers."), field="request_id", status=422)
        request = db.session.get(MeetingRequest, request_id)
        if request is None or request.committee_id != committee.id:
            raise DomainError(_l("There is no such request on this committee."), field="request_id", status=422)
        request.convene()
        if not officers:
            raise DomainError(_l("The committee has no chair or vice-chair to call the meeting. Record their "
                                 "election first."))
    elif not officers:  # the vice-chair acts for a chair who cannot (제15조②)
        raise DomainError(_l("The committee has no chair or vice-chair to call the meeting. Record their "
                             "election first."))
    meeting = Meeting(committee_id=committee.id, title=title.strip(), starts_at=starts_at, place=place.strip(),
                      basis=basis, request_id=request.id if request else None, called_by_id=actor.id,
                      called_at=utcnow(), status=MeetingStatus.SCHEDULED, minutes="")
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "committee_meeting.called", "committee_meeting", meeting.id, basis=basis.value,
                 request_id=request_id)
    member_users = [m.user_id for m in queries.serving_members(committee.id, today()) if m.user_id]
    notify(member_users, "committee_meeting_called", meeting_path(meeting), committee=committee.name,
           title=meeting.title)
    return meeting


def _subject_exists(subject_type: SubjectType, subject_id: int) -> bool:
    from app.labs.models import Lab
    from app.policies.models import Policy
    from app.proposals.models import Proposal

    model = {SubjectType.PROPOSAL: Proposal, SubjectType.POLICY: Policy, SubjectType.LAB: Lab}[subject_type]
    return db.session.get(model, subject_id) is not None


def add_item(meeting: Meeting, actor: User, *, title: str, description: str = "",
             subject_type: SubjectType | None = None, subject_id: int | None = None) -> AgendaItem:
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD):
        raise DomainError(_l("The agenda of a published or cancelled meeting cannot change."))
    if (subject_type is None) != (subject_id is None):
        raise DomainError(_l("Give both the kind and the number of what the item is about, or neither."),
                          field="subject_id", status=422)
    if subject_type is not None and not _subject_exists(subject_type, subject_id):
        raise DomainError(_l("There is no %(kind)s with number %(number)s.", kind=subject_type.label,
                             number=subject_id), field="subject_id", status=422)
    position = db.session.scalar(select(func.coalesce(func.max(AgendaItem.position), 0))
                                 .where(AgendaItem.meeting_id == meeting.id)) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, title=title.strip(), description=description.strip(),
                      subject_type=subject_type, subject_id=subject_id, outcome=ItemOutcome.PENDING, result_note="",
                      votes_for=0, votes_against=0, votes_abstain=0)
    meeting.items.append(item)  # through the relationship, so a meeting already loaded sees its new item
    db.session.flush()
    audit.record(actor, "committee_item.added", "committee_meeting", meeting.id, item_id=item.id)
    return item


def hold_meeting(meeting: Meeting, actor: User) -> Meeting:
    """The meeting took place: count the members serving that day (재적위원) for quorum and votes."""
    if meeting.starts_at > utcnow():
        raise DomainError(_l("A meeting can be marked as held only once it has started."))
    meeting.move_to(MeetingStatus.HELD)
    meeting.enrolled_count = queries.enrolled_count(meeting.committee_id, seoul_date(meeting.starts_at))
    db.session.flush()
    audit.record(actor, "committee_meeting.held", "committee_meeting", meeting.id, enrolled=meeting.enrolled_count)
    return meeting


def cancel_meeting(meeting: Meeting, actor: User, reason: str) -> Meeting:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for cancelling the meeting."), field="reason", status=422)
    meeting.move_to(MeetingStatus.CANCELLED)
    meeting.cancel_reason = reason
    if meeting.request is not None:  # the members' request is still owed a meeting
        meeting.request.status = RequestStatus.DUE
        meeting.request_id = None
    db.session.flush()
    audit.record(actor, "committee_meeting.cancelled", "committee_meeting", meeting.id, reason=reason)
    member_users = [m.user_id for m in queries.serving_members(meeting.committee_id, today()) if m.user_id]
    notify(member_users, "committee_meeting_cancelled", meeting_path(meeting), title=meeting.title, reason=reason)
    return meeting


def record_attendance(meeting: Meeting, actor: User, member_ids: list[int]) -> int:
    """Record who attended; returns how many were new. Each member counts once per meeting (the primary
    key decides, so a repeated or concurrent call adds nothing), and so does their allowance."""
    meeting.ensure(MeetingStatus.HELD, _l("Attendance is recorded once the meeting is marked as held, "
                                          "and no longer after the minutes are published."))
    if not member_ids:
        raise DomainError(_l("Choose the members who attended."), field="member_ids", status=422)
    day = seoul_date(meeting.starts_at)
    members = {m.id: m for m in queries.serving_members(meeting.committee_id, day)}
    unknown = [mid for mid in member_ids if mid not in members]
    if unknown:
        raise DomainError(_l("Only members serving on the meeting's day can attend it."), field="member_ids",
                          status=422)
    added = 0
    for member_id in sorted(set(member_ids)):
        if insert_unless_exists(MeetingAttendance, meeting_id=meeting.id, member_id=member_id,
                                recorded_by_id=actor.id, recorded_at=utcnow()):
            added += 1
            attendance = db.session.get(MeetingAttendance, (meeting.id, member_id))
            meeting_attended.send(attendance)
    db.session.flush()
    audit.record(actor, "committee_meeting.attendance", "committee_meeting", meeting.id, added=added)
    return added


def save_minutes(meeting: Meeting, actor: User, minutes: str) -> Meeting:
    meeting.ensure(MeetingStatus.HELD, _l("Minutes are written after the meeting is held and before they "
                                          "are published."))
    meeting.minutes = minutes.strip()
    db.session.flush()
    audit.record(actor, "committee_meeting.minutes_saved", "committee_meeting", meeting.id)
    return meeting


def publish_meeting(meeting: Meeting, actor: User) -> Meeting:
    """Staff approve the minutes and results: from now on the public page shows them."""
    if meeting.status is MeetingStatus.HELD:
        if not meeting.minutes.strip():
            raise DomainError(_l("Write the minutes before publishing them."), field="minutes")
        pending = [item.title for item in meeting.items if item.outcome is ItemOutcome.PENDING]
        if pending:
            raise DomainError(_l("Record the result of every agenda item first: %(items)s.",
                                 items=", ".join(pending)))
        if not queries.attendee_ids(meeting.id):
            raise DomainError(_l("Record who attended before publishing."))
    meeting.move_to(MeetingStatus.PUBLISHED)
    meeting.published_at, meeting.published_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "committee_meeting.published", "committee_meeting", meeting.id)
    member_users = [m.user_id for m in queries.serving_members(meeting.committee_id, today()) if m.user_id]
    notify(member_users, "committee_minutes_published", meeting_path(meeting), title=meeting.title)
    return meeting
