"""Residents' privacy pages: the policy, agreeing again, the complete export and deleting the account."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import ConsentItem
from app.auth.services import password_matches
from app.privacy import bp
from app.privacy.deletion import cancel_deletion, pending_request, request_deletion
from app.privacy.forms import AgreeForm, DeletionForm
from app.privacy.policy import agree_to_current, current_policy, policy_by_version, published_versions, reconsent_policy
from app.urls import safe_next_url
from app.web import run_service

# What Maeul collects, why, whether it is required and how long it is kept: the table of the policy.
# Retention comes from configuration so that the page always says what `flask privacy purge` does.
POLICY_ITEMS = [
    {"item": "account", "required": True, "retention": "deactivated_accounts"},
    {"item": "participation", "required": True, "retention": "deactivated_accounts"},
    {"item": "bank", "required": False, "retention": "deactivated_accounts"},
    {"item": "payments", "required": False, "retention": "payment_records"},
    {"item": "certificates", "required": False, "retention": "certificate_records"},
    {"item": ConsentItem.NOTIFICATIONS.value, "required": False, "retention": "notifications"},
    {"item": ConsentItem.LOCATION.value, "required": False, "retention": "deactivated_accounts"},
    {"item": ConsentItem.HEALTH.value, "required": False, "retention": "deactivated_accounts"},
    {"item": "intake", "required": True, "retention": "intake_unclaimed"},
    {"item": "guests", "required": True, "retention": "consultation_contacts"},
]


def policy_body(policy) -> str | None:
    if policy is None:
        return None
    if str(get_locale()) == "en" and policy.body_en:
        return policy.body_en
    return policy.body_ko


def _render_policy(policy, status: int = 200):
    return render_template(
        "privacy/policy.html", policy=policy, body=policy_body(policy), versions=published_versions(),
        items=POLICY_ITEMS, retention=current_app.config["PRIVACY_RETENTION_DAYS"],
        sign_in_days=current_app.config["ACCESS_LOG_RETENTION_DAYS"],
        builtin_version=current_app.config["PRIVACY_POLICY_VERSION"],
        officer=current_app.config["PRIVACY_OFFICER_NAME"], contact=current_app.config["PRIVACY_OFFICER_CONTACT"],
        cooling_off=current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"],
    ), status


@bp.route("/privacy")
def policy():
    return _render_policy(current_policy())


@bp.route("/privacy/versions/<version>")
def policy_version(version: str):
    if version == current_app.config["PRIVACY_POLICY_VERSION"]:
        return _render_policy(None)
    return _render_policy(policy_by_version(version) or abort(404))


@bp.route("/privacy/agree", methods=["GET", "POST"])
@login_required
def agree():
    target = reconsent_policy(current_user)
    next_url = safe_next_url(request.args.get("next")) or url_for("main.index")
    if target is None:
        session.pop("privacy_reconsent", None)
        return redirect(next_url)
    form = AgreeForm()
    if form.validate_on_submit():
        if run_service(lambda: agree_to_current(current_user), _("Thank you. Your agreement was recorded.")):
            session.pop("privacy_reconsent", None)
            return redirect(next_url)
    return render_template("privacy/agree.html", form=form, policy=target, body=policy_body(target),
                           deletion=pending_request(current_user)), (422 if form.errors else 200)


@bp.route("/account/delete")
@login_required
def deletion():
    return _deletion_page(DeletionForm(formdata=None))


def _deletion_page(form, status: int = 200):
    return render_template("privacy/deletion.html", form=form, pending=pending_request(current_user),
                           cooling_off=current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"],
                           retention=current_app.config["PRIVACY_RETENTION_DAYS"]), status


@bp.route("/account/delete", methods=["POST"], endpoint="request_deletion")
@login_required
def request_deletion_view():
    form = DeletionForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.password.data):
            form.password.errors.append(_("The password is wrong."))
        elif run_service(lambda: request_deletion(current_user, keep_content=form.content.data == "keep"),
                         _("Your request was recorded. You can cancel it until the date shown."), form=form):
            return redirect(url_for("privacy.deletion"))
    return _deletion_page(form, 422)


@bp.route("/account/delete/cancel", methods=["POST"], endpoint="cancel_deletion")
@login_required
def cancel_deletion_view():
    run_service(lambda: cancel_deletion(current_user), _("Your account will not be deleted."))
    return redirect(url_for("privacy.deletion"))

