import pytest

from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.ledger import permissions as p
from app.ledger.models import Allowance, AllowanceKind, ProgrammeType


def person(name, roles=(), city_employee=False):
    """A stored account without the cost of hashing a password: the predicates never look at it."""
    user = User(email=f"{name}@example.kr", password_hash="-", display_name=name, district="onyang1",
                birth_year=1980, is_city_employee=city_employee, role_rows=[UserRole(role=Role(r)) for r in roles])
    db.session.add(user)
    return user


@pytest.fixture
def people(make_lab):
    facilitator = person("facilitator", ["facilitator"])
    users = {
        "anonymous": None,
        "resident": person("resident"),
        "claimant": person("claimant"),
        "employee": person("employee", city_employee=True),
        "facilitator": facilitator,
        "other_facilitator": person("other", ["facilitator"]),
        "staff": person("staff", ["staff"]),
        "admin": person("admin", ["admin", "staff"]),
    }
    db.session.commit()
    lab = make_lab(facilitator, [users["claimant"]])
    return users, lab


def allowance_of(user, programme_type, programme_id):
    return Allowance(user_id=user.id, programme_type=programme_type, programme_id=programme_id, budget_id=0,
                     kind=AllowanceKind.EXPENSE, amount_won=1000)


ROLES = ["anonymous", "resident", "claimant", "employee", "facilitator", "other_facilitator", "staff", "admin"]

MATRIX = {
    # predicate: roles that may
    "statement": {"resident", "claimant", "employee", "facilitator", "other_facilitator", "staff", "admin"},
    "claim": {"resident", "claimant", "facilitator", "other_facilitator", "staff", "admin"},
    "confirm_lab": {"facilitator"},
    "confirm_committee": {"staff", "admin"},
    "decide": {"staff", "admin"},
    "view_allowance": {"claimant", "facilitator", "staff", "admin"},
    "view_budgets": {"staff", "admin"},
    "view_lab_budget": {"facilitator", "staff", "admin"},
    "manage_budgets": {"admin"},
    "manage_payouts": {"staff", "admin"},
}


def check(name, user, users, lab):
    lab_allowance = allowance_of(users["claimant"], ProgrammeType.LAB, lab.id)
    committee_allowance = allowance_of(users["claimant"], ProgrammeType.COMMITTEE, 1)
    return {
        "statement": lambda: p.can_view_statement(user),
        "claim": lambda: p.can_claim_expenses(user),
        "confirm_lab": lambda: p.can_confirm_allowance(user, lab_allowance),
        "confirm_committee": lambda: p.can_confirm_allowance(user, committee_allowance),
        "decide": lambda: p.can_decide_allowance(user, lab_allowance),
        "view_allowance": lambda: p.can_view_allowance(user, lab_allowance),
        "view_budgets": lambda: p.can_view_budgets(user),
        "view_lab_budget": lambda: p.can_view_programme_budget(user, ProgrammeType.LAB, lab.id),
        "manage_budgets": lambda: p.can_manage_budgets(user),
        "manage_payouts": lambda: p.can_manage_payouts(user),
    }[name]()


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(people, name, role):
    users, lab = people
    assert check(name, users[role], users, lab) is (role in MATRIX[name])


def test_nobody_decides_or_reverses_their_own_allowance():
    staff = person("staff", ["staff"])
    db.session.commit()
    own = allowance_of(staff, ProgrammeType.COMMITTEE, 1)
    assert not p.can_decide_allowance(staff, own)
    assert not p.can_reverse_payment(staff, own)
    assert not p.can_confirm_allowance(staff, own)
    db.session.rollback()
