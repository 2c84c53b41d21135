"""Reports and hide/restore decisions, generic over every registered content type."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from app.moderation import routes  # noqa: E402,F401
from app.moderation.registry import register_moderation_target  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.notifications import kinds

    app.register_blueprint(bp)
    kinds.register("content_hidden_pending",
                   _l("“%(title)s” was hidden after reports and waits for review by staff."))
    kinds.register("content_hidden", _l("Staff hid “%(title)s”. Reason: %(reason)s"))
    kinds.register("content_restored", _l("Staff restored “%(title)s”. Reason: %(reason)s"))
