"""How every date and time reads on the site, in one place.

Korean: "2026년 11월 27일 오후 7:04" (four-digit year, no seconds); English: "Nov 27, 2026, 7:04 PM".
Babel's own "medium"/"short" forms for Korean ("2026. 11. 27. 오후 6:04:19", "26. 11. 27.") are what
residents found hard to read, so the patterns are written out here. Recent events read as relative
times ("3시간 전", "3 hours ago") inside ``<time datetime=… title=…>`` carrying the absolute time.

``register(app)`` installs the template filters under Flask-Babel's names (``datetimeformat``,
``dateformat``, ``timeformat``), so every template, old and new, uses these forms; ``ago`` renders the
relative ``<time>`` element and ``monthformat`` a month. Python code building messages calls the
``format_*`` functions. Datetimes are naive UTC (``app.core.utcnow``) and are shown in the user's time
zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Seoul); plain dates are shown as they are.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from babel.dates import format_timedelta
from flask import Flask
from flask_babel import get_locale, gettext, to_user_timezone
from markupsafe import Markup, escape

from app.core import utcnow

# Events younger than this read as relative times; older ones show the date and time.
RELATIVE_LIMIT = timedelta(days=7)

_EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_EN_LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"]


def _english() -> bool:
    return str(get_locale() or "ko").startswith("en")


def _local(value: datetime | date) -> datetime | date:
    """A datetime in the user's time zone (naive values are UTC); a date as it is."""
    if isinstance(value, datetime):
        return to_user_timezone(value)
    return value


def format_day(value: datetime | date | None, format: str | None = None) -> str:
    """The calendar day: "2026년 11월 27일" / "Nov 27, 2026" ("November 27, 2026" with format "long" or "full")."""
    if value is None:
        return ""
    day = _local(value)
    if _english():
        months = _EN_LONG_MONTHS if format in ("long", "full") else _EN_MONTHS
        return f"{months[day.month - 1]} {day.day}, {day.year:04d}"
    return f"{day.year:04d}년 {day.month}월 {day.day}일"


def format_clock(value: datetime | None, format: str | None = None) -> str:
    """The time of day without seconds: "오후 7:04" / "7:04 PM"."""
    if value is None:
        return ""
    moment = _local(value)
    assert isinstance(moment, datetime)
    hour12 = moment.hour % 12 or 12
    if _english():
        return f"{hour12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{'오전' if moment.hour < 12 else '오후'} {hour12}:{moment.minute:02d}"


def format_when(value: datetime | date | None, format: str | None = None) -> str:
    """Day and time: "2026년 11월 27일 오후 7:04" / "Nov 27, 2026, 7:04 PM". A plain date gives the day only."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_day(value, format)
    separator = ", " if _english() else " "
    return f"{format_day(value, format)}{separator}{format_clock(value)}"


def format_month(value: datetime | date | None) -> str:
    """A month: "2026년 11월" / "November 2026"."""
    if value is None:
        return ""
    day = _local(value)
    if _english():
        return f"{_EN_LONG_MONTHS[day.month - 1]} {day.year:04d}"
    return f"{day.year:04d}년 {day.month}월"


def relative_when(value: datetime, now: datetime | None = None) -> str | None:
    """"3시간 전" / "3 hours ago" (or "in 3 hours") within RELATIVE_LIMIT of now, else None.

    Whole units, rounded down: 90 minutes ago is "1시간 전", not babel's rounded "2시간 전"."""
    now = now or utcnow()
    delta = value - now
    seconds = abs(delta.total_seconds())
    if seconds >= RELATIVE_LIMIT.total_seconds():
        return None
    if seconds < 60:
        return gettext("just now") if delta.total_seconds() <= 0 else gettext("in a moment")
    units: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (("day", 86400), ("hour", 3600), ("minute", 60))
    for unit, size in units:
        if seconds >= size:
            whole = timedelta(seconds=int(seconds // size) * size)
            return format_timedelta(whole if delta.total_seconds() > 0 else -whole, granularity=unit, threshold=1,
                                    add_direction=True, locale="en" if _english() else "ko")
    return None  # not reached: seconds >= 60 matched "minute"


def iso_utc(value: datetime | date) -> str:
    """The machine-readable value of a ``<time datetime>`` attribute."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def time_element(value: datetime | date | None, format: str | None = None, *, now: datetime | None = None) -> Markup:
    """``<time>`` with a relative text for recent events (the absolute time in its title), else the absolute time."""
    if value is None:
        return Markup("")
    absolute = format_when(value, format)
    relative = relative_when(value, now) if isinstance(value, datetime) else None
    if relative is None:
        return Markup('<time datetime="{}">{}</time>').format(iso_utc(value), absolute)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso_utc(value), absolute, escape(relative))


def register(app: Flask) -> None:
    """Call after Flask-Babel's init_app: these replace its filters of the same names."""
    app.jinja_env.filters.update(
        datetimeformat=format_when, dateformat=format_day, timeformat=format_clock, monthformat=format_month,
        ago=time_element,
    )
    app.jinja_env.globals.update(format_when=format_when, format_day=format_day)
