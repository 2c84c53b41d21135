"""Pages of the Kakao and Naver logins. The flow's state and nonce live in the signed session cookie
until the provider sends the browser back; the callback takes them out once (a replayed callback
finds nothing)."""
from __future__ import annotations

import hmac
import secrets
import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from app.auth import services as auth_services
from app.auth.limits import login_limit
from app.auth.models import ConsentItem
from app.core import DomainError
from app.extensions import db, limiter
from app.social import bp, providers, services
from app.social.forms import SocialSignupForm
from app.urls import public_url
from app.web import run_service

FLOW = "social_flow"
PENDING = "social_pending"
OPTIONAL_CONSENTS = {ConsentItem.NOTIFICATIONS: "consent_notifications", ConsentItem.LOCATION: "consent_location",
                     ConsentItem.HEALTH: "consent_health"}
STATE_MISMATCH = _l("The login could not be checked (it did not start here, or it was already used). Start again.")
EXPIRED = _l("The login took too long. Start again.")


def _enabled_or_404(provider: str) -> None:
    if not providers.is_enabled(provider):
        abort(404)


def _start(provider: str, purpose: str):
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    session[FLOW] = {"provider": provider, "state": state, "nonce": nonce, "purpose": purpose,
                     "user_id": current_user.id if current_user.is_authenticated else None, "at": int(time.time())}
    return redirect(providers.authorization_url(
        provider, redirect_uri=public_url("social.callback", provider=provider), state=state, nonce=nonce))


@bp.route("/login/<provider>")
def start_login(provider: str):
    _enabled_or_404(provider)
    if current_user.is_authenticated:
        return redirect(url_for("social.logins"))
    return _start(provider, "login")


@bp.route("/account/logins/<provider>/link", methods=["POST"])
@login_required
def start_link(provider: str):
    _enabled_or_404(provider)
    return _start(provider, "link")


def _failed(message, status: int, provider: str, reason: str):
    auth_services.log_access(None, "login_social_failed", request.remote_addr, request.user_agent.string)
    db.session.commit()
    current_app.logger.info("social login failed: %s %s", provider, reason)
    return render_template("social/failed.html", message=message, provider=provider), status


@bp.route("/login/<provider>/callback")
@limiter.limit(login_limit)
def callback(provider: str):
    _enabled_or_404(provider)
    flow = session.pop(FLOW, None)
    state = request.args.get("state", "")
    if (not isinstance(flow, dict) or flow.get("provider") != provider
            or not hmac.compare_digest(str(flow.get("state", "")), state)):
        return _failed(STATE_MISMATCH, 400, provider, "state")
    if time.time() - int(flow.get("at", 0)) > current_app.config["SOCIAL_LOGIN_MAX_AGE"]:
        return _failed(EXPIRED, 400, provider, "expired")
    if request.args.get("error"):
        # access_denied: the person pressed "cancel" on the provider's consent screen.
        flash(_("You cancelled the login with %(provider)s. Nothing was shared with Maeul.",
                provider=providers.label(provider)), "info")
        return redirect(url_for("social.logins") if flow["purpose"] == "link" else url_for("auth.login"))
    code = request.args.get("code", "")
    if not code or len(code) > 512:
        return _failed(STATE_MISMATCH, 400, provider, "code")
    try:
        identity = providers.identify(provider, code=code, state=state, nonce=flow["nonce"],
                                      redirect_uri=public_url("social.callback", provider=provider))
    except providers.ProviderError as error:
        return _failed(error.message, 502 if error.reason == "down" else 400, provider, error.reason)
    if flow["purpose"] == "link":
        if not current_user.is_authenticated or current_user.id != flow.get("user_id"):
            return _failed(STATE_MISMATCH, 400, provider, "user")
        run_service(lambda: services.link(current_user, identity),
                    _("%(provider)s is linked: you can now log in with it.", provider=providers.label(provider)))
        return redirect(url_for("social.logins"))
    try:
        user = services.user_for_identity(identity)
    except DomainError as error:
        return _failed(error.message, error.status, provider, "inactive")
    if user is not None:
        auth_services.log_access(user, f"login_{provider}", request.remote_addr, request.user_agent.string)
        db.session.commit()
        login_user(user)
        flash(_("You are logged in."), "success")
        return redirect(url_for("main.index"))
    session[PENDING] = {"provider": identity.provider, "subject": identity.subject, "email": identity.email,
                        "name": identity.name, "birth_year": identity.birth_year, "at": int(time.time())}
    return redirect(url_for("social.complete"))


def _pending() -> providers.Identity | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > 3600:
        return None
    return providers.Identity(provider=pending["provider"], subject=pending["subject"], email=pending.get("email"),
                              name=pending.get("name"), birth_year=pending.get("birth_year"))


@bp.route("/login/social/complete", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def complete():
    if current_user.is_authenticated:
        return redirect(url_for("social.logins"))
    identity = _pending()
    if identity is None:
        flash(_("Start the login with Kakao or Naver again."), "info")
        return redirect(url_for("auth.login"))
    form = SocialSignupForm(data={"email": identity.email, "display_name": identity.name,
                                  "birth_year": identity.birth_year} if request.method == "GET" else None)
    if form.validate_on_submit():
        consents = {ConsentItem.PRIVACY: form.consent_privacy.data}
        consents.update({item: form[name].data for item, name in OPTIONAL_CONSENTS.items()})

        def sign_up():
            user = services.sign_up_with(
                identity, email=form.email.data, display_name=form.display_name.data, district=form.district.data,
                birth_year=form.birth_year.data, consents=consents, guardian_name=form.guardian_name.data,
                guardian_consent=form.guardian_consent.data)
            auth_services.log_access(user, f"signup_{identity.provider}", request.remote_addr,
                                     request.user_agent.string)
            return user

        outcome = run_service(sign_up, _("Welcome to Maeul. Your account is ready."), form=form)
        if outcome:
            session.pop(PENDING, None)
            login_user(outcome.value)
            return redirect(url_for("main.index"))
    return render_template("social/complete.html", form=form, provider=identity.provider), (422 if form.errors else 200)


@bp.route("/account/logins")
@login_required
def logins():
    linked = {row.provider: row for row in services.logins_of(current_user)}
    return render_template("social/logins.html", linked=linked, providers=providers.PROVIDERS,
                           enabled=providers.enabled_providers(), has_password=auth_services.has_password(current_user))


@bp.route("/account/logins/<provider>/unlink", methods=["POST"])
@login_required
def unlink(provider: str):
    if provider not in providers.PROVIDERS:
        abort(404)
    run_service(lambda: services.unlink(current_user, provider),
                _("%(provider)s is no longer linked.", provider=providers.label(provider)))
    return redirect(url_for("social.logins"))
