"""`flask users create`, `flask users prune-access-log` and `flask seed demo`."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import AccessLog, Role, User
from app.auth.services import find_user_by_email, prune_access_log
from app.core import DomainError, utcnow
from app.extensions import db


def test_users_create_with_several_roles_and_city_employee(runner):
    result = runner.invoke(args=["users", "create", "--email", "boss@asan.go.kr", "--password", "secret-pass-1",
                                 "--name", "김과장", "--role", "staff", "--role", "facilitator", "--city-employee"])
    assert result.exit_code == 0, result.output
    user = find_user_by_email("boss@asan.go.kr")
    assert user.roles == {Role.RESIDENT, Role.STAFF, Role.FACILITATOR} and user.is_city_employee
    assert user.display_name == "김과장"


def test_users_create_without_roles_makes_a_resident(runner):
    result = runner.invoke(args=["users", "create", "--email", "r@example.kr", "--password", "secret-pass-1",
                                 "--name", "주민"])
    assert result.exit_code == 0
    user = find_user_by_email("r@example.kr")
    assert user.roles == {Role.RESIDENT} and not user.is_city_employee


@pytest.mark.parametrize("arguments", [
    ["--email", "not-an-email", "--password", "secret-pass-1", "--name", "주민"],
    ["--email", "a@example.kr", "--password", "short", "--name", "주민"],
    ["--email", "a@example.kr", "--password", "secret-pass-1", "--name", "x"],
    ["--email", "a@example.kr", "--password", "secret-pass-1", "--name", "주민", "--role", "king"],
    ["--email", "a@example.kr", "--password", "secret-pass-1", "--name", "주민", "--district", "gangnam"],
    ["--email", "a@example.kr", "--password", "secret-pass-1"],
])
def test_users_create_rejects_bad_input(runner, arguments):
    result = runner.invoke(args=["users", "create", *arguments])
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_create_rejects_a_duplicate_email(runner, make_user):
    make_user(email="dup@example.kr")
    result = runner.invoke(args=["users", "create", "--email", "DUP@example.kr", "--password", "secret-pass-1",
                                 "--name", "주민"])
    assert result.exit_code == 1 and "이미" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_access_log_is_kept_at_least_a_year(runner, make_user):
    user = make_user()
    now = utcnow()
    for age in (10, 364, 399, 401, 800):
        db.session.add(AccessLog(user_id=user.id, event="login", created_at=now - timedelta(days=age)))
    db.session.commit()
    result = runner.invoke(args=["users", "prune-access-log"])
    assert result.exit_code == 0 and "Deleted 2" in result.output
    ages = sorted((now - row.created_at).days for row in db.session.scalars(select(AccessLog)))
    assert ages == [10, 364, 399]
    with pytest.raises(DomainError):
        prune_access_log(364)


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_seed_demo_creates_every_role_and_is_idempotent(runner):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    counts = table_counts()
    roles = {role for user in db.session.scalars(select(User)) for role in user.roles}
    assert roles == set(Role)
    assert any(user.is_city_employee for user in db.session.scalars(select(User)))
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert table_counts() == counts
