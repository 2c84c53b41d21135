"""Bearer-token authentication for the API."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import abort, g, request
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth import services as auth_services
from app.auth.models import ApiToken
from app.core import utcnow
from app.extensions import db

# A token's "last used" time is written at most this often. Writing it on every request made each
# read request an UPDATE of the token's row: on PostgreSQL concurrent requests with one token waited
# for each other's row lock, on SQLite every worker for the database's write lock.
LAST_USED_PRECISION = timedelta(minutes=10)


def _load_token_user():
    if "api_user" in g:
        return g.api_user
    g.api_user = None
    g.api_token = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        record = auth_services.token_record(header[len("Bearer "):].strip())
        if record is not None:
            _note_use(record)
            g.api_user = record.user
            g.api_token = record
    return g.api_user


def _note_use(record: ApiToken) -> None:
    """Record the use in its own short transaction, so a read request stays read-only and the time is
    kept even when the request fails or never commits."""
    now = utcnow()
    if record.last_used_at is not None and now - record.last_used_at < LAST_USED_PRECISION:
        return
    with db.engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == record.id).values(last_used_at=now))
    set_committed_value(record, "last_used_at", now)


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
