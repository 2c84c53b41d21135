from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l

from app.admin import queries
from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, page_arg, paginated, per_page_arg
from app.api.routes_accounts import user_json
from app.api.spec import documented, query_param
from app.auth import services
from app.auth.models import Role, User
from app.auth.permissions import can_manage_users, can_view_audit_log
from app.core import ValidationFailed, iso
from app.extensions import db
from app.privacy.access import record_view
from app.privacy.models import DataKind


def _admin_user_json(user: User) -> dict:
    return {**user_json(user), "email": user.email, "active": user.active}


def _role_or_404(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        abort(404)


@bp.route("/admin/users")
@documented("List accounts (admin)", tag="admin", query=[query_param("q"), query_param("page", "integer"),
                                                          query_param("per_page", "integer")])
def admin_users():
    require_api(can_manage_users)
    q = request.args.get("q", "").strip()
    pagination = db.paginate(queries.users_query(q), page=page_arg(), per_page=per_page_arg(), error_out=False)
    body = paginated(pagination, _admin_user_json)
    record_view(api_user(), [u.id for u in pagination.items], DataKind.CONTACT, target_type="user_list")
    return jsonify(body)


@bp.route("/admin/users/<int:user_id>")
@documented("One account with its roles and state (admin)", tag="admin")
def admin_user(user_id: int):
    require_api(can_manage_users)
    user = db.session.get(User, user_id) or abort(404)
    body = _admin_user_json(user)
    record_view(api_user(), [user.id], DataKind.CONTACT, target_type="user", target_id=user.id)
    return jsonify(body)


@bp.route("/admin/users/<int:user_id>/roles/<role>", methods=["PUT"])
@documented("Grant a role (admin)", tag="admin")
def admin_grant_role(user_id: int, role: str):
    actor = require_api(can_manage_users)
    user = db.session.get(User, user_id) or abort(404)
    services.grant_role(user, _role_or_404(role), actor)
    db.session.commit()
    return jsonify(_admin_user_json(user))


@bp.route("/admin/users/<int:user_id>/roles/<role>", methods=["DELETE"])
@documented("Revoke a role (admin)", tag="admin")
def admin_revoke_role(user_id: int, role: str):
    actor = require_api(can_manage_users)
    user = db.session.get(User, user_id) or abort(404)
    services.revoke_role(user, _role_or_404(role), actor)
    db.session.commit()
    return jsonify(_admin_user_json(user))


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@documented("Deactivate an account (admin)", tag="admin")
def admin_deactivate(user_id: int):
    actor = require_api(can_manage_users)
    user = db.session.get(User, user_id) or abort(404)
    services.deactivate(user, actor)
    db.session.commit()
    return jsonify(_admin_user_json(user))


@bp.route("/admin/audit")
@documented("The audit log, newest first (admin)", tag="admin",
            query=[query_param("page", "integer"), query_param("per_page", "integer")])
def admin_audit():
    require_api(can_view_audit_log)
    pagination = db.paginate(queries.audit_log_query(), page=page_arg(), per_page=per_page_arg(), error_out=False)
    return jsonify(paginated(pagination, lambda e: {
        "id": e.id, "actor_id": e.actor_id, "action": e.action, "target_type": e.target_type,
        "target_id": e.target_id, "details": e.details, "created_at": iso(e.created_at),
    }))


@bp.route("/admin/users/<int:user_id>", methods=["PATCH"])
@documented("Mark an account as a city employee or not (admin)", tag="admin",
            body={"type": "object", "properties": {"is_city_employee": {"type": "boolean"}}})
def admin_update_user(user_id: int):
    actor = require_api(can_manage_users)
    user = db.session.get(User, user_id) or abort(404)
    payload = json_body()
    if set(payload) != {"is_city_employee"} or not isinstance(payload["is_city_employee"], bool):
        raise ValidationFailed({"is_city_employee": [_l("Send is_city_employee as true or false.")]})
    services.set_city_employee(user, payload["is_city_employee"], actor)
    db.session.commit()
    return jsonify(_admin_user_json(user))
