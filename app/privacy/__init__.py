"""Residents' privacy rights (issue 18): the versioned privacy policy, the complete export, deletion
with a cooling-off period, retention and purge, the staff access log and breach records."""
from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user, user_loaded_from_cookie, user_logged_in

bp = Blueprint("privacy", __name__)

# Pages a resident who must agree to a new policy version may still open.
RECONSENT_ALLOWED = {"privacy.policy", "privacy.policy_version", "privacy.agree", "privacy.deletion",
                     "privacy.request_deletion", "privacy.cancel_deletion", "auth.logout", "static",
                     "main.set_language"}


def _after_login(sender, user, **extra):
    from app.privacy.policy import reconsent_policy

    if reconsent_policy(user) is not None:
        session["privacy_reconsent"] = True


@bp.before_app_request
def _ask_again_for_a_changed_policy():
    """After a log-in, a resident whose agreement predates a changed required item agrees again first."""
    if not session.get("privacy_reconsent") or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        session.pop("privacy_reconsent", None)
        return None
    if request.endpoint in RECONSENT_ALLOWED:
        return None
    return redirect(url_for("privacy.agree", next=request.full_path if request.query_string else request.path))


def register(app) -> None:
    """Blueprint, log-in hook, CLI and export section of the privacy domain."""
    from app.privacy import cli, export, routes, routes_admin  # noqa: F401

    app.register_blueprint(bp)
    user_logged_in.connect(_after_login, app)
    user_loaded_from_cookie.connect(_after_login, app)  # a "keep me logged in" return is a new log-in too
    app.cli.add_command(cli.privacy_cli)
    export.register()
