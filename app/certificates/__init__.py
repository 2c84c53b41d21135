"""Certificates of completion and participation for living-lab members, verifiable by anyone (issue 6)."""
import os

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.web import register_nav

bp = Blueprint("certificates", __name__)


@bp.record_once
def _configure(state) -> None:
    config = state.app.config
    # The organisation printed on every certificate as its issuer.
    config.setdefault("CERTIFICATE_ISSUER", os.environ.get("CERTIFICATE_ISSUER", "아산시"))
    # Verification lookups per client address: enough for people, too few to guess 160-bit codes.
    config.setdefault("CERTIFICATE_VERIFY_RATELIMIT",
                      os.environ.get("CERTIFICATE_VERIFY_RATELIMIT", "30 per minute;300 per day"))


register_nav(80, "certificates.verify_form", _l("Certificates"))

from app.certificates import cli, routes  # noqa: E402,F401
