"""Notification channels and the verified phone in the API: the same services as the pages."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import api_user, require_api, token_required
from app.api.helpers import json_body, page_arg, paginated, per_page_arg
from app.api.spec import documented, query_param
from app.auth.models import ConsentItem
from app.auth.services import has_consent
from app.channels import delivery, preferences
from app.channels.models import Channel, Delivery, DeliveryStatus, Frequency
from app.core import ValidationFailed, iso
from app.extensions import db
from app.phones import services as phones
from app.phones.limits import phone_code_limited

FREQUENCIES = [f.value for f in Frequency]
PREFERENCES_SCHEMA = {"type": "object", "properties": {
    "consent": {"type": "boolean", "description": "false: nothing leaves the site whatever is chosen"},
    "phone": {"type": "string", "nullable": True, "description": "the verified number, masked"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string"}, "label": {"type": "string"},
        "email": {"type": "string", "enum": FREQUENCIES}, "text": {"type": "string", "enum": FREQUENCIES},
        "email_default": {"type": "boolean"}, "text_default": {"type": "boolean"}}}}}}


def preferences_json(user) -> dict:
    items: dict[str, dict] = {}
    for choice in preferences.choices_for(user):
        row = items.setdefault(choice.kind, {"kind": choice.kind, "label": preferences.kind_label(choice.kind)})
        row[choice.channel.value] = choice.frequency.value
        row[f"{choice.channel.value}_default"] = choice.is_default
    return {"consent": has_consent(user, ConsentItem.NOTIFICATIONS), "phone": phones.masked_phone(user),
            "items": list(items.values())}


@bp.route("/me/notification-preferences", methods=["GET"])
@token_required
@documented("Which notification kinds also come by mail or text message, and how often", tag="notifications",
            responses={200: ("Every kind with its frequency per channel", PREFERENCES_SCHEMA)})
def my_notification_preferences():
    return jsonify(preferences_json(api_user()))


@bp.route("/me/notification-preferences", methods=["PUT"])
@token_required
@documented("Change some choices: {\"items\": [{\"kind\": ..., \"email\": \"daily\", \"text\": \"off\"}]}; "
            "kinds and channels left out keep their choice", tag="notifications",
            body={"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
                "type": "object", "required": ["kind"], "properties": {
                    "kind": {"type": "string"}, "email": {"type": "string", "enum": FREQUENCIES},
                    "text": {"type": "string", "enum": FREQUENCIES}}}}}},
            responses={200: ("The choices after the change", PREFERENCES_SCHEMA), 422: ("Invalid input", None)})
def set_my_notification_preferences():
    payload = json_body()
    items = payload.get("items")
    if not isinstance(items, list):
        raise ValidationFailed({"items": [_l("Send a list of kinds with their choices.")]})
    wanted: dict[tuple[str, str], str] = {}
    for number, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
            raise ValidationFailed({f"items.{number}": [_l("Send a list of kinds with their choices.")]})
        for channel in Channel:
            if channel.value in item:
                value = item[channel.value]
                wanted[(item["kind"], channel.value)] = value if isinstance(value, str) else ""
    preferences.set_preferences(api_user(), wanted)
    db.session.commit()
    return jsonify(preferences_json(api_user()))


def phone_json(user) -> dict:
    row = phones.user_phone(user)
    return {"phone": phones.masked_phone(user), "verified_at": iso(row.verified_at) if row else None}


PHONE_SCHEMA = {"type": "object", "properties": {"phone": {"type": "string", "nullable": True},
                                                 "verified_at": {"type": "string", "nullable": True}}}


def _text(payload: dict, name: str, message) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({name: [message]})
    return value


@bp.route("/me/phone", methods=["GET"])
@token_required
@documented("The account's verified phone number (masked)", tag="accounts",
            responses={200: ("The phone", PHONE_SCHEMA)})
def my_phone():
    return jsonify(phone_json(api_user()))


@bp.route("/me/phone/code", methods=["POST"])
@token_required
@phone_code_limited
@documented("Text a 6-digit code to a number, to verify it as the account's phone", tag="accounts",
            body={"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
            responses={202: ("Sent", None), 422: ("Not a mobile number", None), 429: ("Too many codes", None),
                       503: ("Text messages cannot be sent now", None)})
def send_my_phone_code():
    phone = _text(json_body(), "phone", _l("Enter your mobile phone number."))
    phones.request_code(phone, "account", ip=request.remote_addr)
    db.session.commit()
    return jsonify({"status": "sent"}), 202


@bp.route("/me/phone", methods=["PUT"])
@token_required
@phone_code_limited
@documented("Verify the code and make the number the account's phone", tag="accounts",
            body={"type": "object", "required": ["phone", "code"], "properties": {
                "phone": {"type": "string"}, "code": {"type": "string"}}},
            responses={200: ("Verified", PHONE_SCHEMA), 409: ("Another account has this number", None),
                       422: ("Wrong or expired code", None), 429: ("Out of tries", None)})
def verify_my_phone():
    payload = json_body()
    phone = _text(payload, "phone", _l("Enter your mobile phone number."))
    code = _text(payload, "code", _l("Enter the 6-digit code from the text message."))
    phones.set_user_phone(api_user(), phone, code)
    db.session.commit()
    return jsonify(phone_json(api_user()))


@bp.route("/me/phone", methods=["DELETE"])
@token_required
@documented("Remove the account's phone number", tag="accounts", responses={204: ("Removed", None)})
def remove_my_phone():
    if not phones.remove_user_phone(api_user()):
        abort(404)
    db.session.commit()
    return "", 204


@bp.route("/signup/phone-code", methods=["POST"])
@phone_code_limited
@documented("Text a code to verify the optional phone of a sign-up (then POST /api/v1/users with phone and "
            "phone_code)", tag="accounts", auth=False,
            body={"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
            responses={202: ("Sent", None), 422: ("Not a mobile number", None), 429: ("Too many codes", None)})
def send_signup_code():
    from app.phones.signup import SIGNUP

    phone = _text(json_body(), "phone", _l("Enter your mobile phone number."))
    phones.request_code(phone, SIGNUP, ip=request.remote_addr)
    db.session.commit()
    return jsonify({"status": "sent"}), 202


@bp.route("/phone-recovery/code", methods=["POST"])
@phone_code_limited
@documented("Text a recovery code when an account has this verified number (the same answer either way)",
            tag="accounts", auth=False,
            body={"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
            responses={202: ("Accepted whether or not an account has the number", None), 429: ("Too many", None)})
def send_recovery_code():
    phone = _text(json_body(), "phone", _l("Enter your mobile phone number."))
    phones.request_recovery_code(phone, ip=request.remote_addr)
    db.session.commit()
    return jsonify({"status": "accepted"}), 202


@bp.route("/phone-recovery", methods=["POST"])
@phone_code_limited
@documented("Use the recovery code: answers a password-reset token for POST /api/v1/password-resets/{token}",
            tag="accounts", auth=False,
            body={"type": "object", "required": ["phone", "code"], "properties": {
                "phone": {"type": "string"}, "code": {"type": "string"}}},
            responses={200: ("A reset token", {"type": "object", "properties": {"reset_token": {"type": "string"}}}),
                       422: ("Wrong or expired code", None), 429: ("Out of tries", None)})
def use_recovery_code():
    payload = json_body()
    phone = _text(payload, "phone", _l("Enter your mobile phone number."))
    code = _text(payload, "code", _l("Enter the 6-digit code from the text message."))
    token = phones.recover_with_phone(phone, code)
    db.session.commit()
    return jsonify({"reset_token": token})


def delivery_json(row: Delivery) -> dict:
    return {"id": row.id, "user_id": row.user_id, "channel": row.channel, "kind": row.kind, "status": row.status,
            "attempts": row.attempts, "last_error": row.last_error, "created_at": iso(row.created_at),
            "next_attempt_at": iso(row.next_attempt_at), "sent_at": iso(row.sent_at)}


def _staff(user) -> bool:
    return user.is_staff


@bp.route("/staff/deliveries", methods=["GET"])
@documented("Staff: mails and texts that failed, were refused or wait for a retry", tag="notifications",
            query=[query_param("status", enum=[s.value for s in DeliveryStatus]), query_param("page", "integer")])
def staff_deliveries():
    require_api(_staff)
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in DeliveryStatus}:
        raise ValidationFailed({"status": [_l("There is no such status.")]})
    return jsonify(paginated(delivery.failed_deliveries(page_arg(), per_page_arg(30), status=status), delivery_json))


@bp.route("/staff/deliveries/<int:delivery_id>/retry", methods=["POST"])
@documented("Staff: send a failed or refused message again now", tag="notifications",
            responses={200: ("Tried", None), 404: ("No such message", None), 409: ("Not failed", None)})
def staff_retry_delivery(delivery_id: int):
    actor = require_api(_staff)
    row = db.session.get(Delivery, delivery_id) or abort(404)
    delivery.send_again(row, actor)
    db.session.commit()
    return jsonify(delivery_json(row))
