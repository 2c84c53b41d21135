"""In-app notifications; every domain declares its kinds with ``kinds.register`` in its own ``register(app)``."""
from flask import Blueprint, Flask

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from app.notifications import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    app.register_blueprint(bp)
