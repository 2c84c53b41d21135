"""Interests: residents follow fields, topics and districts and hear about new things there."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("interests", __name__, url_prefix="/account/interests")

from app.interests import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.interests import export
    from app.interests.services import LAB_RECRUITING, NEW_CONSULTATION, NEW_PROPOSAL
    from app.notifications import kinds

    app.register_blueprint(bp)
    export.register()
    kinds.register(NEW_PROPOSAL, _l("A new proposal in something you follow: “%(title)s”."))
    kinds.register(NEW_CONSULTATION, _l("A new consultation in something you follow: “%(title)s”."))
    kinds.register(LAB_RECRUITING, _l(
        "A new living lab in something you follow is recruiting until %(deadline)s: “%(title)s”."))
