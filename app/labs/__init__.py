"""Living labs (issue 5): recruit a citizen group and run it through five stages."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.web import register_nav

bp = Blueprint("labs", __name__, url_prefix="/labs")

register_nav(30, "labs.index", _l("Living labs"))

from app.labs import export, home, routes, routes_sessions, routes_workspace  # noqa: E402,F401

export.register()
