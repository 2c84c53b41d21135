"""Notification channels (issue 19): every kind of notification can also go out by mail and by text message
(SMS or KakaoTalk 알림톡), at once or as a daily or weekly digest, as each resident chooses."""
from flask import Blueprint, Flask

bp = Blueprint("channels", __name__)


def register(app: Flask) -> None:
    from app.auth.export import register_export
    from app.channels import cli, export, routes  # noqa: F401
    from app.extensions import csrf

    app.register_blueprint(bp)
    # RFC 8058: a mail program's one-click unsubscribe is a plain POST without our CSRF token; the signed
    # token in the URL is what authorises it.
    csrf.exempt("app.channels.routes.unsubscribe")
    app.cli.add_command(cli.notifications_cli)
    register_export("notification_preferences", export.preferences_section)
    register_export("notification_deliveries", export.deliveries_section)
