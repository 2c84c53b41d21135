"""The home page, the language switch and the health check."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("main", __name__)

from app.main import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.web import register_nav

    app.register_blueprint(bp)
    register_nav(0, "main.index", _l("Home"))
