"""Korea time for deadlines: stored as naive UTC, entered and shown in Asia/Seoul to the minute."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_to_utc(moment: datetime) -> datetime:
    """A naive Asia/Seoul wall-clock time -> naive UTC (Korea has no daylight saving time)."""
    return moment.replace(tzinfo=SEOUL).astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_seoul(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(SEOUL).replace(tzinfo=None)


def seoul_minute(day: date, at: time) -> datetime:
    """The naive UTC instant of ``day`` ``at`` (hours and minutes only) in Korea."""
    return seoul_to_utc(datetime.combine(day, at.replace(second=0, microsecond=0)))


def seoul_date(moment: datetime) -> date:
    return utc_to_seoul(moment).date()


def seoul_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The naive UTC instants where the Korean calendar day ``day`` starts and the next one starts."""
    start = seoul_to_utc(datetime.combine(day, time()))
    return start, start + timedelta(days=1)
