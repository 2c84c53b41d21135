"""Helpers shared by the lab pages."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_login import current_user

from app.extensions import db
from app.labs.models import Lab, LabMembership


def seoul_today() -> date:
    """Deadlines are calendar dates in the city's time zone."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul"))
    return datetime.now(zone).date()


def load_lab(lab_id: int) -> Lab:
    return db.session.get(Lab, lab_id) or abort(404)


def load_child(model, child_id: int, lab: Lab):
    """A row that belongs to ``lab`` (through ``lab_id``), or 404."""
    row = db.session.get(model, child_id)
    if row is None or row.lab_id != lab.id:
        abort(404)
    return row


def viewer_membership(lab: Lab) -> LabMembership | None:
    return lab.membership_of(current_user) if current_user.is_authenticated else None


def failed_status(*forms) -> int:
    """The status of a lab page re-rendered after a refused form: 422 when a field says why (the message
    is beside it), 409 when the service refused for a reason of no one field (the message is flashed)."""
    return 422 if any(form.errors for form in forms) else 409
