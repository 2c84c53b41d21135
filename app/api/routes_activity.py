"""The resident's activity in the API: the same sections as /me/activity."""
from flask import jsonify

from app.activity.queries import CAPPED, activity
from app.api import bp
from app.api.auth import api_user, token_required
from app.api.spec import documented
from app.core import iso

ACTIVITY_ROW = {"type": "object", "properties": {
    "title": {"type": "string"}, "url": {"type": "string"}, "when": {"type": "string", "nullable": True},
    "status": {"type": "string"}, "detail": {"type": "string"}}}
ACTIVITY = {"type": "object", "properties": {"sections": {"type": "array", "items": {"type": "object", "properties": {
    "key": {"type": "string", "enum": ["proposals", "supports", "comments", "follows", "labs", "allowances",
                                       "certificates"]},
    "label": {"type": "string"}, "total": {"type": "integer"},
    "items": {"type": "array", "items": ACTIVITY_ROW, "description": f"the newest {CAPPED}"},
    "see_all": {"type": "string", "description": "the page listing every item"}}}}}}


@bp.route("/me/activity", methods=["GET"])
@token_required
@documented("The current user's activity: proposals, supports, comments, follows, labs, allowances and "
            "certificates, each with its total and newest items", tag="accounts",
            responses={200: ("Every section", ACTIVITY)})
def my_activity():
    return jsonify({"sections": [{
        "key": s.key, "label": str(s.label), "total": s.total, "see_all": s.see_all,
        "items": [{"title": r.title, "url": r.url, "when": iso(r.when) if r.when else None, "status": r.status,
                   "detail": str(r.detail)} for r in s.rows],
    } for s in activity(api_user().id)]})
