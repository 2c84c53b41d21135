"""Certificates of completion and participation for living-lab members, verifiable by anyone (issue 6)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.web import register_nav

bp = Blueprint("certificates", __name__)


register_nav(80, "certificates.verify_form", _l("Certificates"))

from app.certificates import cli, export, routes  # noqa: E402,F401

export.register()

