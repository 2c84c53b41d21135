
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services
from app.auth.forms import (
    ChangePasswordForm,
    ConsentForm,
    DeactivateForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from app.auth.limits import post_credential_limits
from app.auth.models import ConsentItem
from app.core import page_number, utcnow
from app.extensions import db
from app.urls import safe_next_url
from app.web import run_service

OPTIONAL_CONSENT_FIELDS = {
    ConsentItem.NOTIFICATIONS: "consent_notifications",
    ConsentItem.LOCATION: "consent_location",
    ConsentItem.HEALTH: "consent_health",
}


@bp.route("/signup", methods=["GET", "POST"])
@post_credential_limits
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        consents = {ConsentItem.PRIVACY: form.consent_privacy.data}
        consents.update({item: form[name].data for item, name in OPTIONAL_CONSENT_FIELDS.items()})
        def sign_up():
            from app.phones.services import attach_verified_phone
            from app.phones.signup import signup_phone

            number = signup_phone(form.phone.data, form.phone_code.data)  # before any write
            user = services.register(
                email=form.email.data, password=form.password.data, display_name=form.display_name.data,
                district=form.district.data, birth_year=form.birth_year.data, consents=consents,
                guardian_name=form.guardian_name.data, guardian_consent=form.guardian_consent.data,
            )
            if user is not None:
                services.log_access(user, "signup", request.remote_addr, request.user_agent.string)
                if number:
                    attach_verified_phone(user, number)
            return user

        if run_service(sign_up, form=form):
            # The same answer whether or not the email already had an account (no enumeration).
            flash(_("Thank you. We have sent a message to your email address. Log in with your email and password."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/signup.html", form=form), (422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@post_credential_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        # A failed attempt is logged against the account it targeted, so its owner can see it.
        subject = user or services.find_user_by_email(form.email.data)
        services.log_access(subject, "login" if user else "login_failed", request.remote_addr,
                            request.user_agent.string)
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
        flash(_("The email or password is wrong."), "error")
    return render_template("auth/login.html", form=form), (422 if request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.log_access(current_user, "logout", request.remote_addr, request.user_agent.string)
        services.end_sessions(current_user)  # a copy of this session's cookies stops working too
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


def _account_page(profile_form: ProfileForm | None = None, status: int = 200):
    consents = services.current_consents(current_user)
    consent_form = ConsentForm(
        data={name: bool(consents.get(item) and consents[item].granted)
              for item, name in OPTIONAL_CONSENT_FIELDS.items()}
    )
    profile_form = profile_form or ProfileForm(obj=current_user, formdata=None)
    return render_template(
        "auth/account.html", consents=consents, consent_form=consent_form, profile_form=profile_form,
        password_form=ChangePasswordForm(), deactivate_form=DeactivateForm(),
        needs_guardian=services.needs_guardian(current_user.birth_year),
    ), status


@bp.route("/account")
@login_required
def account():
    return _account_page()


@bp.route("/account/profile", methods=["POST"])
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        if run_service(lambda: services.update_profile(
                current_user, display_name=form.display_name.data, district=form.district.data,
                birth_year=form.birth_year.data, guardian_name=form.guardian_name.data,
                guardian_consent=form.guardian_consent.data,
        ), _("Your details were saved."), form=form):
            return redirect(url_for("auth.account"))
    return _account_page(form, 422)


@bp.route("/account/access-log")
@login_required
def access_log():
    return render_template("auth/access_log.html", pagination=services.access_log_for(current_user, page_number()))


@bp.route("/account/export")
@login_required
def export_data():
    from app.privacy.export_zip import export_zip  # every domain's sections, as JSON and CSV in a zip

    filename = f"maeul-my-data-{utcnow():%Y%m%d}.zip"
    return Response(export_zip(current_user), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/account/consents", methods=["POST"])
@login_required
def update_consents():
    form = ConsentForm()
    if form.validate_on_submit():
        current = services.current_consents(current_user)
        for item, name in OPTIONAL_CONSENT_FIELDS.items():
            wanted = form[name].data
            if bool(current.get(item) and current[item].granted) != wanted:
                services.set_consent(current_user, item, wanted)
        db.session.commit()
        flash(_("Your consent choices were saved."), "success")
    return redirect(url_for("auth.account"))


def _keep_this_session(user) -> None:
    """After end_sessions: log this browser in again with the new session version (and a new
    remember-me cookie when it had one); every other session stays ended."""
    had_remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=had_remember_cookie)


@bp.route("/account/password", methods=["POST"])
@login_required
@post_credential_limits
def change_password():
    form = ChangePasswordForm(account=current_user)
    if form.validate_on_submit():
        def change_password():
            services.change_password(current_user, form.current_password.data, form.new_password.data)
            services.log_access(current_user, "password_changed", request.remote_addr, request.user_agent.string)

        if run_service(change_password, _("Your password was changed.")):
            _keep_this_session(current_user._get_current_object())
            return redirect(url_for("auth.account"))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/deactivate", methods=["POST"])
@login_required
@post_credential_limits
def deactivate():
    form = DeactivateForm()
    if form.validate_on_submit() and services.password_matches(current_user, form.password.data):
        user = current_user._get_current_object()
        services.deactivate(user, actor=user)
        db.session.commit()
        logout_user()
        flash(_("Your account was deactivated."), "info")
        return redirect(url_for("main.index"))
    flash(_("The account was not deactivated: check your password and tick the box."), "error")
    return redirect(url_for("auth.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@post_credential_limits
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # The same answer (and the same work) whether or not the account exists.
        flash(_("If an account uses this email, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    account = services.user_for_reset_token(token)
    if account is None:
        flash(_("This reset link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm(account=account)
    if form.validate_on_submit():
        user = services.reset_password(token, form.new_password.data)
        services.log_access(user, "password_reset", request.remote_addr, request.user_agent.string)
        db.session.commit()
        flash(_("Your password was changed. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
