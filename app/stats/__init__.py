"""Public statistics and the staff dashboard (issue 18): participation, proposals, answers, policies,
labs and allowances as server-side SVG charts with their numbers, small groups suppressed."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("stats", __name__, url_prefix="/stats")


def register(app) -> None:
    from app.stats import routes  # noqa: F401
    from app.web import register_footer_link

    app.register_blueprint(bp)
    register_footer_link(20, "stats.index", _l("Statistics"))
