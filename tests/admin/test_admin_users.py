"""Admins grant and revoke roles, flag city employees and deactivate accounts; all audited."""
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.extensions import db
from app.notifications.models import Notification


def audit_actions():
    return [(e.action, e.target_id, e.details) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_admin_grants_and_revokes_a_role_with_audit_and_translated_notification(client, make_user, login):
    admin, resident = make_user(["admin"]), make_user()
    login(admin)
    assert client.post(f"/admin/users/{resident.id}/roles", data={"role": "facilitator"}).status_code == 302
    db.session.expire_all()
    assert Role.FACILITATOR in db.session.get(User, resident.id).roles
    assert client.post(f"/admin/users/{resident.id}/roles/facilitator/revoke").status_code == 302
    db.session.expire_all()
    assert Role.FACILITATOR not in db.session.get(User, resident.id).roles
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target_id, e.details) for e in entries] == [
        ("role.grant", admin.id, resident.id, {"role": "facilitator"}),
        ("role.revoke", admin.id, resident.id, {"role": "facilitator"}),
    ]
    assert db.session.scalar(select(Notification).where(Notification.kind == "role_granted")).user_id == resident.id
    client.post("/logout")
    login(resident)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "퍼실리테이터" in html and "facilitator" not in html
    client.post("/language", data={"locale": "en"})
    assert "Facilitator" in client.get("/notifications/").get_data(as_text=True)


def test_granting_a_held_role_or_an_unknown_role_changes_nothing(client, make_user, login):
    admin, resident = make_user(["admin"]), make_user()
    login(admin)
    response = client.post(f"/admin/users/{resident.id}/roles", data={"role": "resident"}, follow_redirects=True)
    assert "이미" in response.get_data(as_text=True)
    client.post(f"/admin/users/{resident.id}/roles", data={"role": "emperor"})
    assert client.post(f"/admin/users/{resident.id}/roles/emperor/revoke").status_code == 404
    assert client.post("/admin/users/99999/roles", data={"role": "staff"}).status_code == 404
    assert audit_actions() == []


def test_admin_cannot_remove_their_own_admin_role(client, make_user, login):
    admin = make_user(["admin"])
    login(admin)
    client.post(f"/admin/users/{admin.id}/roles/admin/revoke")
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin
    assert audit_actions() == []


def test_admin_flags_a_city_employee(client, make_user, login):
    admin, staff = make_user(["admin"]), make_user(["staff"])
    login(admin)
    client.post(f"/admin/users/{staff.id}/city-employee", data={"is_city_employee": "y"})
    db.session.expire_all()
    assert db.session.get(User, staff.id).is_city_employee
    assert audit_actions() == [("user.city_employee", staff.id, {"value": True})]


def test_admin_deactivates_an_account(client, make_user, login, auth_header):
    admin, resident = make_user(["admin"]), make_user()
    headers = auth_header(resident)
    login(admin)
    assert client.post(f"/admin/users/{resident.id}/deactivate").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert audit_actions() == [("account.deactivate", resident.id, {})]
    assert "비활성" in client.get(f"/admin/users/{resident.id}").get_data(as_text=True)


def test_admin_user_list_searches_and_paginates_without_n_plus_one(client, make_user, login, count_queries):
    admin = make_user(["admin"])
    for number in range(35):
        make_user(["staff"] if number % 2 else [], display_name=f"검색대상{number}")
    login(admin)
    with count_queries() as queries:
        html = client.get("/admin/users").get_data(as_text=True)
    assert len(queries) <= 8
    assert 'rel="next"' in html
    found = client.get("/admin/users?q=검색대상12").get_data(as_text=True)
    assert "검색대상12" in found and "검색대상13" not in found
    empty = client.get("/admin/users?q=없는사람").get_data(as_text=True)
    assert 'class="empty"' in empty


def test_admin_api_grants_revokes_and_reads_the_audit_log(client, make_user, auth_header):
    admin, resident = make_user(["admin"]), make_user()
    headers = auth_header(admin)
    granted = client.put(f"/api/v1/admin/users/{resident.id}/roles/staff", headers=headers)
    assert granted.status_code == 200 and "staff" in granted.get_json()["roles"]
    again = client.put(f"/api/v1/admin/users/{resident.id}/roles/staff", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["message"]
    assert client.put(f"/api/v1/admin/users/{resident.id}/roles/king", headers=headers).status_code == 404
    revoked = client.delete(f"/api/v1/admin/users/{resident.id}/roles/staff", headers=headers)
    assert "staff" not in revoked.get_json()["roles"]
    flagged = client.patch(f"/api/v1/admin/users/{resident.id}", json={"is_city_employee": True}, headers=headers)
    assert flagged.get_json()["is_city_employee"] is True
    bad = client.patch(f"/api/v1/admin/users/{resident.id}", json={"is_city_employee": "yes"}, headers=headers)
    assert bad.status_code == 422
    audit = client.get("/api/v1/admin/audit", headers=headers).get_json()
    assert [item["action"] for item in audit["items"]] == ["user.city_employee", "role.revoke", "role.grant"]
    assert audit["items"][0]["actor_id"] == admin.id
