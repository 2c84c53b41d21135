"""Rate limits on the endpoints that take credentials: per client IP and per account (email)."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def account_key() -> str:
    """The account whose password is tried, so that guessing it from many addresses is limited too:
    the signed-in account (password change, deactivation: page or API token), else the submitted email."""
    from app.api.auth import api_user

    user = current_user if current_user.is_authenticated else api_user()
    email = user.email if user is not None else request.form.get("email")
    if email is None and request.is_json:
        payload = request.get_json(silent=True)
        email = payload.get("email") if isinstance(payload, dict) else None
    if isinstance(email, str) and email.strip():
        return "account:" + email.strip().lower()
    return get_remote_address()


def credential_limits(view, methods: list[str] | None = None):
    """Apply the per-IP limit and the per-account limit to a view.

    The per-account bucket is shared by every credential endpoint (pages and API), so switching
    from the login form to the token endpoint gives an attacker no fresh attempts."""
    per_account = limiter.shared_limit(login_limit, "account", key_func=account_key, methods=methods)
    per_ip = limiter.limit(login_limit, methods=methods)
    return per_ip(per_account(view))


def post_credential_limits(view):
    return credential_limits(view, methods=["POST"])
