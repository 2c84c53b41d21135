from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.admin import bp, queries
from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.admin.forms import CityEmployeeForm, ConfirmForm, RoleForm
from app.audit.models import AuditEntry
from app.auth import services
from app.auth.models import Role, User
from app.auth.permissions import can_manage_users, can_view_audit_log, requires
from app.core import page_number
from app.extensions import db
from app.web import run_service


def _get_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users")
@requires(can_manage_users)
def users():
    q = request.args.get("q", "").strip()
    pagination = db.paginate(queries.users_query(q), page=page_number(), per_page=30, error_out=False)
    html = render_template("admin/users.html", pagination=pagination, q=q)
    record_view(current_user, [u.id for u in pagination.items], DataKind.CONTACT, target_type="user_list")
    return html


@bp.route("/users/<int:user_id>")
@requires(can_manage_users)
def user_detail(user_id: int):
    user = _get_user(user_id)
    html = render_template(
        "admin/user.html", user=user, role_form=RoleForm(),
        employee_form=CityEmployeeForm(is_city_employee=user.is_city_employee), confirm_form=ConfirmForm(),
    )
    record_view(current_user, [user.id], DataKind.CONTACT, target_type="user", target_id=user.id)
    return html


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@requires(can_manage_users)
def grant_role(user_id: int):
    user = _get_user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        run_service(lambda: services.grant_role(user, Role(form.role.data), current_user), _("The role was granted."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/roles/<role>/revoke", methods=["POST"])
@requires(can_manage_users)
def revoke_role(user_id: int, role: str):
    user = _get_user(user_id)
    try:
        role_value = Role(role)
    except ValueError:
        abort(404)
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.revoke_role(user, role_value, current_user), _("The role was removed."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/city-employee", methods=["POST"])
@requires(can_manage_users)
def set_city_employee(user_id: int):
    user = _get_user(user_id)
    form = CityEmployeeForm()
    if form.validate_on_submit():
        run_service(lambda: services.set_city_employee(user, form.is_city_employee.data, current_user), _("Saved."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(can_manage_users)
def deactivate_user(user_id: int):
    user = _get_user(user_id)
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.deactivate(user, current_user), _("The account was deactivated."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/audit")
@requires(can_view_audit_log)
def audit_log():
    pagination = db.paginate(
        queries.audit_log_query().options(selectinload(AuditEntry.actor)), page=page_number(), per_page=50,
        error_out=False
    )
    return render_template("admin/audit.html", pagination=pagination)

