"""The policy advisory committee (정책자문위원회), run by the ordinance's articles 12-16 and 18 (issue 16)."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("committees", __name__, url_prefix="/committees")

from app.committees import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.auth.export import register_export
    from app.committees.cli import committees_cli
    from app.committees.export import committee_seats
    from app.notifications import kinds
    from app.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(committees_cli)
    register_nav(45, "committees.index", _l("Advisory committee"))
    register_export("committee_seats", committee_seats)
    kinds.register("committee_request_due", _l(
        "%(signatures)s of %(enrolled)s members of %(committee)s asked for a meeting: please call it."))
    kinds.register("committee_meeting_called", _l("%(committee)s meets: “%(title)s”."))
    kinds.register("committee_minutes_published", _l("The minutes and results of “%(title)s” are published."))
    kinds.register("committee_meeting_cancelled", _l("The meeting “%(title)s” was cancelled: %(reason)s"))
