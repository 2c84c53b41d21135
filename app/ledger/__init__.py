"""Participation allowances within budget, the append-only ledger, and payouts (issue 6)."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("ledger", __name__)

from app.ledger import routes  # noqa: E402,F401


def _on_attendance(attendance, **_):
    from app.ledger.services.allowances import on_attendance_recorded

    on_attendance_recorded(attendance)


def _on_meeting_attended(attendance, **_):
    from app.ledger.services.allowances import create_meeting_allowances

    create_meeting_allowances(attendance)


def register(app: Flask) -> None:
    from app.committees.signals import meeting_attended
    from app.labs.signals import attendance_recorded
    from app.ledger.cli import ledger_cli
    from app.ledger.models import bank_label
    from app.notifications import kinds
    from app.web import register_nav

    app.register_blueprint(bp)
    app.add_template_filter(bank_label, "bank")  # a bank's name in the page's language
    from app.ledger import export  # the data-export sections of this domain

    export.register()
    app.cli.add_command(ledger_cli)
    register_nav(60, "ledger.statement", _l("My allowances"), signed_in=True)
    attendance_recorded.connect(_on_attendance)
    meeting_attended.connect(_on_meeting_attended)
    kinds.register("allowance_claimed", _l("%(name)s claimed an expense in %(lab)s. Please confirm it."))
    kinds.register("allowance_approved", _l("Your allowance of %(amount)s won was approved."))
    kinds.register("allowance_rejected", _l("Your allowance was not approved: %(reason)s"))
    kinds.register("allowance_paid", _l("%(amount)s won of allowances was paid to your bank account."))
    kinds.register("allowance_reversed", _l("A payment of %(amount)s won was corrected: %(reason)s"))
