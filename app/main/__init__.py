"""The home page, the language switch, the text-size control and the health check."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("main", __name__)

from app.main import routes  # noqa: E402,F401


def days_left(deadline: date | datetime | None) -> int | None:
    """Whole Korean calendar days from today to ``deadline`` (a date, or a naive UTC datetime): 0 on the
    last day, negative once it has passed."""
    if deadline is None:
        return None
    from app.consultations.clock import seoul_date
    from app.labs.views import seoul_today

    day = seoul_date(deadline) if isinstance(deadline, datetime) else deadline
    return (day - seoul_today()).days


def register(app: Flask) -> None:
    from app.web import register_nav

    app.register_blueprint(bp)
    app.add_template_filter(days_left, "days_left")
    register_nav(0, "main.index", _l("Home"))
