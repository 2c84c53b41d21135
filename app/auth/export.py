""""View your data": everything Maeul holds about one resident, as JSON.

Each domain adds its own section with ``register_export(name, provider)``; ``provider(user)``
returns JSON-serialisable data about that user only."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import AccessLog, ApiToken, Consent, User
from app.core import iso
from app.extensions import db
from app.notifications.models import Notification

_SECTIONS: dict[str, Callable[[User], object]] = {}


def register_export(name: str, provider: Callable[[User], object]) -> None:
    _SECTIONS[name] = provider


def export_user_data(user: User) -> dict:
    return {name: provider(user) for name, provider in _SECTIONS.items()}


def account_section(user: User) -> dict:
    return {
        "id": user.id, "email": user.email, "display_name": user.display_name, "district": user.district,
        "birth_year": user.birth_year, "guardian_name": user.guardian_name, "locale": user.locale,
        "text_size": user.text_size,
        "roles": sorted(role.value for role in user.roles), "is_city_employee": user.is_city_employee,
        "active": user.active, "created_at": iso(user.created_at), "deactivated_at": iso(user.deactivated_at),
    }


def _rows(model, *where):
    return db.session.scalars(select(model).where(*where).order_by(model.id)).all()


def consents_section(user: User) -> list[dict]:
    return [{"item": row.item.value, "granted": row.granted, "policy_version": row.policy_version,
             "guardian_name": row.guardian_name, "decided_at": iso(row.created_at)}
            for row in _rows(Consent, Consent.user_id == user.id)]


def access_log_section(user: User) -> list[dict]:
    return [{"event": row.event, "ip_address": row.ip_address, "user_agent": row.user_agent,
             "at": iso(row.created_at)} for row in _rows(AccessLog, AccessLog.user_id == user.id)]


def api_tokens_section(user: User) -> list[dict]:
    return [{"created_at": iso(row.created_at), "last_used_at": iso(row.last_used_at),
             "revoked_at": iso(row.revoked_at)} for row in _rows(ApiToken, ApiToken.user_id == user.id)]


def notifications_section(user: User) -> list[dict]:
    return [{"kind": row.kind, "params": row.params, "url": row.url, "read_at": iso(row.read_at),
             "created_at": iso(row.created_at)} for row in _rows(Notification, Notification.user_id == user.id)]


def actions_section(user: User) -> list[dict]:
    return [{"action": row.action, "target_type": row.target_type, "target_id": row.target_id,
             "details": row.details, "at": iso(row.created_at)}
            for row in _rows(AuditEntry, AuditEntry.actor_id == user.id)]

