from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from app.proposals import permissions as p
from app.proposals.models import Proposal, ProposalStatus


def user(uid, staff=False, admin=False, active=True):
    return SimpleNamespace(id=uid, is_authenticated=True, active=active, is_staff=staff or admin, is_admin=admin)


ANON = AnonymousUserMixin()
AUTHOR, OTHER, STAFF, ADMIN = user(1), user(2), user(3, staff=True), user(4, admin=True)
INACTIVE = user(1, active=False)


def proposal(status=ProposalStatus.OPEN, hidden=False, supports=0, comments=0):
    return Proposal(id=10, author_id=1, status=status, hidden=hidden, support_count=supports, comment_count=comments)


@pytest.mark.parametrize("who, target, expected", [
    (ANON, proposal(), True), (ANON, proposal(hidden=True), False), (OTHER, proposal(hidden=True), False),
    (AUTHOR, proposal(hidden=True), True), (STAFF, proposal(hidden=True), True),
])
def test_view(who, target, expected):
    assert p.can_view_proposal(who, target) is expected


@pytest.mark.parametrize("who, target, expected", [
    (AUTHOR, proposal(), True), (OTHER, proposal(), False), (STAFF, proposal(), False), (ANON, proposal(), False),
    (INACTIVE, proposal(), False), (AUTHOR, proposal(supports=1), False), (AUTHOR, proposal(comments=1), False),
    (AUTHOR, proposal(status=ProposalStatus.WITHDRAWN), False),
])
def test_edit(who, target, expected):
    assert p.can_edit_proposal(who, target) is expected


@pytest.mark.parametrize("who, status, expected", [
    (AUTHOR, ProposalStatus.OPEN, True), (AUTHOR, ProposalStatus.FORUM, True),
    (AUTHOR, ProposalStatus.ADOPTED, False), (AUTHOR, ProposalStatus.WITHDRAWN, False),
    (OTHER, ProposalStatus.OPEN, False), (STAFF, ProposalStatus.OPEN, False), (ANON, ProposalStatus.OPEN, False),
])
def test_withdraw(who, status, expected):
    assert p.can_withdraw_proposal(who, proposal(status=status)) is expected


@pytest.mark.parametrize("who, target, expected", [
    (OTHER, proposal(), True), (AUTHOR, proposal(), True), (ANON, proposal(), False), (INACTIVE, proposal(), False),
    (OTHER, proposal(status=ProposalStatus.WITHDRAWN), False), (OTHER, proposal(hidden=True), False),
])
def test_support(who, target, expected):
    assert p.can_support_proposal(who, target) is expected


@pytest.mark.parametrize("who, target, expected", [
    (STAFF, proposal(), True), (ADMIN, proposal(), True), (OTHER, proposal(), False), (AUTHOR, proposal(), False),
    (ANON, proposal(), False), (STAFF, proposal(status=ProposalStatus.WITHDRAWN), False),
])
def test_answer(who, target, expected):
    assert p.can_answer_proposal(who, target) is expected


@pytest.mark.parametrize("who, moderate, settings", [
    (STAFF, True, False), (ADMIN, True, True), (OTHER, False, False), (ANON, False, False),
])
def test_staff_and_admin_tools(who, moderate, settings):
    assert p.can_moderate(who) is moderate
    assert p.can_view_staff_dashboard(who) is moderate
    assert p.can_manage_proposal_settings(who) is settings
