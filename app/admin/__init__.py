"""Account and role administration, and the audit log pages."""
from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    app.register_blueprint(bp)
