"""Living labs (issue 5): recruit a citizen group and run it through five stages."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("labs", __name__, url_prefix="/labs")

from app.labs import routes, routes_sessions, routes_workspace  # noqa: E402,F401


def register(app: Flask) -> None:
    from app import search as site_search
    from app.labs import home, search
    from app.main.home import register_home_section
    from app.notifications import kinds
    from app.web import register_nav

    app.register_blueprint(bp)
    from app.labs import export  # the data-export sections of this domain

    export.register()
    register_nav(30, "labs.index", _l("Living labs"))
    register_home_section(home.recruiting_section, order=10)
    site_search.register_source(search.DOC_TYPE, search.all_documents, search.count_labs)
    kinds.register("lab_application_received", _l("%(name)s applied to the living lab “%(lab)s”."))
    kinds.register("lab_application_accepted", _l("Welcome! You were accepted into the living lab “%(lab)s”."))
    kinds.register("lab_application_waitlisted",
                   _l("The living lab “%(lab)s” is full. You are on its waitlist and move up when a place frees."))
    kinds.register("lab_application_declined", _l("Your application to the living lab “%(lab)s” was declined."))
    kinds.register("lab_waitlist_moved_up",
                   _l("A place freed up: you are now a member of the living lab “%(lab)s”."))
    kinds.register("lab_stage_changed", _l("The living lab “%(lab)s” is now in stage %(number)s of 5."))
    kinds.register("lab_closed", _l("The living lab “%(lab)s” is closed. Thank you for taking part!"))
    kinds.register("lab_session_scheduled",
                   _l("A new session of the living lab “%(lab)s” was scheduled: %(title)s."))
