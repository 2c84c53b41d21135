"""Small building blocks shared by every domain package."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import request
from flask_babel import lazy_gettext as _l


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
        super().__init__(str(message))
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


def page_number() -> int:
    """The ``page`` query argument as a positive int (1 when missing or malformed)."""
    page = request.args.get("page", 1, type=int)
    return page if page and page > 0 else 1
