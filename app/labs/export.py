"""Living labs' sections of the resident's data export: applications, attendance, RSVPs, and what
they wrote in a lab's workspace."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.labs.models import Attendance, Lab, LabMembership, LabSession, SessionRsvp
from app.labs.models import Praise, ProblemCard, ProblemEmpathy, PrototypeFeedback


def _memberships(user) -> list[dict]:
    rows = db.session.execute(select(LabMembership, Lab.title).join(Lab, Lab.id == LabMembership.lab_id)
                              .where(LabMembership.user_id == user.id).order_by(LabMembership.id))
    return [{"lab_id": m.lab_id, "lab_title": title, "group": m.group.value, "motivation": m.motivation,
             "status": m.status.value, "plan_role": m.plan_role, "applied_at": iso(m.applied_at),
             "decided_at": iso(m.decided_at)} for m, title in rows]


def _attendance(user) -> list[dict]:
    rows = db.session.execute(select(Attendance, LabSession).join(LabSession, LabSession.id == Attendance.session_id)
                              .where(Attendance.user_id == user.id).order_by(Attendance.id))
    return [{"lab_id": s.lab_id, "session_id": s.id, "session_title": s.title, "starts_at": iso(s.starts_at),
             "method": a.method.value, "recorded_at": iso(a.recorded_at)} for a, s in rows]


def _rsvps(user) -> list[dict]:
    rows = db.session.scalars(select(SessionRsvp).where(SessionRsvp.user_id == user.id).order_by(SessionRsvp.id))
    return [{"session_id": r.session_id, "answer": r.answer.value, "answered_at": iso(r.answered_at)} for r in rows]


def _written(user) -> list[dict]:
    items = [{"kind": "problem_card", "lab_id": c.lab_id, "title": c.title, "text": c.body, "at": iso(c.created_at)}
             for c in db.session.scalars(select(ProblemCard).where(ProblemCard.author_id == user.id)
                                         .order_by(ProblemCard.id))]
    items += [{"kind": "empathy", "lab_id": None, "title": None, "text": f"card {e.card_id}", "at": iso(e.created_at)}
              for e in db.session.scalars(select(ProblemEmpathy).where(ProblemEmpathy.user_id == user.id)
                                          .order_by(ProblemEmpathy.id))]
    items += [{"kind": "prototype_feedback", "lab_id": None, "title": f"rating {f.rating}", "text": f.comment,
               "at": iso(f.created_at)}
              for f in db.session.scalars(select(PrototypeFeedback).where(PrototypeFeedback.user_id == user.id)
                                          .order_by(PrototypeFeedback.id))]
    items += [{"kind": "praise_given", "lab_id": p.lab_id, "title": None, "text": p.message, "at": iso(p.created_at)}
              for p in db.session.scalars(select(Praise).where(Praise.from_user_id == user.id).order_by(Praise.id))]
    items += [{"kind": "praise_received", "lab_id": p.lab_id, "title": None, "text": p.message,
               "at": iso(p.created_at)}
              for p in db.session.scalars(select(Praise).where(Praise.to_user_id == user.id).order_by(Praise.id))]
    return items


def register() -> None:
    register_export("lab_applications", _memberships)
    register_export("lab_attendance", _attendance)
    register_export("lab_rsvps", _rsvps)
    register_export("lab_contributions", _written)
