"""Reading accounts and the audit log, shared by the admin pages and the admin API."""
from __future__ import annotations

from sqlalchemy import Select, or_, select

from app.audit.models import AuditEntry
from app.auth.models import User


def users_query(q: str = "") -> Select:
    """Every account by number; ``q`` keeps those whose email or name contains it."""
    query = select(User).order_by(User.id)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.email.ilike(like), User.display_name.ilike(like)))
    return query


def audit_log_query() -> Select:
    """The audit log, newest first."""
    return select(AuditEntry).order_by(AuditEntry.id.desc())
