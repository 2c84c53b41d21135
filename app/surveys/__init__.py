"""Surveys and quick polls (설문·간단 투표): question kinds, sections, respondent questions with consent, audiences,
one changeable answer per person, results as SVG charts with tables, cross-tabs, CSV without names."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

from app.surveys import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app import search
    from app.auth.export import register_export
    from app.privacy.deletion import register_erasure
    from app.surveys import erasure, export, opendata, services
    from app.web import register_nav

    app.register_blueprint(bp)
    register_nav(38, "surveys.index", _l("Surveys"))
    search.register_source(services.DOC_TYPE, services.search_documents, services.count_searchable)
    register_export("survey_responses", export.responses_section)
    opendata.register()
    register_erasure("surveys", erasure.erase_respondent)
