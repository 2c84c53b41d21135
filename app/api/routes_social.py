"""``/me/logins``: the ways the account logs in. Linking needs the provider's pages in a browser
(``/account/logins``); unlinking works here too, with the same rule: one way to log in always remains."""
from flask import abort, jsonify

from app.api import bp
from app.api.auth import api_user, token_required
from app.api.spec import documented
from app.auth.services import has_password
from app.core import iso
from app.extensions import db
from app.social import providers, services

LOGINS = {"type": "object", "properties": {
    "password": {"type": "boolean"},
    "available": {"type": "array", "items": {"type": "string"}},
    "linked": {"type": "array", "items": {"type": "object", "properties": {
        "provider": {"type": "string"}, "linked_at": {"type": "string"},
        "last_login_at": {"type": "string", "nullable": True}}}}}}


def _logins(user) -> dict:
    return {"password": has_password(user), "available": providers.enabled_providers(),
            "linked": [{"provider": row.provider, "linked_at": iso(row.created_at),
                        "last_login_at": iso(row.last_login_at)} for row in services.logins_of(user)]}


@bp.route("/me/logins", methods=["GET"])
@token_required
@documented("How my account logs in: password and linked Kakao/Naver logins", tag="accounts",
            responses={200: ("Logins", LOGINS)})
def my_logins():
    return jsonify(_logins(api_user()))


@bp.route("/me/logins/<provider>", methods=["DELETE"])
@token_required
@documented("Unlink Kakao or Naver (refused when it is the only way to log in)", tag="accounts",
            responses={200: ("Unlinked", LOGINS), 404: ("Not linked", None), 409: ("The only way to log in", None)})
def unlink_login(provider: str):
    if provider not in providers.PROVIDERS:
        abort(404)
    services.unlink(api_user(), provider)
    db.session.commit()
    return jsonify(_logins(api_user()))
