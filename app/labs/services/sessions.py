"""Sessions (모임), RSVPs and attendance. Attendance is exact: one row per member per session,
with who recorded it, how and when; receivers of ``attendance_recorded`` build allowances on it."""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.models import User
from app.core import DomainError, NotAllowed, utcnow
from app.extensions import db
from app.labs.models import (
    Attendance,
    AttendanceMethod,
    Lab,
    LabMembership,
    LabSession,
    MembershipStatus,
    RsvpAnswer,
    SessionRsvp,
)
from app.labs.signals import attendance_recorded
from app.notifications.services import notify_selected

# No 0/O, 1/I/L: the code is read aloud or copied from a screen.
CHECKIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECKIN_LENGTH = 6
CHECKIN_OPENS_BEFORE = timedelta(minutes=15)


def new_checkin_code() -> str:
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_LENGTH))


def create_session(lab: Lab, actor: User, *, title: str, starts_at: datetime, ends_at: datetime,
                   place: str | None = None, meeting_url: str | None = None) -> LabSession:
    place, meeting_url = (place or "").strip() or None, (meeting_url or "").strip() or None
    if ends_at <= starts_at:
        raise DomainError(_l("A session ends after it starts."), field="ends_at", status=422)
    if bool(place) == bool(meeting_url):
        raise DomainError(_l("Give either a place (offline) or a video-meeting link (online)."), field="place",
                          status=422)
    if lab.is_closed:
        raise DomainError(_l("This lab is closed."))
    session = LabSession(lab_id=lab.id, title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=place,
                         meeting_url=meeting_url, checkin_code=new_checkin_code())
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "lab.session.create", "lab_session", session.id, lab_id=lab.id)
    notify_selected(
        select(LabMembership.user_id).where(LabMembership.lab_id == lab.id,
                                            LabMembership.status == MembershipStatus.ACCEPTED),
        "lab_session_scheduled", f"/labs/{lab.id}/sessions/{session.id}", lab=lab.title, title=session.title)
    return session


def sessions_of(lab: Lab) -> list[LabSession]:
    return list(db.session.scalars(
        select(LabSession).where(LabSession.lab_id == lab.id).order_by(LabSession.starts_at, LabSession.id)))


def is_accepted_member(lab_id: int, user_id: int) -> bool:
    return db.session.scalar(select(LabMembership.id).where(
        LabMembership.lab_id == lab_id, LabMembership.user_id == user_id,
        LabMembership.status == MembershipStatus.ACCEPTED)) is not None


def existing_attendance(session: LabSession, user_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.session_id == session.id,
                                                      Attendance.user_id == user_id))


def _record(session: LabSession, user_id: int, recorded_by: User, method: AttendanceMethod,
            now: datetime) -> tuple[Attendance, bool]:
    """Insert the attendance row once; a concurrent duplicate loses on the unique key and is reused."""
    found = existing_attendance(session, user_id)
    if found is not None:
        return found, False
    attendance = Attendance(session_id=session.id, user_id=user_id, recorded_by_id=recorded_by.id, method=method,
                            recorded_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
            db.session.flush()
    except IntegrityError:
        return existing_attendance(session, user_id), False
    audit.record(recorded_by, "lab.attendance", "lab_session", session.id, user_id=user_id, method=method.value)
    db.session.flush()
    attendance_recorded.send(attendance)
    return attendance, True


def record_attendance(session: LabSession, member_id: int, actor: User,
                      now: datetime | None = None) -> tuple[Attendance, bool]:
    """The facilitator records that a member came. Returns (attendance, whether it is new)."""
    now = now or utcnow()
    if session.lab.is_closed:
        raise DomainError(_l("This lab is closed."))
    if now < session.starts_at - CHECKIN_OPENS_BEFORE:
        raise DomainError(_l("Attendance can be recorded once the session has started."))
    if not is_accepted_member(session.lab_id, member_id):
        raise DomainError(_l("Only accepted members of the lab can be marked present."), field="user_id",
                          status=422)
    return _record(session, member_id, actor, AttendanceMethod.FACILITATOR, now)


def check_in(session: LabSession, user: User, code: str, now: datetime | None = None) -> tuple[Attendance, bool]:
    """A member checks in with the code shown at the session. Idempotent: a second check-in adds nothing."""
    now = now or utcnow()
    if not is_accepted_member(session.lab_id, user.id):
        raise NotAllowed(_l("Only members of the lab can check in."))
    if not (session.starts_at - CHECKIN_OPENS_BEFORE <= now <= session.ends_at):
        raise DomainError(_l("Check-in is open from 15 minutes before the session starts until it ends."))
    given = (code or "").strip().upper()
    if not hmac.compare_digest(given.encode(), session.checkin_code.encode()):
        raise DomainError(_l("This check-in code is not right. Check the code shown at the session."),
                          field="code", status=422)
    return _record(session, user.id, user, AttendanceMethod.CHECKIN, now)


def answer_rsvp(session: LabSession, user: User, answer: RsvpAnswer) -> SessionRsvp:
    if not is_accepted_member(session.lab_id, user.id):
        raise NotAllowed(_l("Only members of the lab can answer."))
    if session.ends_at < utcnow():
        raise DomainError(_l("This session is over."))
    rsvp = db.session.scalar(select(SessionRsvp).where(SessionRsvp.session_id == session.id,
                                                       SessionRsvp.user_id == user.id))
    if rsvp is None:
        rsvp = SessionRsvp(session_id=session.id, user_id=user.id, answer=answer)
        db.session.add(rsvp)
    else:
        rsvp.answer = answer
    db.session.flush()
    return rsvp


def attendance_of(session: LabSession) -> list[Attendance]:
    return list(db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id).order_by(Attendance.recorded_at)))


def rsvps_of(session: LabSession) -> dict[int, RsvpAnswer]:
    return dict(db.session.execute(
        select(SessionRsvp.user_id, SessionRsvp.answer).where(SessionRsvp.session_id == session.id)).tuples().all())
