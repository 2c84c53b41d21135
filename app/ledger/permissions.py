"""Who may do what with allowances, budgets and payouts. Pure predicates over the acting user."""
from __future__ import annotations

from app.auth.permissions import signed_in
from app.ledger.models import ProgrammeType
from app.ledger.programmes import facilitates


def _staff(user) -> bool:
    return signed_in(user) and user.is_staff


def can_view_statement(user) -> bool:
    return signed_in(user)


def can_claim_expenses(user) -> bool:
    return signed_in(user) and not user.is_city_employee


def can_register_bank_account(user) -> bool:
    return signed_in(user) and not user.is_city_employee


def can_use_confirmation_queue(user) -> bool:
    return signed_in(user) and (user.is_facilitator or user.is_staff)


def can_confirm_allowance(user, allowance) -> bool:
    """A facilitator of the allowance's lab; staff for programmes that have no facilitators."""
    if not signed_in(user) or allowance.user_id == user.id:
        return False
    if allowance.programme_type is ProgrammeType.LAB:
        return facilitates(user, allowance.programme_type, allowance.programme_id)
    return user.is_staff


def can_decide_allowances(user) -> bool:
    return _staff(user)


def can_decide_allowance(user, allowance) -> bool:
    return _staff(user) and allowance.user_id != user.id


def can_reverse_payment(user, allowance) -> bool:
    return _staff(user) and allowance.user_id != user.id


def can_view_allowance(user, allowance) -> bool:
    """The claimant, the programme's facilitators and staff (this also guards the receipt file)."""
    if not signed_in(user):
        return False
    return (allowance.user_id == user.id or user.is_staff
            or facilitates(user, allowance.programme_type, allowance.programme_id))


def can_view_budgets(user) -> bool:
    return _staff(user)


def can_view_programme_budget(user, programme_type: ProgrammeType, programme_id: int) -> bool:
    return _staff(user) or (signed_in(user) and facilitates(user, programme_type, programme_id))


def can_manage_budgets(user) -> bool:
    return signed_in(user) and user.is_admin


def can_manage_payouts(user) -> bool:
    return _staff(user)
