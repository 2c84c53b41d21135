"""Logs as one JSON object a line, each carrying the request id, so a resident's report can be found.

The request id comes from the proxy's ``X-Request-ID`` header when it looks like one (nginx sets
``$request_id``), otherwise it is made here; it is sent back in ``X-Request-ID``, printed on the
error page and put in the API's error body.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
    return g.request_id


def new_request_id(incoming: str) -> str:
    """The proxy's id when it looks like one, else a new one."""
    return incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        if has_request_context():
            entry.setdefault("method", request.method)
            entry.setdefault("path", request.path)
        for key in ("event", "status", "duration_ms", "user_id", "job_id", "job"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """Production (or LOG_FORMAT=json) writes JSON lines to stderr; development keeps Flask's plain text."""
    if app.config.get("LOG_FORMAT") != "json":
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in (app.logger.name, "maeul"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


def register_request_ids(app: Flask) -> None:
    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _send_request_id(response):
        rid = request_id()
        if rid:
            response.headers.setdefault(REQUEST_ID_HEADER, rid)
        return response


try:  # The access log of the production server (gunicorn); absent where gunicorn is not installed.
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:
    class GunicornJsonLogger(_GunicornLogger):
        """gunicorn's access log as one JSON line a request: id, method, path, status, duration, size."""

        def access(self, resp, req, environ, request_time):
            if not self.access_log_enabled:
                return
            headers = dict((k.lower(), v) for k, v in (resp.headers or []))
            status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
            entry = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "level": "INFO",
                "logger": "gunicorn.access",
                "event": "request",
                "request_id": headers.get("x-request-id", "-"),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("RAW_URI") or environ.get("PATH_INFO"),
                "status": int(status),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": getattr(resp, "sent", None),
                "remote": environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR"),
                "pid": os.getpid(),
            }
            try:
                self.access_log.info(json.dumps(entry, ensure_ascii=False))
            except Exception:  # never let logging break a response
                self.exception("access log")
