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

A page that issued a CSRF token while rendering (a form bound to the reader's session) is not kept.
Pages for visitors issue none (the language and text-size forms need no token for them:
``main.routes.protect_account_preference``). Entries are kept per worker process, at most
``PAGE_CACHE_ENTRIES`` of them.

The fast path (:class:`FastPath`, in front of Flask): a hit for a request that sends none of our sign-in
cookies (the session, "remember me") answers from the WSGI environ without Flask's request machinery,
which costs more than the hit itself. It asks what ``_viewer_class`` and ``select_locale`` ask, of a
request that cannot be signed in: the language from Accept-Language, the text size from its cookie, and
for the API a bearer token that a full request found to be a resident's, not staff, within the last
``_TOKEN_MEMO_SECONDS`` and under the same content version (a revoked token or a changed role is a
write). The public API without a token is limited per address, so it always goes through Flask.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from http import HTTPStatus
from collections.abc import Callable, Iterable
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, has_app_context, make_response, request, session
from sqlalchemy import event
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import generate_etag, parse_accept_header, parse_cookie, parse_etags
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

CACHE_HEADER = "X-Page-Cache"
_MAX_BODY = 2 * 1024 * 1024  # a larger page is not kept
# How long a token a full request found to be a resident's is taken as such by the fast path (bounded
# also by the content version): then a full request checks it again and notes its use.
_TOKEN_MEMO_SECONDS = 60


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


class PageCache:
    """A bounded map whose values expire: least recently used first out, anything older than max_age unseen."""

    def __init__(self, entries: int):
        self.entries = entries
        self._items: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, max_age: float) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if time.monotonic() - item[0] > max_age:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


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


def _page_key(version: str, environ: dict, locale: str, text_size: str) -> tuple:
    """Everything a page for a visitor depends on: the content, the URL, the language and the text size.
    The same in Flask and on the fast path, which read the URL from the same WSGI environ."""
    return (version, environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            locale, text_size)


def _key() -> tuple | None:
    if not enabled() or _viewer_class() is None:
        return None
    version = content_version()
    if version is None:
        return None
    from flask_babel import get_locale

    from app.textsize import current_text_size

    if getattr(g, "api_token", None) is not None and g.api_token.scope is None:
        _remember_public_token(version, g.api_token.token_hash)
    return _page_key(version, request.environ, str(get_locale()), current_text_size().value)


def _respond(entry: _Entry, state: str) -> Response:
    response = Response(entry.body, status=entry.status, headers=list(entry.headers))
    response.headers[CACHE_HEADER] = state
    response.set_etag(entry.etag)
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
        g.pop("csrf_token", None)
        response = make_response(view(*args, **kwargs))
        # A page that issued a CSRF token (a form of the reader's own session) or flashed a message is not kept.
        personal = "csrf_token" in g or "_flashes" in session
        if response.status_code != 200 or response.direct_passthrough or personal:
            return response
        body = response.get_data()
        entry = _Entry(response.status_code,
                       tuple((k, v) for k, v in response.headers.items() if k.lower() != "content-length"),
                       body, generate_etag(body))
        if len(body) <= _MAX_BODY:
            cache.put(key, entry)
        return _respond(entry, "miss")

    return wrapped


# The fast path ------------------------------------------------------------------------------------

def _remember_public_token(version: str, token_hash: str) -> None:
    current_app.extensions["maeul_public_tokens"].put((version, token_hash), True)


@lru_cache(maxsize=256)
def _best_language(accept_language: str, languages: tuple[str, ...], default: str) -> str:
    """select_locale for a request that is not signed in and has no session."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages) or default


class FastPath:
    """WSGI middleware: answer a page cache hit before Flask when the request cannot be signed in (see the
    module's text); everything else goes on to Flask."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and self.app.config.get("PAGE_CACHE_SECONDS", 0) > 0:
            with self.app.app_context():
                answer = self._hit(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def _hit(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        config = self.app.config
        text_size = self._visitor_text_size(environ.get("HTTP_COOKIE"), config)
        if text_size is None or not enabled():
            return None
        authorization = environ.get("HTTP_AUTHORIZATION")
        is_api = environ.get("PATH_INFO", "").startswith("/api/")
        if is_api != bool(authorization):  # the public API's limit per address, or a token outside the API
            return None
        version = content_version()
        if version is None:
            return None
        if authorization and not self._known_resident_token(version, authorization):
            return None
        locale = _best_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""), tuple(config["LANGUAGES"]),
                                config["BABEL_DEFAULT_LOCALE"])
        entry = self.app.extensions["maeul_page_cache"].get(
            _page_key(version, environ, locale, text_size), config["PAGE_CACHE_SECONDS"])
        if entry is None:
            return None
        return self._response(environ, entry, config)

    @staticmethod
    def _visitor_text_size(cookie_header: str | None, config) -> str | None:
        """The text size of a request that carries no sign-in cookie; None when it carries one."""
        from app.textsize import COOKIE, TextSize, parse

        if not cookie_header:
            return TextSize.NORMAL.value
        cookies = parse_cookie(cookie_header)
        if config["SESSION_COOKIE_NAME"] in cookies or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None
        return (parse(cookies.get(COOKIE)) or TextSize.NORMAL).value

    def _known_resident_token(self, version: str, authorization: str) -> bool:
        from app.auth.services import token_digest

        if not authorization.startswith("Bearer "):
            return False
        key = (version, token_digest(authorization[len("Bearer "):].strip()))
        return self.app.extensions["maeul_public_tokens"].get(key, _TOKEN_MEMO_SECONDS) is True

    @staticmethod
    def _response(environ: dict, entry: _Entry, config) -> tuple[str, list[tuple[str, str]], bytes]:
        from app.ops.logs import REQUEST_ID_HEADER, new_request_id
        from app.web import security_header_items

        etag = f'"{entry.etag}"'
        headers = [*entry.headers, (CACHE_HEADER, "hit"), ("ETag", etag),
                   (REQUEST_ID_HEADER, new_request_id(environ.get("HTTP_X_REQUEST_ID", ""))),
                   *security_header_items(config), ("Vary", "Cookie")]
        if entry.etag in parse_etags(environ.get("HTTP_IF_NONE_MATCH")):
            kept = [(name, value) for name, value in headers if name.lower() != "content-type"]
            return "304 NOT MODIFIED", kept, b""
        status = f"{entry.status} {HTTPStatus(entry.status).phrase}"
        return status, [*headers, ("Content-Length", str(len(entry.body)))], entry.body


def register_page_cache(app: Flask) -> None:
    app.extensions["maeul_page_cache"] = PageCache(app.config.get("PAGE_CACHE_ENTRIES", 256))
    app.extensions["maeul_public_tokens"] = PageCache(app.config.get("PAGE_CACHE_ENTRIES", 256) * 16)
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
