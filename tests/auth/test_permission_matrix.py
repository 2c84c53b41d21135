"""Who may open which foundation page and call which API endpoint: roles x pages and endpoints."""
import pytest
from flask_login import AnonymousUserMixin

from app.auth.models import Role
from app.auth.permissions import can_manage_users, can_view_audit_log, has_role, is_staff

ROLES = ["anonymous", "resident", "facilitator", "staff", "admin"]


def expected(anonymous, resident, facilitator, staff, admin):
    return dict(zip(ROLES, (anonymous, resident, facilitator, staff, admin)))


EVERYONE = expected(200, 200, 200, 200, 200)
SIGNED_IN_PAGE = expected(302, 200, 200, 200, 200)
GUEST_ONLY_PAGE = expected(200, 302, 302, 302, 302)
ADMIN_PAGE = expected(401, 403, 403, 403, 200)
ADMIN_ACTION = expected(401, 403, 403, 403, 302)
SIGNED_IN_API = expected(401, 200, 200, 200, 200)
ADMIN_API = expected(401, 403, 403, 403, 200)

PAGES = [
    ("GET", "/", EVERYONE),
    ("GET", "/healthz", EVERYONE),
    ("GET", "/signup", GUEST_ONLY_PAGE),
    ("GET", "/login", GUEST_ONLY_PAGE),
    ("GET", "/password/forgot", EVERYONE),
    ("GET", "/account", SIGNED_IN_PAGE),
    ("GET", "/account/access-log", SIGNED_IN_PAGE),
    ("GET", "/account/export", SIGNED_IN_PAGE),
    ("POST", "/account/consents", expected(302, 302, 302, 302, 302)),
    ("GET", "/notifications/", SIGNED_IN_PAGE),
    ("POST", "/notifications/read", expected(302, 302, 302, 302, 302)),
    ("GET", "/admin/users", ADMIN_PAGE),
    ("GET", "/admin/users/{target}", ADMIN_PAGE),
    ("GET", "/admin/audit", ADMIN_PAGE),
    ("POST", "/admin/users/{target}/roles", ADMIN_ACTION),
    ("POST", "/admin/users/{target}/roles/resident/revoke", ADMIN_ACTION),
    ("POST", "/admin/users/{target}/city-employee", ADMIN_ACTION),
    ("POST", "/admin/users/{target}/deactivate", ADMIN_ACTION),
]

API = [
    ("GET", "/api/v1/openapi.json", EVERYONE),
    ("GET", "/api/v1/districts", EVERYONE),
    ("GET", "/api/v1/me", SIGNED_IN_API),
    ("GET", "/api/v1/me/consents", SIGNED_IN_API),
    ("GET", "/api/v1/me/export?format=json", SIGNED_IN_API),
    ("GET", "/api/v1/me/access-log", SIGNED_IN_API),
    ("GET", "/api/v1/me/notifications", SIGNED_IN_API),
    ("POST", "/api/v1/me/notifications/read", SIGNED_IN_API),
    ("DELETE", "/api/v1/tokens/current", expected(401, 204, 204, 204, 204)),
    ("GET", "/api/v1/admin/users", ADMIN_API),
    ("GET", "/api/v1/admin/audit", ADMIN_API),
    ("GET", "/api/v1/admin/users/{target}", ADMIN_API),
    ("PUT", "/api/v1/admin/users/{target}/roles/facilitator", ADMIN_API),
    ("DELETE", "/api/v1/admin/users/{target}/roles/resident", ADMIN_API),
    ("PATCH", "/api/v1/admin/users/{target}", ADMIN_API),
    ("POST", "/api/v1/admin/users/{target}/deactivate", ADMIN_API),
]

API_BODIES = {"PATCH": {"is_city_employee": True}, "POST": {}}


def _actor(role, make_user):
    if role == "anonymous":
        return None
    return make_user([] if role == "resident" else [role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, outcomes", PAGES, ids=[f"{m} {u}" for m, u, _ in PAGES])
def test_page_access(client, make_user, login, role, method, url, outcomes):
    target = make_user()
    actor = _actor(role, make_user)
    if actor is not None:
        login(actor)
    form = {"role": "facilitator"} if url.endswith("/roles") else {}
    response = client.open(url.format(target=target.id), method=method, data=form)
    assert response.status_code == outcomes[role]
    if response.status_code == 302 and role == "anonymous" and method == "GET":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, outcomes", API, ids=[f"{m} {u}" for m, u, _ in API])
def test_api_access(client, make_user, auth_header, role, method, url, outcomes):
    target = make_user()
    actor = _actor(role, make_user)
    headers = auth_header(actor) if actor is not None else {}
    response = client.open(url.format(target=target.id), method=method, headers=headers,
                           json=API_BODIES.get(method))
    assert response.status_code == outcomes[role], response.get_data(as_text=True)
    if response.status_code != 204:
        assert response.is_json


class _Anonymous(AnonymousUserMixin):
    pass


PREDICATES = [
    # predicate, (anonymous, resident, facilitator, staff, admin)
    (can_manage_users, (False, False, False, False, True)),
    (can_view_audit_log, (False, False, False, False, True)),
    (is_staff, (False, False, False, True, True)),
    (lambda user: has_role(user, Role.FACILITATOR), (False, False, True, False, False)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("predicate, allowed", PREDICATES)
def test_permission_predicates(make_user, role, predicate, allowed):
    user = _actor(role, make_user) or _Anonymous()
    assert predicate(user) is dict(zip(ROLES, allowed))[role]


@pytest.mark.parametrize("predicate", [can_manage_users, can_view_audit_log, is_staff])
def test_a_deactivated_admin_is_allowed_nothing(make_user, predicate):
    admin = make_user(["admin", "staff"])
    admin.active = False
    assert predicate(admin) is False
