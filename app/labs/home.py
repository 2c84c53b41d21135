"""Recruiting labs promoted on the home page."""
from app.labs.queries import recruiting_labs
from app.labs.views import seoul_today


def recruiting_section() -> dict | None:
    rows = recruiting_labs(seoul_today())
    if not rows:
        return None
    return {"template": "labs/_home_section.html", "recruiting_lab_rows": rows}
