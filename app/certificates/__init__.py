"""Certificates of completion and participation for living-lab members, verifiable by anyone (issue 6)."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("certificates", __name__)

from app.certificates import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.certificates import services
    from app.certificates.cli import certificates_cli
    from app.labs.signals import lab_closed
    from app.notifications import kinds
    from app.web import register_nav

    app.register_blueprint(bp)
    from app.certificates import export  # the data-export sections of this domain

    export.register()
    app.cli.add_command(certificates_cli)
    register_nav(80, "certificates.verify_form", _l("Certificates"))
    lab_closed.connect(services.invite_facilitators_to_issue)
    kinds.register("certificate_completion_issued",
                   _l("Your certificate of completion for the living lab “%(lab)s” is ready to download."))
    kinds.register("certificate_participation_issued",
                   _l("Your certificate of participation for the living lab “%(lab)s” is ready to download."))
    kinds.register("certificate_revoked",
                   _l("Your certificate for the living lab “%(lab)s” was revoked. Reason: %(reason)s"))
    kinds.register("certificates_ready_to_issue",
                   _l("The living lab “%(lab)s” is closed and %(count)s members meet its completion rule. "
                      "You can issue their certificates now."))
