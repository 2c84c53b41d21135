"""Proposals and discussion (시민 제안·토론): propose, browse, support, follow, answer."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.web import register_nav

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

from app.proposals import admin_routes, hooks, routes  # noqa: E402,F401

hooks.register()
register_nav(10, "proposals.index", _l("Proposals"))
