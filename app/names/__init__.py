"""English forms of names staff type in Korean (departments in charge), shown on the English site.

Staff write a department's name freely on policies, consultations and official answers; one English form
per Korean name, kept here, serves all three. Without one the English site shows the Korean name, marked
lang="ko". Fixed lists (banks) are translated in the message catalogues instead (app/names/banks.py)."""
from flask import Blueprint, Flask

bp = Blueprint("names", __name__, url_prefix="/staff/department-names")

from app.names import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.names.display import department_name

    app.register_blueprint(bp)
    app.add_template_filter(department_name, "department")
