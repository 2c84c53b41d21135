"""A cache of whole public pages, for readers who are not signed in, checked against a content version
that every write moves on.

What is cached: the responses of the views decorated with :func:`public_page` (the proposal list, a
proposal, search, the API's proposal list), status 200 only, for requests that are not personal: no
signed-in session or remember cookie, no message waiting to be flashed, and for the API either no token
or a token of a resident who is not staff (the API list is then the same as the public one). Signed-in
pages, staff views, forms with errors and anything else are never cached.

Why it cannot show stale data: the key holds the *content version*, a value every committed write
changes (an ``after_commit`` hook on every SQLAlchemy session that flushed or executed a write, and the
search index writer). The version is read once at the start of the request, before the page reads the
database, and the page is stored under the version read: a write that commits while the page is being
rendered moves the version on, so that page is never served again. The version lives in Redis when
``REDIS_URL`` is set (shared by every node: a support given on node A is counted by node B's next
request), otherwise in a file beside the SQLite database (one machine: ``make run``). Without Redis
on PostgreSQL, where several machines may share the database, the cache is off. Writes made outside the
application (psql by hand) are not seen: entries also expire after ``PAGE_CACHE_SECONDS``, which bounds
that and any page that changes with the clock alone (an answer deadline passing).

The pages hold a per-session CSRF token (the language switch form): the page is rendered with a random
placeholder, kept beside the cached body, and each response gets the requester's own token in its place.
Entries are kept per worker process, at most ``PAGE_CACHE_ENTRIES`` of them.
"""
from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path

from flask import Flask, Response, current_app, g, has_app_context, make_response, request, session
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

CACHE_HEADER = "X-Page-Cache"
_MAX_BODY = 2 * 1024 * 1024  # a larger page is not kept


@dataclass(frozen=True)
class _Entry:
    stored_at: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    placeholder: bytes | None  # where the requester's CSRF token goes, None when the page has no form


class PageCache:
    def __init__(self, entries: int):
        self.entries = entries
        self._pages: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, max_age: float) -> _Entry | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry.stored_at > max_age:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        with self._lock:
            self._pages[key] = entry
            self._pages.move_to_end(key)
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


# Content version ----------------------------------------------------------------------------------

def _version_key() -> str:
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', 'maeul')}:content-version"


def _version_file() -> Path:
    """PAGE_CACHE_VERSION_FILE, or beside the SQLite database: the version belongs to the database
    (every process writing it bumps this file, a test run's or a benchmark's own database has its own)."""
    configured = current_app.config.get("PAGE_CACHE_VERSION_FILE")
    if configured:
        return Path(configured)
    return _beside_database(current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.instance_path)


@lru_cache(maxsize=8)
def _beside_database(uri: str, instance_path: str) -> Path:
    database = make_url(uri).database if uri.startswith("sqlite") else None
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(f"{database}.content-version")
    return Path(instance_path) / "content-version"


def enabled() -> bool:
    config = current_app.config
    if config.get("PAGE_CACHE_SECONDS", 0) <= 0:
        return False
    return bool(config.get("REDIS_URL")) or config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def content_version() -> str | None:
    """The current content version; None when it cannot be read (then nothing is cached or served)."""
    try:
        if current_app.config.get("REDIS_URL"):
            from app.ops.redis import redis_client

            value = redis_client().get(_version_key())
            if value is None:
                return "0"
            return value.decode() if isinstance(value, bytes) else str(value)
        try:
            return _version_file().read_text(encoding="ascii")
        except FileNotFoundError:
            return "0"
    except Exception:  # noqa: BLE001  (Redis down: serve uncached, never an error)
        current_app.logger.warning("page cache: the content version could not be read", exc_info=True)
        return None


def bump_content_version() -> None:
    """Every committed change calls this: cached pages of the old version are never served again.

    Also where this process serves nothing from the cache (PAGE_CACHE_SECONDS=0, a CLI command, the
    job worker): other processes may."""
    if not has_app_context():
        return
    try:
        if current_app.config.get("REDIS_URL"):
            from app.ops.redis import redis_client

            redis_client().incr(_version_key())
            return
        path = _version_file()
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_text(uuid.uuid4().hex, encoding="ascii")
        os.replace(temporary, path)
    except Exception:  # noqa: BLE001
        # The change is committed; failing it now would not undo it. Drop this process's pages so at
        # least it cannot serve them, and let the expiry bound the others.
        current_app.extensions["maeul_page_cache"].clear()
        current_app.logger.exception("page cache: the content version could not be moved on")


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    session.info["content_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if not state.is_select:  # UPDATE/DELETE/INSERT statements, and text() whatever it holds
        state.session.info["content_changed"] = True


@event.listens_for(Session, "after_commit")
def _committed(session):
    if session.info.pop("content_changed", False):
        bump_content_version()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop("content_changed", None)


# The decorator ------------------------------------------------------------------------------------

def _viewer_class() -> str | None:
    """"public" when the response is the one anybody not signed in would get, None otherwise."""
    if request.method != "GET" or "_flashes" in session or "_user_id" in session:
        return None
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return None
    if request.headers.get("Authorization"):
        if not request.blueprint or not request.blueprint.startswith("api"):
            return None
        from app.api.auth import api_user

        user = api_user()
        if user is None or user.is_staff:
            return None
    return "public"


def _key() -> tuple | None:
    if not enabled() or _viewer_class() is None:
        return None
    version = content_version()
    if version is None:
        return None
    from flask_babel import get_locale

    from app.textsize import current_text_size

    # Everything a page for a visitor depends on besides the URL: the language and the text size they chose.
    return (version, request.endpoint, request.full_path, str(get_locale()), current_text_size().value)


def _respond(entry: _Entry, state: str) -> Response:
    body = entry.body
    if entry.placeholder is not None:
        from flask_wtf.csrf import generate_csrf

        g.pop("csrf_token", None)
        body = body.replace(entry.placeholder, generate_csrf().encode())
    response = Response(body, status=entry.status, headers=list(entry.headers))
    response.headers[CACHE_HEADER] = state
    if entry.placeholder is None:
        response.add_etag()
        response.make_conditional(request)
    return response


def public_page(view):
    """Serve the view's page from the cache to readers who are not signed in (see the module's text).
    Only for views whose output depends on nothing but the URL, the locale and the content."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = _key()
        if key is None:
            return view(*args, **kwargs)
        cache: PageCache = current_app.extensions["maeul_page_cache"]
        entry = cache.get(key, current_app.config["PAGE_CACHE_SECONDS"])
        if entry is not None:
            return _respond(entry, "hit")
        placeholder = f"csrf-{secrets.token_hex(16)}"
        g.csrf_token = placeholder  # what flask_wtf.csrf.generate_csrf returns while the page renders
        try:
            response = make_response(view(*args, **kwargs))
        finally:
            g.pop("csrf_token", None)
        if response.status_code != 200 or response.direct_passthrough or "_flashes" in session:
            return _without_placeholder(response, placeholder)
        body = response.get_data()
        entry = _Entry(time.monotonic(), response.status_code,
                       tuple((k, v) for k, v in response.headers.items() if k.lower() != "content-length"),
                       body, placeholder.encode() if placeholder.encode() in body else None)
        if len(body) <= _MAX_BODY:
            cache.put(key, entry)
        return _respond(entry, "miss")

    return wrapped


def _without_placeholder(response: Response, placeholder: str) -> Response:
    if not response.direct_passthrough and response.status_code != 304:
        from flask_wtf.csrf import generate_csrf

        body = response.get_data()
        if placeholder.encode() in body:
            response.set_data(body.replace(placeholder.encode(), generate_csrf().encode()))
    return response


def register_page_cache(app: Flask) -> None:
    app.extensions["maeul_page_cache"] = PageCache(app.config.get("PAGE_CACHE_ENTRIES", 256))
