"""Audit log of moderation, role changes, money and other accountable actions."""
from app.audit.models import AuditEntry
from app.extensions import db


def record(actor, action: str, target_type: str, target_id: int | None = None, **details) -> AuditEntry:
    """Add an audit row in the caller's transaction."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details,
    )
    db.session.add(entry)
    return entry
