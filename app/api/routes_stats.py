"""Statistics in the API: the public charts' numbers, and the staff dashboard's working figures."""
from __future__ import annotations

from flask import jsonify

from app.api import bp
from app.api.auth import require_api
from app.api.spec import documented
from app.auth.permissions import is_staff
from app.stats.dashboard import working_figures
from app.stats.queries import all_charts, min_group

CHARTS = {"type": "object", "properties": {
    "min_group": {"type": "integer", "description": "groups of fewer people are suppressed (value null)"},
    "charts": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "title": {"type": "string"}, "unit": {"type": "string"},
        "extra": {"type": "object"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "label": {"type": "string"},
            "value": {"type": "number", "nullable": True}}}}}}}}}


def charts_json() -> dict:
    return {"min_group": min_group(), "charts": [
        {"key": c.key, "title": str(c.title), "unit": str(c.unit), "extra": c.extra,
         "rows": [{"key": r.key, "label": str(r.label), "value": r.value} for r in c.rows]}
        for c in all_charts()]}


@bp.route("/stats", methods=["GET"])
@documented("Public statistics: participants by district and age, proposals by field and status, answer times, "
            "adoption, policies, labs, KPIs and allowances paid", tag="stats", auth=False,
            responses={200: ("Every chart's numbers", CHARTS)})
def stats():
    return jsonify(charts_json())


@bp.route("/stats/staff", methods=["GET"])
@documented("The staff dashboard: the public statistics and what waits for someone (staff)", tag="stats",
            responses={200: ("Charts and working figures", None), 403: ("Not staff", None)})
def staff_stats():
    require_api(is_staff)
    return jsonify({**charts_json(), "waiting": working_figures()})
