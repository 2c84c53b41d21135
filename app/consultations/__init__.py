"""Public consultations and hearings (의견수렴·공청회): documents, a deadline to the minute, opinions from
every channel, hearing seats with a waitlist, themes with the city's responses, published results."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("consultations", __name__, url_prefix="/consultations")

from app.consultations import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app import search
    from app.auth.export import register_export
    from app.consultations import erasure, export, opendata, queries, services
    from app.privacy.deletion import register_erasure
    from app.consultations.cli import consultations_cli
    from app.main.home import register_home_section
    from app.notifications import kinds
    from app.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(consultations_cli)
    register_nav(37, "consultations.index", _l("Consultations"))
    register_home_section(queries.home_section, order=15)
    kinds.register("consultation_results", _l("The city answered the opinions on “%(title)s”."))
    kinds.register("hearing_seat", _l("A seat at the hearing on “%(title)s” is now yours."))
    kinds.register("hearing_reminder", _l("Reminder: the hearing on “%(title)s” is tomorrow at %(time)s, %(place)s."))
    search.register_source(services.DOC_TYPE, services.search_documents, services.count_searchable)
    register_export("consultation_opinions", export.opinions_section)
    register_export("hearing_registrations", export.registrations_section)
    opendata.register()
    register_erasure("consultations", erasure.erase_participant)
