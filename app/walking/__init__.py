"""Health-walk mileage into local currency (issue 11): joining with the health consent, steps from
apps, phone exports and staff imports, versioned reward rules, crediting within a yearly budget,
missions, and conversion to local currency through a coupon or an account provider."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("walking", __name__, url_prefix="/walking")

from app.walking import routes, routes_staff  # noqa: E402,F401


def _on_consent_changed(user, **kwargs):
    from app.walking.services.participation import on_consent_changed

    on_consent_changed(user, **kwargs)


def _on_attendance(attendance, **_):
    from app.walking.services.missions import complete_programme_missions

    complete_programme_missions(attendance)


def _reconcile():
    from app.walking.services.reconcile import walking_differences

    return walking_differences()


def register(app: Flask) -> None:
    from app.auth.services import consent_changed
    from app.labs.signals import attendance_recorded
    from app.ledger.cli import register_reconciler
    from app.privacy.deletion import register_erasure
    from app.walking import erasure, export
    from app.walking.cli import walking_cli
    from app.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(walking_cli)
    register_nav(65, "walking.today", _l("Walking"), signed_in=True)
    export.register()
    consent_changed.connect(_on_consent_changed)
    attendance_recorded.connect(_on_attendance)
    register_reconciler(_reconcile)
    register_erasure("walking", erasure.erase_walker)
