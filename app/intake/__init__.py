"""Taking part on someone's behalf: community-centre staff enter what residents gave by phone, on paper
or in person; the resident claims it later with their verified phone number."""
from flask import Blueprint, Flask

bp = Blueprint("intake", __name__, url_prefix="/intake")

from app.intake import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.intake import export
    from app.intake.permissions import can_use_intake

    app.register_blueprint(bp)
    export.register()
    app.add_template_global(can_use_intake, "can_use_intake")  # the menu entry for community-centre staff
