"""Participation allowances within budget, the append-only ledger, and payouts (issue 6)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.labs.signals import attendance_recorded
from app.notifications.kinds import register
from app.web import register_nav

bp = Blueprint("ledger", __name__)

register_nav(60, "ledger.statement", _l("My allowances"))

register("allowance_claimed", _l("%(name)s claimed an expense in %(lab)s. Please confirm it."))
register("allowance_approved", _l("Your allowance of %(amount)s won was approved."))
register("allowance_rejected", _l("Your allowance was not approved: %(reason)s"))
register("allowance_paid", _l("%(amount)s won of allowances was paid to your bank account."))
register("allowance_reversed", _l("A payment of %(amount)s won was corrected: %(reason)s"))


def _on_attendance(attendance, **_):
    from app.ledger.services.allowances import on_attendance_recorded

    on_attendance_recorded(attendance)


attendance_recorded.connect(_on_attendance)

from app.ledger import cli, export, routes  # noqa: E402,F401

export.register()
