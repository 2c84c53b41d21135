"""Phone number verification by a one-time code (issue 19): an optional verified phone on the account,
account recovery by phone, and taking part without an account where a page allows it."""
from flask import Blueprint, Flask

bp = Blueprint("phones", __name__)


def register(app: Flask) -> None:
    from app.auth.export import register_export
    from app.phones import export

    register_export("phone", export.phone_section)
