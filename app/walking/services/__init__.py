"""Walking use cases: joining, steps in, crediting, conversions, missions. Services flush; callers commit."""
from __future__ import annotations

from datetime import date

from app.core import utcnow
from app.ledger.programmes import seoul_date


def today() -> date:
    """The programme's calendar is Seoul's."""
    return seoul_date(utcnow())
