"""Accounts, roles, consents, API tokens, the access log and the residents' data export."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("auth", __name__)

from app.auth import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.auth import export
    from app.auth.cli import users_cli
    from app.auth.labels import role_params
    from app.notifications import kinds

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    # The role is stored as its code and translated when the notification is read.
    kinds.register("role_granted", _l("You were given the role: %(role)s."), params=role_params)
    kinds.register("role_revoked", _l("Your role was removed: %(role)s."), params=role_params)
    export.register_export("account", export.account_section)
    export.register_export("consents", export.consents_section)
    export.register_export("access_log", export.access_log_section)
    export.register_export("api_tokens", export.api_tokens_section)
    export.register_export("notifications", export.notifications_section)
    export.register_export("audited_actions", export.actions_section)
