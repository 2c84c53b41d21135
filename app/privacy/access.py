"""The staff access log (접속기록): who saw or exported whose personal data, kept at least a year.

Views call ``log_personal_data_access`` at the places staff and facilitators see someone else's
contact details, bank account, receipts, applications or attendance; the row is added to the
request's transaction (one INSERT for any number of subjects)."""
from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context, request
from sqlalchemy import func, insert, select

from app.core import utcnow
from app.extensions import db
from app.privacy.models import DataAccessAction, DataKind, PersonalDataAccess


def log_personal_data_access(actor, subject_ids: Iterable[int | None], kind: DataKind, *,
                             target_type: str, target_id: int | None = None,
                             action: DataAccessAction = DataAccessAction.VIEW) -> int:
    """Log one row per person whose data the actor saw. Viewing one's own data is not logged."""
    subjects = sorted({s for s in subject_ids if s is not None and s != getattr(actor, "id", None)})
    if not subjects:
        return 0
    channel, ip = "cli", None
    if has_request_context():
        channel = "api" if request.path.startswith("/api/") else "page"
        ip = request.remote_addr
    now = utcnow()
    db.session.execute(insert(PersonalDataAccess), [
        {"actor_id": actor.id, "subject_id": subject, "kind": kind, "action": action, "target_type": target_type,
         "target_id": target_id, "channel": channel, "ip_address": ip, "created_at": now}
        for subject in subjects])
    return len(subjects)


def data_access_query(*, kind: str | None = None, actor_email: str | None = None, subject_id: int | None = None):
    from app.auth.models import User

    query = select(PersonalDataAccess).order_by(PersonalDataAccess.id.desc())
    if kind:
        query = query.where(PersonalDataAccess.kind == DataKind(kind))
    if actor_email:
        query = query.join(User, User.id == PersonalDataAccess.actor_id).where(
            func.lower(User.email) == actor_email.strip().lower())
    if subject_id is not None:
        query = query.where(PersonalDataAccess.subject_id == subject_id)
    return query


def record_view(actor, subject_ids: Iterable[int | None], kind: DataKind, *, target_type: str,
                target_id: int | None = None) -> None:
    """For a page or API read that shows personal data: log and commit (a read commits nothing else)."""
    if log_personal_data_access(actor, subject_ids, kind, target_type=target_type, target_id=target_id):
        db.session.commit()
