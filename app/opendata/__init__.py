"""Open data (공공데이터 개방, issue 18): public downloads of proposals, comments, answers, policies
and labs without personal data, refreshed by `flask opendata export`."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("opendata", __name__, url_prefix="/opendata")


def register(app) -> None:
    from app.opendata import cli, datasets, routes  # noqa: F401
    from app.web import register_footer_link

    app.register_blueprint(bp)
    app.cli.add_command(cli.opendata_cli)
    register_footer_link(10, "opendata.index", _l("Open data"))
    datasets.register()
