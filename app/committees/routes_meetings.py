"""Meeting pages: calling, the agenda, attendance, recusals, votes, minutes and publication."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user, login_required

from app.committees import bp, queries
from app.committees import permissions as perm
from app.committees.forms import (
    ActionForm,
    AttendanceForm,
    CancelForm,
    ChallengeDecisionForm,
    CloseItemForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    RecusalForm,
    StepAsideForm,
    VotesNoteForm,
    parse_votes,
)
from app.committees.models import CallBasis, ItemOutcome, RecusalGround, RecusalKind, SubjectType, VoteChoice
from app.committees.routes import _manage_page
from app.committees.services import deliberation, meetings, seoul_date
from app.committees.views import (
    chair_seat,
    load_committee,
    load_item,
    load_meeting,
    load_recusal,
    saved,
    viewer_seat,
)
from app.web import authorize, flash_form_errors, run_service


@bp.route("/<int:committee_id>/meetings", methods=["POST"])
@login_required
def call(committee_id: int):
    committee = load_committee(committee_id)
    authorize(perm.can_call_meeting(current_user, chair_seat(committee)))
    form = MeetingForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: meetings.call_meeting(
            committee, current_user, title=form.title.data, starts_at=to_utc(form.starts_at.data),
            place=form.place.data, basis=CallBasis(form.basis.data), request_id=form.request_id.data),
            _("The meeting was called and the members told."), form=form)
        if outcome:
            return redirect(url_for("committees.meeting", committee_id=committee.id, meeting_id=outcome.value.id))
    if perm.can_manage_committee(current_user):
        return _manage_page(committee, 422, meeting_form=form)
    flash_form_errors(form)
    return redirect(url_for("committees.detail", committee_id=committee.id))


def _meeting_page(committee, meeting, status=200, **forms):
    seat, chair = viewer_seat(committee), chair_seat(committee)
    if not perm.can_view_meeting(current_user, meeting):
        abort(404)

    def can(action):
        return perm.can_use(action, current_user, meeting, seat, chair)

    staff_view = can("view_record")
    day = seoul_date(meeting.starts_at)
    members = queries.serving_members(committee.id, day) if staff_view else []
    attendance = queries.attendance(meeting.id) if staff_view or meeting.status.value == "published" else []
    attendee_ids = {a.member_id for a in attendance}
    attendance_form = forms.get("attendance_form") or AttendanceForm(member_ids=sorted(attendee_ids))
    attendance_form.member_ids.choices = [(m.id, m.name) for m in members]
    recusal_form = forms.get("recusal_form") or RecusalForm()
    recusal_form.member_id.choices = [(m.id, m.name) for m in members]
    excluded = {item.id: {r.member_id for r in item.recusals if r.excludes} for item in meeting.items}
    return render_template(
        "committees/meeting.html", committee=committee, meeting=meeting, can=can, staff_view=staff_view,
        attendance=attendance, attendee_ids=attendee_ids, members_by_id={m.id: m for m in members},
        excluded=excluded, enrolled=len(members) if meeting.enrolled_count is None else meeting.enrolled_count,
        choices=list(VoteChoice), seat=seat, subject_titles=queries.subject_titles(meeting.items),
        item_form=forms.get("item_form") or ItemForm(), attendance_form=attendance_form,
        recusal_form=recusal_form, step_aside_form=forms.get("step_aside_form") or StepAsideForm(),
        decision_form=ChallengeDecisionForm(), close_form=forms.get("close_form") or CloseItemForm(),
        votes_form=VotesNoteForm(), minutes_form=forms.get("minutes_form") or MinutesForm(minutes=meeting.minutes),
        cancel_form=forms.get("cancel_form") or CancelForm(), action_form=ActionForm(),
    ), status


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>")
def meeting(committee_id: int, meeting_id: int):
    committee = load_committee(committee_id)
    return _meeting_page(committee, load_meeting(committee, meeting_id))


def _meeting_action(committee_id: int, meeting_id: int, action: str):
    committee = load_committee(committee_id)
    meeting = load_meeting(committee, meeting_id)
    authorize(perm.can_use(action, current_user, meeting, viewer_seat(committee), chair_seat(committee)))
    return committee, meeting


def _back(meeting, anchor=None):
    return redirect(url_for("committees.meeting", committee_id=meeting.committee_id, meeting_id=meeting.id,
                            _anchor=anchor))


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/items", methods=["POST"])
@login_required
def add_item(committee_id: int, meeting_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "edit_agenda")
    form = ItemForm()
    if saved(form, lambda: meetings.add_item(
            meeting, current_user, title=form.title.data, description=form.description.data or "",
            subject_type=SubjectType(form.subject_type.data) if form.subject_type.data else None,
            subject_id=form.subject_id.data), _("The agenda item was added.")):
        return _back(meeting, "agenda")
    return _meeting_page(committee, meeting, 422, item_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/hold", methods=["POST"])
@login_required
def hold(committee_id: int, meeting_id: int):
    _committee, meeting = _meeting_action(committee_id, meeting_id, "hold")
    if ActionForm().validate_on_submit():
        run_service(lambda: meetings.hold_meeting(meeting, current_user),
                    _("The meeting is marked as held. Record who attended."))
    return _back(meeting)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(committee_id: int, meeting_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "cancel")
    form = CancelForm()
    if saved(form, lambda: meetings.cancel_meeting(meeting, current_user, form.reason.data),
             _("The meeting was cancelled and the members told.")):
        return _back(meeting)
    return _meeting_page(committee, meeting, 422, cancel_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def attendance(committee_id: int, meeting_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "record_attendance")
    form = AttendanceForm()
    if saved(form, lambda: meetings.record_attendance(
            meeting, current_user, form.member_ids.data), _("Attendance was recorded.")):
        return _back(meeting, "attendance")
    return _meeting_page(committee, meeting, 422, attendance_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/recusals", methods=["POST"])
@login_required
def recusal(committee_id: int, meeting_id: int, item_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "record_recusal")
    item = load_item(meeting, item_id)
    form = RecusalForm()
    form.member_id.choices = [(m.id, m.name) for m in queries.serving_members(committee.id,
                                                                               seoul_date(meeting.starts_at))]
    if saved(form, lambda: deliberation.record_recusal(
            item, current_user, member_id=form.member_id.data, kind=RecusalKind(form.kind.data),
            ground=RecusalGround(form.ground.data) if form.ground.data else None, reason=form.reason.data,
            challenged_by=form.challenged_by.data), _("The recusal was recorded with its reason.")):
        return _back(meeting, f"item-{item.id}")
    return _meeting_page(committee, meeting, 422, recusal_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/step-aside", methods=["POST"])
@login_required
def step_aside(committee_id: int, meeting_id: int, item_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "step_aside")
    item = load_item(meeting, item_id)
    seat = viewer_seat(committee)
    form = StepAsideForm()
    if saved(form, lambda: deliberation.record_recusal(
            item, current_user, member_id=seat.id, kind=RecusalKind.SELF, ground=RecusalGround(form.ground.data),
            reason=form.reason.data), _("You stepped aside from this item; the reason is recorded.")):
        return _back(meeting, f"item-{item.id}")
    return _meeting_page(committee, meeting, 422, step_aside_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/recusals/<int:recusal_id>/decision", methods=["POST"])
@login_required
def decide(committee_id: int, meeting_id: int, recusal_id: int):
    _committee, meeting = _meeting_action(committee_id, meeting_id, "decide_challenge")
    challenge = load_recusal(meeting, recusal_id)
    form = ChallengeDecisionForm()
    if form.validate_on_submit():
        run_service(lambda: deliberation.decide_challenge(challenge, current_user, votes_for=form.votes_for.data),
                    _("The committee's decision on the challenge was recorded."))
    else:
        flash_form_errors(form)
    return _back(meeting, f"item-{challenge.item_id}")


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/votes", methods=["POST"])
@login_required
def votes(committee_id: int, meeting_id: int, item_id: int):
    _committee, meeting = _meeting_action(committee_id, meeting_id, "record_votes")
    item = load_item(meeting, item_id)
    form = VotesNoteForm()
    raw = {key.removeprefix("vote-"): value for key, value in request.form.items() if key.startswith("vote-")}
    if form.validate_on_submit():
        def record():
            deliberation.record_votes(item, current_user, parse_votes(raw), form.note.data or "")
        run_service(record, _("The votes and the result were recorded."))
    else:
        flash_form_errors(form)
    return _back(meeting, f"item-{item.id}")


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/items/<int:item_id>/close", methods=["POST"])
@login_required
def close(committee_id: int, meeting_id: int, item_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "record_votes")
    item = load_item(meeting, item_id)
    form = CloseItemForm()
    if saved(form, lambda: deliberation.close_item(
            item, current_user, outcome=ItemOutcome(form.outcome.data), note=form.note.data or ""),
            _("The result was recorded.")):
        return _back(meeting, f"item-{item.id}")
    return _meeting_page(committee, meeting, 422, close_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/minutes", methods=["POST"])
@login_required
def minutes(committee_id: int, meeting_id: int):
    committee, meeting = _meeting_action(committee_id, meeting_id, "write_minutes")
    form = MinutesForm()
    if saved(form, lambda: meetings.save_minutes(meeting, current_user, form.minutes.data or ""),
             _("The minutes were saved.")):
        return _back(meeting, "minutes")
    return _meeting_page(committee, meeting, 422, minutes_form=form)


@bp.route("/<int:committee_id>/meetings/<int:meeting_id>/publish", methods=["POST"])
@login_required
def publish(committee_id: int, meeting_id: int):
    _committee, meeting = _meeting_action(committee_id, meeting_id, "publish")
    if ActionForm().validate_on_submit():
        run_service(lambda: meetings.publish_meeting(meeting, current_user),
                    _("The minutes and results are approved and published on the committee's page."))
    return _back(meeting)
