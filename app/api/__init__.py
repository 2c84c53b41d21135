"""The JSON API under /api/v1. Token-authenticated, so exempt from CSRF; calls the same services as the pages."""
from flask import Blueprint, Flask, current_app, request

from app.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _sent_a_token() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


# The public read API (requests without a token) is limited per address; routes with limits of their
# own (credentials, certificate verification) keep theirs.
limiter.shared_limit(lambda: current_app.config["PUBLIC_API_RATELIMIT"], scope="public-api",
                     exempt_when=_sent_a_token)(bp)

from app.api import (  # noqa: E402,F401  (each module adds its routes to bp)
    errors,
    routes_accounts,
    routes_activity,
    routes_admin,
    routes_certificates,
    routes_channels,
    routes_comments,
    routes_consultations,
    routes_intake,
    routes_interests,
    routes_committees,
    routes_jobs,
    routes_labs,
    routes_labs_manage,
    routes_labs_workspace,
    routes_ledger,
    routes_ledger_money,
    routes_meta,
    routes_moderation,
    routes_opendata,
    routes_policies,
    routes_privacy,
    routes_proposals,
    routes_search,
    routes_social,
    routes_stats,
    routes_surveys,
    routes_walking,
    routes_walking_staff,
)


@bp.before_request
def _enforce_token_scope():
    from app.api.scopes import enforce_scope

    enforce_scope()


def register(app: Flask) -> None:
    app.register_blueprint(bp)
