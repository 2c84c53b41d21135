"""Who may do what with policies. Pure predicates over the acting user (and the policy)."""
from __future__ import annotations

from app.auth.permissions import signed_in
from app.proposals.models import ProposalStatus


def can_view_policy(user, policy) -> bool:
    """Policies are public: everyone, even without an account, can follow what became of the ideas."""
    return True


def can_create_policy(user) -> bool:
    return signed_in(user) and user.is_staff


def can_start_policy_from(user, proposal) -> bool:
    """Staff turn an adopted or partly adopted proposal into a policy."""
    return can_create_policy(user) and proposal.status in (ProposalStatus.ADOPTED, ProposalStatus.PARTLY_ADOPTED)


def can_edit_policy(user, policy) -> bool:
    return signed_in(user) and user.is_staff


def can_change_status(user, policy) -> bool:
    return signed_in(user) and user.is_staff and not policy.status.is_final


def can_manage_steps(user, policy) -> bool:
    return signed_in(user) and user.is_staff and not policy.status.is_final


def can_post_update(user, policy) -> bool:
    return signed_in(user) and user.is_staff


def can_follow(user, policy) -> bool:
    return signed_in(user)


def can_comment_on_update(user, update) -> bool:
    return signed_in(user)
