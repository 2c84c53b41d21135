"""Per-address limit on asking for and checking phone codes, one bucket for every page and API endpoint
(the database limits per number and per address count too, see services.request_code)."""
from __future__ import annotations

from flask import current_app


def _limit() -> str:
    return current_app.config["PHONE_CODE_RATELIMIT"]


def phone_code_limited(view):
    from app.extensions import limiter

    return limiter.shared_limit(_limit, scope="phone-code", methods=["POST", "PUT"])(view)
