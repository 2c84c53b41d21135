"""Committee use cases: membership (membership.py), meetings and requests (meetings.py), deliberation
(deliberation.py). Services check the ordinance's rules, change data, write audit rows and flush; the
caller commits."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.core import utcnow

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_date(moment: datetime) -> date:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(SEOUL).date()


def today() -> date:
    """Terms and dates are Seoul calendar days."""
    return seoul_date(utcnow())
