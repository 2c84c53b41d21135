"""Who may do what with policies: a matrix over roles and the policy's status."""
import pytest
from flask_login import AnonymousUserMixin

from app.policies import permissions as p
from app.policies.models import Policy, PolicyStatus, PolicyUpdate
from app.proposals.models import Proposal, ProposalStatus

ROLES = {
    "anonymous": None,
    "resident": [],
    "facilitator": ["facilitator"],
    "staff": ["staff"],
    "admin": ["admin"],
    "deactivated staff": ["staff"],
}


@pytest.fixture
def actor(request, make_user):
    roles = ROLES[request.param]
    if roles is None:
        return AnonymousUserMixin()
    user = make_user(roles=roles)
    if request.param.startswith("deactivated"):
        user.active = False
    return user


def _policy(status):
    return Policy(title="t", department="d", status=status)


STAFF = {"staff", "admin"}
LOGGED_IN = {"resident", "facilitator", "staff", "admin"}
ALL = set(ROLES)


@pytest.mark.parametrize("actor", list(ROLES), indirect=True, ids=list(ROLES))
@pytest.mark.parametrize("status", list(PolicyStatus), ids=[s.value for s in PolicyStatus])
@pytest.mark.parametrize("predicate, allowed_roles, open_only", [
    (p.can_view_policy, ALL, False),
    (p.can_edit_policy, STAFF, False),
    (p.can_post_update, STAFF, False),
    (p.can_change_status, STAFF, True),
    (p.can_manage_steps, STAFF, True),
    (p.can_follow, LOGGED_IN, False),
], ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_policy_permission_matrix(request, actor, status, predicate, allowed_roles, open_only):
    role = request.node.callspec.id.split("-")[-1]
    expected = role in allowed_roles and not (open_only and status.is_final)
    assert predicate(actor, _policy(status)) is expected


@pytest.mark.parametrize("actor, expected", [
    ("anonymous", False), ("resident", True), ("facilitator", True), ("staff", True), ("admin", True),
    ("deactivated staff", False),
], indirect=["actor"])
def test_who_may_create_policies_and_comment_on_updates(actor, expected):
    assert p.can_create_policy(actor) is (expected and actor.is_staff)
    assert p.can_comment_on_update(actor, PolicyUpdate(policy=_policy(PolicyStatus.IN_PROGRESS))) is expected


@pytest.mark.parametrize("actor", list(ROLES), indirect=True, ids=list(ROLES))
@pytest.mark.parametrize("status", list(ProposalStatus), ids=[s.value for s in ProposalStatus])
def test_staff_start_policies_from_adopted_proposals_only(request, actor, status):
    role = request.node.callspec.id.split("-")[-1]
    expected = role in STAFF and status in (ProposalStatus.ADOPTED, ProposalStatus.PARTLY_ADOPTED)
    assert p.can_start_policy_from(actor, Proposal(status=status)) is expected
