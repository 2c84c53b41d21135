from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.main.home import register_home_section
from app.notifications.kinds import register as register_notification_kind
from app.search import register_source
from app.web import register_nav

bp = Blueprint("policies", __name__, url_prefix="/policies")

register_nav(30, "policies.index", _l("Policy progress"))
register_notification_kind("policy_update", _l("New progress on the policy “%(title)s”."))

from app.policies import comments, routes, services  # noqa: E402

register_source("policy", services.search_documents, services.count_policies)
comments.register()

from app.policies import export  # noqa: E402

export.register()
register_home_section(services.home_section)
