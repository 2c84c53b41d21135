"""Breach records: an incident, who is affected and the 72-hour notification checklist
(개인정보보호법 제34조; seeds 003:2818-2822)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.privacy.models import AUTHORITY_REPORT_THRESHOLD, BreachIncident, DataKind, PersonalDataAccess

# The steps, in order: what the law asks within 72 hours of learning of a breach.
CHECKLIST = {
    "contain": _l("Stop the leak and keep the evidence (access log, server logs)"),
    "identify": _l("Confirm which data and which residents are affected"),
    "notify_subjects": _l("Tell each affected resident: the items leaked, when and how, what they can do, "
                          "what we did and how to get redress, and whom to contact"),
    "report_authority": _l("Report to the Personal Information Protection Commission or KISA "
                           "(required when 1,000 or more people are affected)"),
    "publish": _l("Publish the notice on the website when residents cannot all be reached"),
}


def record_breach(actor: User, *, title: str, description: str, data_kinds: list[str], occurred_from: datetime,
                  occurred_until: datetime, discovered_at: datetime, suspect_email: str | None) -> BreachIncident:
    if occurred_until < occurred_from:
        raise DomainError(_l("The end of the window is before its start."), field="occurred_until", status=422)
    if discovered_at > utcnow():
        raise DomainError(_l("This time is in the future."), field="discovered_at", status=422)
    try:
        kinds = sorted({DataKind(value).value for value in data_kinds})
    except ValueError:
        raise DomainError(_l("Choose at least one kind of data."), field="data_kinds", status=422) from None
    if not kinds:
        raise DomainError(_l("Choose at least one kind of data."), field="data_kinds", status=422)
    suspect = None
    if suspect_email and suspect_email.strip():
        suspect = db.session.scalar(select(User).where(func.lower(User.email) == suspect_email.strip().lower()))
        if suspect is None:
            raise DomainError(_l("No account uses this email."), field="suspect_email", status=422)
    incident = BreachIncident(title=title.strip(), description=description.strip(), data_kinds=kinds,
                              occurred_from=occurred_from, occurred_until=occurred_until,
                              discovered_at=discovered_at, suspect_id=suspect.id if suspect else None,
                              recorded_by_id=actor.id, checklist={})
    db.session.add(incident)
    db.session.flush()
    audit.record(actor, "privacy.breach_record", "breach", incident.id, kinds=kinds)
    return incident


def complete_step(actor: User, incident: BreachIncident, step: str) -> None:
    incident.mark_done(step, utcnow())
    audit.record(actor, "privacy.breach_step", "breach", incident.id, step=step)


def _affected_query(incident: BreachIncident):
    """People whose data of the kinds involved was seen or exported in the breach window (by the
    suspect account when one is named), according to the staff access log."""
    query = select(PersonalDataAccess.subject_id).where(
        PersonalDataAccess.subject_id.is_not(None),
        PersonalDataAccess.kind.in_([DataKind(k) for k in incident.data_kinds]),
        PersonalDataAccess.created_at >= incident.occurred_from,
        PersonalDataAccess.created_at <= incident.occurred_until)
    if incident.suspect_id is not None:
        query = query.where(PersonalDataAccess.actor_id == incident.suspect_id)
    return query.distinct()


def affected_count(incident: BreachIncident) -> int:
    return db.session.scalar(select(func.count()).select_from(_affected_query(incident).subquery()))


def affected_people(incident: BreachIncident, page: int, per_page: int = 50):
    return db.paginate(select(User).where(User.id.in_(_affected_query(incident))).order_by(User.id),
                       page=page, per_page=per_page, error_out=False)


def checklist_state(incident: BreachIncident, count: int, now: datetime) -> list[dict]:
    done = incident.checklist or {}
    return [{"step": step, "label": label, "done_at": datetime.fromisoformat(done[step]) if step in done else None,
             "required": step != "report_authority" or count >= AUTHORITY_REPORT_THRESHOLD,
             "overdue": step not in done and now > incident.deadline}
            for step, label in CHECKLIST.items()]


def list_breaches(page: int):
    return db.paginate(select(BreachIncident).order_by(BreachIncident.id.desc()), page=page, per_page=20,
                       error_out=False)
