"""/me/activity: everything a resident did in one place (proposals, supports, comments, follows, labs,
allowances, certificates), each section capped with a link to all of it; the API's /api/v1/me/activity."""
from flask import Blueprint, Flask

bp = Blueprint("activity", __name__)


def register(app: Flask) -> None:
    from app.activity import routes  # noqa: F401

    app.register_blueprint(bp)
