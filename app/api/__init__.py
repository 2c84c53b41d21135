"""The JSON API under /api/v1. Token-authenticated, so exempt from CSRF; calls the same services as the pages."""
from flask import Blueprint, Flask

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from app.api import errors, routes_accounts, routes_admin, routes_certificates, routes_comments, routes_consultations, routes_labs, routes_labs_manage, routes_labs_workspace, routes_ledger, routes_ledger_money, routes_meta, routes_moderation, routes_policies, routes_proposals, routes_search, routes_surveys  # noqa: E402,F401


def register(app: Flask) -> None:
    app.register_blueprint(bp)
