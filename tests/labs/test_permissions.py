"""The whole role × membership × stage matrix of the lab predicates, on unsaved objects."""
from itertools import product

import pytest
from flask_login import AnonymousUserMixin

from app.auth.models import Role, User, UserRole
from app.labs import permissions as perm
from app.labs.models import Lab, LabMembership, LabStage, MembershipStatus

ROLES = ["anonymous", "resident", "facilitator_of_lab", "facilitator_elsewhere", "staff", "admin"]
MEMBERSHIPS = [None, MembershipStatus.APPLIED, MembershipStatus.ACCEPTED, MembershipStatus.WAITLISTED]
STAGES = list(LabStage)
WORKING = [s for s in LabStage if s is not LabStage.CLOSED]


def _user(user_id, *roles):
    user = User(id=user_id, email=f"u{user_id}@example.kr", display_name="u", district="onyang1", birth_year=1980,
                active=True)
    user.role_rows = [UserRole(role=r) for r in roles]
    return user


def _case(role, status, stage):
    lab_facilitator = _user(1, Role.FACILITATOR)
    users = {
        "anonymous": AnonymousUserMixin(),
        "resident": _user(2),
        "facilitator_of_lab": lab_facilitator,
        "facilitator_elsewhere": _user(3, Role.FACILITATOR),
        "staff": _user(4, Role.STAFF),
        "admin": _user(5, Role.ADMIN, Role.STAFF),
    }
    user = users[role]
    lab = Lab(id=10, stage=stage)
    lab.facilitators = [lab_facilitator]
    membership = None
    if status is not None and role != "anonymous":
        membership = LabMembership(lab_id=10, user_id=user.id, status=status)
    return user, lab, membership


MATRIX = list(product(ROLES, MEMBERSHIPS, STAGES))

# What the issue asks, written as plain expectations, not derived from the code's table.
FEATURE_EXPECTATIONS = {
    # feature: (its stage, who may use it given (role, accepted?))
    "write_problem": (LabStage.PROBLEM, lambda role, accepted: accepted),
    "empathize": (LabStage.PROBLEM, lambda role, accepted: accepted),
    "add_resource": (LabStage.PROBLEM, lambda role, accepted: accepted or role == "facilitator_of_lab"),
    "edit_plan": (LabStage.PLANNING, lambda role, accepted: accepted or role == "facilitator_of_lab"),
    "assign_roles": (LabStage.PLANNING, lambda role, accepted: role == "facilitator_of_lab"),
    "add_prototype": (LabStage.PROTOTYPING, lambda role, accepted: accepted or role == "facilitator_of_lab"),
    "give_feedback": (LabStage.PROTOTYPING, lambda role, accepted: True),
    "upload_dataset": (LabStage.REVIEW, lambda role, accepted: accepted or role == "facilitator_of_lab"),
    "record_kpi": (LabStage.REVIEW, lambda role, accepted: accepted or role == "facilitator_of_lab"),
    "write_findings": (LabStage.REVIEW, lambda role, accepted: role == "facilitator_of_lab"),
    "write_retrospective": (LabStage.SHARING, lambda role, accepted: role == "facilitator_of_lab"),
    "give_praise": (LabStage.SHARING, lambda role, accepted: accepted or role == "facilitator_of_lab"),
    "write_results_summary": (LabStage.SHARING, lambda role, accepted: role == "facilitator_of_lab"),
}


def _accepted(role, status):
    return role != "anonymous" and status is MembershipStatus.ACCEPTED


@pytest.mark.parametrize("role,status,stage", MATRIX)
def test_workspace_features(role, status, stage):
    user, lab, membership = _case(role, status, stage)
    for feature, (feature_stage, who) in FEATURE_EXPECTATIONS.items():
        expected = stage is feature_stage and who(role, _accepted(role, status))
        assert perm.can_use(feature, user, lab, membership) is expected, feature


def test_every_feature_is_covered():
    assert set(FEATURE_EXPECTATIONS) == set(perm.WORKSPACE_RULES)


@pytest.mark.parametrize("role,status,stage", MATRIX)
def test_lab_actions(role, status, stage):
    user, lab, membership = _case(role, status, stage)
    logged_in = role != "anonymous"
    open_lab = stage is not LabStage.CLOSED
    facilitates = role == "facilitator_of_lab"
    staff = role in ("staff", "admin")
    accepted = _accepted(role, status)
    has_membership = membership is not None

    assert perm.can_create_lab(user) is (role in ("facilitator_of_lab", "facilitator_elsewhere", "staff", "admin"))
    assert perm.can_view_overview(user) is perm.can_create_lab(user)
    assert perm.can_edit_lab(user, lab) is (open_lab and (facilitates or staff))
    assert perm.can_add_facilitator(user, lab) is (open_lab and staff)
    assert perm.can_apply(user, lab, membership) is (logged_in and open_lab and not facilitates and not has_membership)
    assert perm.can_leave(user, lab, membership) is (open_lab and has_membership)
    assert perm.can_manage_members(user, lab) is (open_lab and facilitates)
    # Every application and each applicant's motivation: the lab's facilitators, never staff as such.
    assert perm.can_view_applications(user, lab) is (open_lab and facilitates)
    assert perm.can_change_stage(user, lab) is (open_lab and facilitates)
    assert perm.can_manage_sessions(user, lab) is (open_lab and facilitates)
    assert perm.can_attend(user, lab, membership) is (open_lab and accepted)
    assert perm.can_view_members(user, lab, membership) is (facilitates or staff or accepted)
    assert perm.can_view_workspace(user, lab, membership) is (facilitates or staff or accepted)


def test_a_deactivated_account_may_do_nothing():
    user, lab, membership = _case("facilitator_of_lab", MembershipStatus.ACCEPTED, LabStage.PROBLEM)
    user.active = False
    assert not perm.can_change_stage(user, lab)
    assert not perm.can_use("write_problem", user, lab, membership)
    assert perm.can_use("give_feedback", user, Lab(id=1, stage=LabStage.PROTOTYPING, facilitators=[]), None)
