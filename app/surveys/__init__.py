"""Surveys and quick polls (설문·간단 투표): question kinds, sections, respondent questions with consent, audiences,
one changeable answer per person, results as SVG charts with tables, cross-tabs, CSV without names."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.search import register_source
from app.web import register_nav

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

register_nav(36, "surveys.index", _l("Surveys"))

from app.surveys import export, routes, services  # noqa: E402,F401

register_source(services.DOC_TYPE, services.search_documents, services.count_searchable)
