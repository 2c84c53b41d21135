"""The policy advisory committee (정책자문위원회), run by the ordinance's articles 12-16 and 18 (issue 16)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.notifications.kinds import register as register_notification_kind
from app.web import register_nav

bp = Blueprint("committees", __name__, url_prefix="/committees")

register_nav(45, "committees.index", _l("Advisory committee"))
register_notification_kind("committee_request_due", _l(
    "%(signatures)s of %(enrolled)s members of %(committee)s asked for a meeting: please call it."))
register_notification_kind("committee_meeting_called", _l("%(committee)s meets: “%(title)s”."))
register_notification_kind("committee_meeting_cancelled", _l("The meeting “%(title)s” was cancelled: %(reason)s"))

from app.committees import cli, export, routes  # noqa: E402,F401
