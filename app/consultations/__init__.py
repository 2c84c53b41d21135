"""Public consultations and hearings (의견수렴·공청회): documents, a deadline to the minute, opinions from
every channel, hearing seats with a waitlist, themes with the city's responses, published results."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.main.home import register_home_section
from app.notifications.kinds import register as register_notification_kind
from app.search import register_source
from app.web import register_nav

bp = Blueprint("consultations", __name__, url_prefix="/consultations", cli_group="consultations")

register_nav(35, "consultations.index", _l("Consultations"))
register_notification_kind("consultation_results", _l("The city answered the opinions on “%(title)s”."))
register_notification_kind("hearing_seat", _l("A seat at the hearing on “%(title)s” is now yours."))
register_notification_kind("hearing_reminder", _l(
    "Reminder: the hearing on “%(title)s” is tomorrow at %(time)s, %(place)s."))

from app.consultations import cli, export, queries, routes, services  # noqa: E402,F401

register_source(services.DOC_TYPE, services.search_documents, services.count_searchable)
register_home_section(queries.home_section)
