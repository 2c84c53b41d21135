"""Dates in templates, formatted once per value, pattern, language and time zone in each process.

A proposal's page shows some fifty dates (one per comment), each formatted by Babel through
Flask-Babel (time-zone conversion, pattern lookup, locale data): about a tenth of the page's CPU.
The result depends only on the key below, so it is kept (bounded) and reused."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from flask import Flask
from flask_babel import get_locale, get_timezone

_ENTRIES = 20_000  # a few hundred bytes each


def _memoised(format_value: Callable) -> Callable:
    @lru_cache(maxsize=_ENTRIES)
    def formatted(value, pattern, rebase, _locale: str, _zone: str) -> str:
        # Called only for a key that holds the current locale and time zone, which the filter reads.
        return format_value(value, pattern, rebase)

    def filter_(value=None, format=None, rebase=True):  # noqa: A002  (Flask-Babel's own argument name)
        if value is None:  # "now": never the same twice
            return format_value(value, format, rebase)
        return formatted(value, format, rebase, str(get_locale()), str(get_timezone()))

    return filter_


def register_date_formats(app: Flask) -> None:
    for name in ("datetimeformat", "dateformat"):
        app.jinja_env.filters[name] = _memoised(app.jinja_env.filters[name])
