"""The privacy domain's sections of the resident's export: deletion requests, and who among staff
saw the resident's personal data (the resident's right to know)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.privacy.models import DeletionRequest, PersonalDataAccess


def _deletion_requests(user) -> list[dict]:
    rows = db.session.scalars(select(DeletionRequest).where(DeletionRequest.user_id == user.id)
                              .order_by(DeletionRequest.id))
    return [{"status": r.status.value, "keep_content": r.keep_content, "requested_at": iso(r.requested_at),
             "due_at": iso(r.due_at), "cancelled_at": iso(r.cancelled_at)} for r in rows]


def _viewed_by_staff(user) -> list[dict]:
    rows = db.session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.subject_id == user.id)
                              .order_by(PersonalDataAccess.id))
    return [{"kind": r.kind.value, "action": r.action.value, "by": r.actor.display_name if r.actor else None,
             "what": r.target_type, "at": iso(r.created_at)} for r in rows]


def register() -> None:
    register_export("deletion_requests", _deletion_requests)
    register_export("personal_data_viewed_by_staff", _viewed_by_staff)
