"""Who may do what in the walking programme, as a matrix over roles."""
from types import SimpleNamespace

import pytest

from app.auth.models import Role
from app.walking.permissions import (
    can_manage_walking,
    can_redeem_coupons,
    can_set_walking_rule,
    can_view_conversion,
    can_walk,
)


def person(*roles, user_id=1, active=True):
    role_set = {Role(r) for r in roles}
    return SimpleNamespace(id=user_id, is_authenticated=True, active=active, roles=role_set,
                           is_staff=bool(role_set & {Role.STAFF, Role.ADMIN}), is_admin=Role.ADMIN in role_set)


ANONYMOUS = SimpleNamespace(is_authenticated=False, active=False, roles=set())

MATRIX = [
    # who, walk, manage, rule, redeem
    (person(), True, False, False, False),
    (person("facilitator"), True, False, False, False),
    (person("redeemer"), True, False, False, True),
    (person("staff"), True, True, False, False),
    (person("admin"), True, True, True, False),
    (person("staff", active=False), False, False, False, False),
    (ANONYMOUS, False, False, False, False),
    (None, False, False, False, False),
]


@pytest.mark.parametrize("who, walk, manage, rule, redeem", MATRIX)
def test_matrix(who, walk, manage, rule, redeem):
    assert can_walk(who) is walk
    assert can_manage_walking(who) is manage
    assert can_set_walking_rule(who) is rule
    assert can_redeem_coupons(who) is redeem


def test_only_the_owner_sees_a_conversion():
    conversion = SimpleNamespace(user_id=1)
    assert can_view_conversion(person(user_id=1), conversion)
    assert not can_view_conversion(person("admin", user_id=2), conversion)
    assert not can_view_conversion(ANONYMOUS, conversion)
