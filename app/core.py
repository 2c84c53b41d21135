"""Small building blocks shared by every domain package."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import abort, request
from flask_babel import lazy_gettext as _l

# The largest id, page or count a request may name: PostgreSQL's integer (ids are int4 columns).
MAX_ID = 2**31 - 1
# A list has fewer pages than this; a larger ?page= is a page that does not exist (404).
MAX_PAGE = 100_000


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL, shown in Asia/Seoul."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 for JSON: a stored (naive UTC) moment ends in Z, a calendar date stays a date, None stays None."""
    if value is None:
        return None
    return value.isoformat() + "Z" if isinstance(value, datetime) else value.isoformat()


class DomainError(Exception):
    """A business rule refused an action. ``message`` is a lazy translated string.

    ``status`` is the HTTP status the API answers with (409 conflict with the current state,
    422 invalid input, 403 not allowed); ``field`` names the offending input where there is one.
    """

    status = 409

    def __init__(self, message, *, field: str | None = None, status: int | None = None):
        # Kept lazy: translating reads the user's locale, possibly from the database, and the session
        # may hold a failed flush until the handler has rolled back (see app.web.run_service).
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class ValidationFailed(DomainError):
    """Input that fails validation: carries every message by field."""

    status = 422

    def __init__(self, errors: dict[str, list]):
        super().__init__(_l("The input is not valid."))
        self.errors = errors


class NotAllowed(DomainError):
    status = 403


def int_arg(name: str, default=None, *, maximum: int = MAX_ID):
    """A query argument as an int from -maximum to maximum; ``default`` when missing or malformed.
    Out of range is 422 (a number no column can hold must never reach the database)."""
    raw = request.args.get(name)
    if raw is None or not raw.strip().lstrip("+-").isascii() or not raw.strip().lstrip("+-").isdigit():
        return default
    value = int(raw) if len(raw) <= 20 else maximum + 1
    if abs(value) > maximum:
        raise ValidationFailed({name: [_l("The number is too large.")]})
    return value


def page_number() -> int:
    """The ``page`` query argument as a positive int (1 when missing or malformed; 404 past MAX_PAGE)."""
    raw = request.args.get("page", "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > 9 or int(raw) > MAX_PAGE:
        abort(404)
    return max(int(raw), 1)
