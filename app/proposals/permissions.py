"""Who may do what with proposals. Pure predicates over user, role, ownership and state."""
from __future__ import annotations

from app.auth.permissions import signed_in
from app.proposals.models import Proposal, ProposalStatus


def _staff(user) -> bool:
    return signed_in(user) and user.is_staff


def can_view_proposal(user, proposal: Proposal) -> bool:
    if not proposal.hidden:
        return True
    return signed_in(user) and (user.id == proposal.author_id or user.is_staff)


def can_create_proposal(user) -> bool:
    return signed_in(user)


def can_edit_proposal(user, proposal: Proposal) -> bool:
    return signed_in(user) and user.id == proposal.author_id and proposal.editable


def can_withdraw_proposal(user, proposal: Proposal) -> bool:
    return (signed_in(user) and user.id == proposal.author_id
            and proposal.status in (ProposalStatus.OPEN, ProposalStatus.FORUM))


def can_support_proposal(user, proposal: Proposal) -> bool:
    return signed_in(user) and not proposal.withdrawn and not proposal.hidden


def can_follow_proposal(user, proposal: Proposal) -> bool:
    return signed_in(user) and can_view_proposal(user, proposal)


def can_comment_on_proposal(user, proposal: Proposal) -> bool:
    return signed_in(user) and not proposal.hidden


def can_answer_proposal(user, proposal: Proposal) -> bool:
    return _staff(user) and not proposal.withdrawn


def can_moderate(user, *_args) -> bool:
    return _staff(user)


def can_view_staff_dashboard(user) -> bool:
    return _staff(user)


def can_manage_proposal_settings(user) -> bool:
    return signed_in(user) and user.is_admin


def is_active_user(user) -> bool:
    """Any signed-in, active account (rules about the proposal's state are the services' to explain)."""
    return signed_in(user)
