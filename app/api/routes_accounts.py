from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import api_user, token_required
from app.api.helpers import json_body, json_ints, page_arg, paginated, per_page_arg, validate
from app.api.spec import documented, query_param
from app.auth import services
from app.auth.forms import ChangePasswordForm, ForgotPasswordForm, ProfileForm, ResetPasswordForm, SignupForm
from app.auth.limits import credential_limits
from app.auth.models import ConsentItem
from app.core import DomainError, ValidationFailed, iso
from app.extensions import db
from app.notifications import services as notification_services
from app.notifications.kinds import render


def user_json(user) -> dict:
    return {
        "id": user.id,
        "display_name": user.display_name,
        "roles": sorted(role.value for role in user.roles),
        "locale": user.locale or "ko",
        "text_size": user.text_size or "normal",
        "district": user.district,
        "is_city_employee": user.is_city_employee,
    }


CREDENTIALS = {"type": "object", "required": ["email", "password"],
               "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}


@bp.route("/tokens", methods=["POST"])
@credential_limits
@documented("Exchange email and password for a bearer token", tag="accounts", auth=False, body=CREDENTIALS,
            responses={201: ("Token created", {"type": "object", "properties": {"token": {"type": "string"}}}),
                       401: ("Wrong credentials", None)})
def create_token():
    payload = json_body()
    email, password = payload.get("email"), payload.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise ValidationFailed({"email": [_l("Send email and password as text.")]})
    user = services.authenticate(email, password)
    subject = user or services.find_user_by_email(email)
    services.log_access(subject, "api_token" if user else "api_token_failed", request.remote_addr,
                        request.user_agent.string)
    if user is None:
        db.session.commit()
        return jsonify({"error": {"code": 401, "message": _("The email or password is wrong.")}}), 401
    token = services.issue_api_token(user)
    db.session.commit()
    return jsonify({"token": token}), 201


@bp.route("/tokens/current", methods=["DELETE"])
@token_required
@documented("Revoke the token used for this request", tag="accounts", responses={204: ("Revoked", None)})
def revoke_token():
    services.revoke_token(g.api_token)
    db.session.commit()
    return "", 204


@bp.route("/me", methods=["GET"])
@token_required
@documented("The current user", tag="accounts")
def me():
    return jsonify(user_json(api_user()))


PROFILE = {
    "type": "object",
    "properties": {
        "locale": {"type": "string", "enum": ["ko", "en"]},
        "text_size": {"type": "string", "enum": ["normal", "large", "xlarge"],
                      "description": "The size of text on the pages, remembered on the account"},
        "display_name": {"type": "string", "minLength": 2, "maxLength": 30},
        "district": {"type": "string", "description": "A district code from GET /api/v1/districts"},
        "birth_year": {"type": "integer"},
        "guardian_name": {"type": "string", "description": "Needed when the birth year makes the resident under 14"},
        "guardian_consent": {"type": "boolean"},
    },
}


@bp.route("/me", methods=["PATCH"])
@token_required
@documented("Correct the current user's details or change their language or text size (send only what changes)",
            tag="accounts", body=PROFILE)
def update_me():
    user = api_user()
    payload = json_body()
    current = {"display_name": user.display_name, "district": user.district, "birth_year": user.birth_year}
    form = validate(ProfileForm, {**current, **payload}, ignore=("locale", "text_size"))
    if "locale" in payload:
        if not isinstance(payload["locale"], str):
            raise ValidationFailed({"locale": [_l("Unknown language.")]})
        services.set_locale(user, payload["locale"])
    if "text_size" in payload:
        if not isinstance(payload["text_size"], str):
            raise ValidationFailed({"text_size": [_l("Unknown text size.")]})
        services.set_text_size(user, payload["text_size"])
    services.update_profile(user, display_name=form.display_name.data, district=form.district.data,
                            birth_year=form.birth_year.data, guardian_name=form.guardian_name.data,
                            guardian_consent=form.guardian_consent.data)
    db.session.commit()
    return jsonify(user_json(user))


@bp.route("/me/access-log", methods=["GET"])
@token_required
@documented("When and from where the current account was used, newest first", tag="accounts",
            query=[query_param("page", "integer"), query_param("per_page", "integer")])
def my_access_log():
    pagination = services.access_log_for(api_user(), page_arg(), per_page_arg())
    return jsonify(paginated(pagination, lambda row: {
        "event": row.event, "ip_address": row.ip_address, "user_agent": row.user_agent, "at": iso(row.created_at),
    }))


@bp.route("/me", methods=["DELETE"])
@token_required
@credential_limits
@documented("Deactivate the current account (password required)", tag="accounts",
            body={"type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}},
            responses={204: ("Deactivated", None)})
def deactivate_me():
    user = api_user()
    if not services.password_matches(user, str(json_body().get("password", ""))):
        raise ValidationFailed({"password": [_l("The password is wrong.")]})
    services.deactivate(user, actor=user)
    db.session.commit()
    return "", 204


ACCEPTED = {"type": "object", "required": ["status"],
            "properties": {"status": {"type": "string", "enum": ["accepted"]}}}

SIGNUP = {
    "type": "object",
    "required": ["email", "password", "display_name", "district", "birth_year", "consent_privacy"],
    "properties": {
        "email": {"type": "string"}, "password": {"type": "string"}, "display_name": {"type": "string"},
        "district": {"type": "string"}, "birth_year": {"type": "integer"},
        "consent_privacy": {"type": "boolean"}, "consent_notifications": {"type": "boolean"},
        "consent_location": {"type": "boolean"}, "consent_health": {"type": "boolean"},
        "guardian_name": {"type": "string"}, "guardian_consent": {"type": "boolean"},
        "phone": {"type": "string", "description": "optional; its code comes from POST /api/v1/signup/phone-code"},
        "phone_code": {"type": "string"},
    },
}


@bp.route("/users", methods=["POST"])
@credential_limits
@documented("Sign up. The answer is the same whether or not the email already has an account: a new "
            "account gets a welcome mail, an existing account's owner a mail saying someone tried.", tag="accounts",
            auth=False, body=SIGNUP, responses={202: ("Accepted: log in with the email and password", ACCEPTED)})
def sign_up():
    from app.phones.services import attach_verified_phone
    from app.phones.signup import signup_phone

    form = validate(SignupForm, json_body())
    number = signup_phone(form.phone.data, form.phone_code.data)  # before any write
    user = services.register(
        email=form.email.data, password=form.password.data, display_name=form.display_name.data,
        district=form.district.data, birth_year=form.birth_year.data,
        consents={
            ConsentItem.PRIVACY: form.consent_privacy.data,
            ConsentItem.NOTIFICATIONS: form.consent_notifications.data,
            ConsentItem.LOCATION: form.consent_location.data,
            ConsentItem.HEALTH: form.consent_health.data,
        },
        guardian_name=form.guardian_name.data, guardian_consent=form.guardian_consent.data,
    )
    if user is not None:
        services.log_access(user, "signup", request.remote_addr, request.user_agent.string)
        if number:
            attach_verified_phone(user, number)
    db.session.commit()
    return jsonify({"status": "accepted"}), 202


def consents_json(user) -> dict:
    current = services.current_consents(user)
    return {"items": [
        {"item": item.value, "required": item.required, "granted": row.granted,
         "policy_version": row.policy_version, "decided_at": iso(row.created_at)}
        for item, row in sorted(current.items(), key=lambda pair: pair[0].value)
    ]}


@bp.route("/me/consents", methods=["GET"])
@token_required
@documented("The current user's consent decisions", tag="accounts")
def my_consents():
    return jsonify(consents_json(api_user()))


@bp.route("/me/consents/<item>", methods=["PUT"])
@token_required
@documented("Give or withdraw an optional consent", tag="accounts",
            body={"type": "object", "required": ["granted"], "properties": {"granted": {"type": "boolean"}}})
def set_my_consent(item: str):
    try:
        consent_item = ConsentItem(item)
    except ValueError:
        abort(404)
    granted = json_body().get("granted")
    if not isinstance(granted, bool):
        raise ValidationFailed({"granted": [_l("Send true or false.")]})
    services.set_consent(api_user(), consent_item, granted)
    db.session.commit()
    return jsonify(consents_json(api_user()))


@bp.route("/me/password", methods=["POST"])
@token_required
@credential_limits
@documented("Change the password (revokes every token and ends every browser session)", tag="accounts",
            body={"type": "object", "properties": {"current_password": {"type": "string"},
                                                   "new_password": {"type": "string"}, "confirm": {"type": "string"}}},
            responses={204: ("Changed", None)})
def change_password():
    form = validate(ChangePasswordForm, json_body(), account=api_user())
    try:
        services.change_password(api_user(), form.current_password.data, form.new_password.data)
    except DomainError as error:
        raise ValidationFailed({error.field: [error.message]}) from error
    db.session.commit()
    return "", 204


@bp.route("/password-resets", methods=["POST"])
@credential_limits
@documented("Email a password-reset link", tag="accounts", auth=False,
            body={"type": "object", "properties": {"email": {"type": "string"}}},
            responses={202: ("Accepted whether or not the account exists", ACCEPTED)})
def request_password_reset():
    form = validate(ForgotPasswordForm, json_body())
    services.request_password_reset(form.email.data)
    db.session.commit()
    return jsonify({"status": "accepted"}), 202


@bp.route("/password-resets/<token>", methods=["POST"])
@documented("Choose a new password with a reset token", tag="accounts", auth=False,
            body={"type": "object", "properties": {"new_password": {"type": "string"}, "confirm": {"type": "string"}}},
            responses={204: ("Changed", None), 400: ("Invalid or expired token", None)})
def reset_password(token: str):
    form = validate(ResetPasswordForm, json_body(), account=services.user_for_reset_token(token))
    services.reset_password(token, form.new_password.data)
    db.session.commit()
    return "", 204


def notification_json(notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "message": render(notification.kind, notification.params),
        "url": notification.url,
        "read": notification.read_at is not None,
        "created_at": iso(notification.created_at),
    }


@bp.route("/me/notifications", methods=["GET"])
@token_required
@documented("The current user's notifications, newest first", tag="notifications")
def my_notifications():
    user = api_user()
    pagination = notification_services.notifications_for(user.id, page_arg(), per_page_arg())
    body = paginated(pagination, notification_json)
    body["unread"] = notification_services.unread_count(user.id)
    return jsonify(body)


@bp.route("/me/notifications/read", methods=["POST"])
@token_required
@documented("Mark notifications read: the given ids, or all", tag="notifications",
            body={"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "integer"}}}})
def read_notifications():
    payload = json_body() if request.get_data() else {}
    ids = json_ints(payload, "ids", _l("Send a list of notification ids."))
    user = api_user()
    notification_services.mark_read(user.id, ids)
    db.session.commit()
    return jsonify({"unread": notification_services.unread_count(user.id)})
