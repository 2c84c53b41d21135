"""Session pages: scheduling, RSVP, check-in and attendance."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user, login_required

from app.core import utcnow
from app.labs import bp
from app.labs import permissions as perm
from app.labs.services import sessions as session_services
from app.labs.forms import AttendanceForm, CheckinForm, RsvpForm, SessionForm
from app.labs.models import LabSession, RsvpAnswer
from app.web import authorize, run_service
from app.labs.views import failed_status, load_child, load_lab, viewer_membership
from app.labs.services.workspace import participants


@bp.route("/<int:lab_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(lab_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_manage_sessions(current_user, lab))
    form = SessionForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: session_services.create_session(
            lab, current_user, title=form.title.data, starts_at=to_utc(form.starts_at.data),
            ends_at=to_utc(form.ends_at.data), place=form.place.data, meeting_url=form.meeting_url.data),
            _("The session was scheduled and members notified."), form=form)
        if outcome:
            return redirect(url_for("labs.session_detail", lab_id=lab.id, session_id=outcome.value.id))
    return render_template("labs/session_form.html", lab=lab, form=form)


@bp.route("/<int:lab_id>/sessions/<int:session_id>")
def session_detail(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    return _render_session(lab, load_child(LabSession, session_id, lab))


def _render_session(lab, session, status: int = 200, checkin_form=None, rsvp_form=None, attendance_form=None):
    """The session's page; after a refused form, that form as submitted (input kept, errors beside its fields)."""
    membership = viewer_membership(lab)
    manage = perm.can_manage_sessions(current_user, lab)
    attendance = session_services.attendance_of(session) if (
        manage or perm.can_view_members(current_user, lab, membership)) else []
    rsvps = session_services.rsvps_of(session) if manage or membership else {}
    attended_ids = {a.user_id for a in attendance}
    people = [u for u in participants(lab) if not lab.is_facilitator(u)] if manage else []
    return render_template(
        "labs/session.html", lab=lab, session=session, membership=membership, manage=manage,
        can_attend=perm.can_attend(current_user, lab, membership), attendance=attendance, rsvps=rsvps,
        attended_ids=attended_ids, people=people, now=utcnow(), my_rsvp=rsvps.get(getattr(current_user, "id", None)),
        checkin_form=checkin_form or CheckinForm(), rsvp_form=rsvp_form or RsvpForm(),
        attendance_form=attendance_form or AttendanceForm(),
        rsvp_answers=list(RsvpAnswer), opens_before=session_services.CHECKIN_OPENS_BEFORE), status


@bp.route("/<int:lab_id>/sessions/<int:session_id>/checkin", methods=["POST"])
@login_required
def checkin(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = load_child(LabSession, session_id, lab)
    authorize(perm.can_attend(current_user, lab, viewer_membership(lab)))
    form = CheckinForm()
    if form.validate_on_submit() and run_service(
            lambda: session_services.check_in(session, current_user, form.code.data),
                    lambda result: _("You are checked in. Welcome!") if result[1]
                    else _("You were already checked in."), form=form):
        return redirect(url_for("labs.session_detail", lab_id=lab.id, session_id=session.id))
    return _render_session(lab, session, status=failed_status(form), checkin_form=form)


@bp.route("/<int:lab_id>/sessions/<int:session_id>/rsvp", methods=["POST"])
@login_required
def rsvp(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = load_child(LabSession, session_id, lab)
    authorize(perm.can_attend(current_user, lab, viewer_membership(lab)))
    form = RsvpForm()
    if form.validate_on_submit() and run_service(
            lambda: session_services.answer_rsvp(session, current_user, RsvpAnswer(form.answer.data)),
            _("Your answer was saved."), form=form):
        return redirect(url_for("labs.session_detail", lab_id=lab.id, session_id=session.id))
    return _render_session(lab, session, status=failed_status(form), rsvp_form=form)


@bp.route("/<int:lab_id>/sessions/<int:session_id>/attendance", methods=["POST"])
@login_required
def record_attendance(lab_id: int, session_id: int):
    lab = load_lab(lab_id)
    session = load_child(LabSession, session_id, lab)
    authorize(perm.can_manage_sessions(current_user, lab))
    form = AttendanceForm()
    if form.validate_on_submit() and run_service(
            lambda: session_services.record_attendance(session, form.user_id.data, current_user),
            _("The attendance was recorded."), form=form):
        return redirect(url_for("labs.session_detail", lab_id=lab.id, session_id=session.id))
    return _render_session(lab, session, status=failed_status(form), attendance_form=form)
