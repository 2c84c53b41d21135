"""Bearer-token authentication for the API."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, request

from app.auth import services as auth_services
from app.core import utcnow


def _load_token_user():
    if "api_user" in g:
        return g.api_user
    g.api_user = None
    g.api_token = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        record = auth_services.token_record(header[len("Bearer "):].strip())
        if record is not None:
            record.last_used_at = utcnow()
            g.api_user = record.user
            g.api_token = record
    return g.api_user


def api_user():
    """The user the request's bearer token belongs to, or None."""
    return _load_token_user()


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if _load_token_user() is None:
            abort(401)
        return view(*args, **kwargs)

    return wrapped


def require_api(predicate, *args):
    """401 without a valid token, 403 when the predicate refuses."""
    user = _load_token_user()
    if user is None:
        abort(401)
    if not predicate(user, *args):
        abort(403)
    return user
