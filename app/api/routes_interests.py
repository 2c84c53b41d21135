"""``/me/interests``: what the resident follows (fields, topics, districts)."""
from flask import jsonify

from app.api import bp
from app.api.auth import api_user, token_required
from app.api.helpers import json_body, validate
from app.api.spec import documented
from app.extensions import db
from app.interests import queries, services
from app.interests.forms import InterestForm
from app.interests.models import InterestKind

INTEREST = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": [k.value for k in InterestKind]},
    "key": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string"}}}
INTEREST_BODY = {"type": "object", "required": ["kind", "key"], "properties": {
    "kind": {"type": "string", "enum": [k.value for k in InterestKind]},
    "key": {"type": "string", "description": "a field or topic slug, or a district code"}}}
INTERESTS = {"type": "object", "properties": {
    "items": {"type": "array", "items": INTEREST}, "suggested_district": {"type": "string", "nullable": True},
    "choices": {"type": "object"}}}


def _listing(user) -> dict:
    return {
        "items": [queries.interest_json(i) for i in services.interests_of(user)],
        "suggested_district": services.suggested_district(user),
        "choices": {kind.value: [{"key": key, "name": name} for key, name in options]
                    for kind, options in queries.choices().items()},
    }


@bp.route("/me/interests", methods=["GET"])
@token_required
@documented("What I follow, my district if I do not follow it yet, and everything I could follow",
            tag="interests", responses={200: ("Interests", INTERESTS)})
def my_interests():
    return jsonify(_listing(api_user()))


@bp.route("/me/interests", methods=["POST"])
@token_required
@documented("Follow a field, topic or district (following it again changes nothing)", tag="interests",
            body=INTEREST_BODY, responses={201: ("Now followed", INTEREST), 200: ("Already followed", INTEREST)})
def follow_interest():
    form = validate(InterestForm, json_body())
    interest, created = services.follow(api_user(), InterestKind(form.kind.data), form.key.data)
    db.session.commit()
    return jsonify(queries.interest_json(interest)), (201 if created else 200)


@bp.route("/me/interests/<kind>/<key>", methods=["DELETE"])
@token_required
@documented("Stop following a field, topic or district", tag="interests",
            responses={204: ("No longer followed", None), 404: ("Not followed", None)})
def unfollow_interest(kind: str, key: str):
    form = validate(InterestForm, {"kind": kind, "key": key})
    if not services.unfollow(api_user(), InterestKind(form.kind.data), form.key.data):
        from flask import abort

        abort(404)
    db.session.commit()
    return "", 204
