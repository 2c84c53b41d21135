"""Budgets, allowance rules and every movement of money against a budget.

Each movement is one conditional UPDATE of the budget's cached totals plus one appended ledger row, in
the caller's transaction. The WHERE clause re-checks the limit inside the UPDATE itself, so two
approvals racing for the last won cannot both succeed (PostgreSQL re-evaluates it after waiting for
the row lock; SQLite serialises writers), and the CHECK constraints on ``budgets`` are the last guard."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.core import DomainError
from app.extensions import db
from app.ledger.models import AllowanceRule, Budget, LedgerEntry, LedgerEntryType, ProgrammeType
from app.ledger.programmes import programme_exists
from app.sql import rowcount


def create_budget(*, programme_type: ProgrammeType, programme_id: int, fiscal_year: int, allocated_won: int,
                  actor) -> Budget:
    if allocated_won < 0:
        raise DomainError(_l("The amount cannot be negative."), field="amount", status=422)
    if not programme_exists(programme_type, programme_id):
        raise DomainError(_l("There is no such programme."), field="programme_id", status=422)
    if budget_for(programme_type, programme_id, fiscal_year) is not None:
        raise DomainError(_l("This programme already has a budget for that fiscal year."))
    budget = Budget(programme_type=programme_type, programme_id=programme_id, fiscal_year=fiscal_year,
                    allocated_won=allocated_won, committed_won=0, paid_won=0, created_by_id=actor.id)
    db.session.add(budget)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # a concurrent request created it first
        raise DomainError(_l("This programme already has a budget for that fiscal year.")) from error
    audit.record(actor, "budget.created", "budget", budget.id, programme=programme_type.value,
                 programme_id=programme_id, fiscal_year=fiscal_year, allocated_won=allocated_won)
    return budget


def budget_for(programme_type: ProgrammeType, programme_id: int, fiscal_year: int) -> Budget | None:
    return db.session.scalar(select(Budget).filter_by(
        programme_type=programme_type, programme_id=programme_id, fiscal_year=fiscal_year))


def rule_for(programme_type: ProgrammeType, programme_id: int) -> AllowanceRule | None:
    return db.session.scalar(select(AllowanceRule).filter_by(programme_type=programme_type, programme_id=programme_id))


def set_allowance_rule(*, programme_type: ProgrammeType, programme_id: int, amount_per_session_won: int,
                       monthly_cap_won: int, actor) -> AllowanceRule:
    if amount_per_session_won < 0 or monthly_cap_won < 0:
        raise DomainError(_l("The amount cannot be negative."), field="amount_per_session", status=422)
    if monthly_cap_won < amount_per_session_won:
        raise DomainError(_l("The monthly cap must be at least the amount per session."), field="monthly_cap",
                          status=422)
    if not programme_exists(programme_type, programme_id):
        raise DomainError(_l("There is no such programme."), field="programme_id", status=422)
    rule = rule_for(programme_type, programme_id)
    if rule is None:
        rule = AllowanceRule(programme_type=programme_type, programme_id=programme_id)
        db.session.add(rule)
    rule.amount_per_session_won = amount_per_session_won
    rule.monthly_cap_won = monthly_cap_won
    rule.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "allowance_rule.set", "allowance_rule", rule.id, programme=programme_type.value,
                 programme_id=programme_id, amount_per_session_won=amount_per_session_won,
                 monthly_cap_won=monthly_cap_won)
    return rule


def _move(budget: Budget, condition, values: dict) -> bool:
    result = db.session.execute(
        update(Budget).where(Budget.id == budget.id, condition).values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(budget, ["committed_won", "paid_won"])
    return rowcount(result) == 1


def _append(budget: Budget, entry_type: LedgerEntryType, amount_won: int, *, actor, reason: str = "",
            allowance=None, batch=None, idempotency_key: str | None = None) -> LedgerEntry:
    entry = LedgerEntry(budget_id=budget.id, entry_type=entry_type, amount_won=amount_won,
                        actor_id=getattr(actor, "id", None), reason=reason,
                        allowance_id=getattr(allowance, "id", None), batch_id=getattr(batch, "id", None),
                        idempotency_key=idempotency_key)
    db.session.add(entry)
    return entry


def commit_funds(budget: Budget, amount_won: int, *, actor, allowance, idempotency_key: str | None = None) -> None:
    """Reserve money for an approved allowance, refusing when less than ``amount_won`` remains."""
    enough_left = Budget.allocated_won - Budget.committed_won - Budget.paid_won >= amount_won
    if not _move(budget, enough_left, {"committed_won": Budget.committed_won + amount_won}):
        raise DomainError(_l(
            "Approving this would exceed the programme's budget: %(remaining)s won remain, %(amount)s won needed.",
            remaining=f"{budget.remaining_won:,}", amount=f"{amount_won:,}",
        ))
    _append(budget, LedgerEntryType.COMMIT, amount_won, actor=actor, allowance=allowance,
            idempotency_key=idempotency_key)


def try_commit_funds(budget: Budget, amount_won: int, *, actor, reason: str) -> bool:
    """``commit_funds`` for a batch that is not one allowance (walking mileage): the same conditional
    UPDATE, answering False instead of raising when less than ``amount_won`` remains, so the caller can
    credit what fits and leave the rest pending."""
    enough_left = Budget.allocated_won - Budget.committed_won - Budget.paid_won >= amount_won
    if not _move(budget, enough_left, {"committed_won": Budget.committed_won + amount_won}):
        return False
    _append(budget, LedgerEntryType.COMMIT, amount_won, actor=actor, reason=reason)
    return True


def release_batch_funds(budget: Budget, amount_won: int, *, actor, reason: str) -> None:
    """Give back committed money that is not one allowance's (a walking day corrected downwards)."""
    if not _move(budget, Budget.committed_won >= amount_won, {"committed_won": Budget.committed_won - amount_won}):
        raise DomainError(_l("The budget's committed total does not cover this amount."))
    _append(budget, LedgerEntryType.RELEASE, -amount_won, actor=actor, reason=reason)


def pay_batch_funds(budget: Budget, amount_won: int, *, actor, reason: str, idempotency_key: str | None = None) -> bool:
    """Move committed money to paid for something that is not an allowance (a walking conversion)."""
    if not _move(budget, Budget.committed_won >= amount_won, {
        "committed_won": Budget.committed_won - amount_won, "paid_won": Budget.paid_won + amount_won,
    }):
        return False
    _append(budget, LedgerEntryType.PAYOUT, amount_won, actor=actor, reason=reason, idempotency_key=idempotency_key)
    return True


def add_to_budget(budget: Budget, amount_won: int, *, actor) -> None:
    """Raise a budget's allocation (one UPDATE, so a concurrent approval sees either total)."""
    if amount_won <= 0:
        raise DomainError(_l("Give a positive amount."), field="amount", status=422)
    db.session.execute(update(Budget).where(Budget.id == budget.id)
                       .values(allocated_won=Budget.allocated_won + amount_won)
                       .execution_options(synchronize_session=False))
    db.session.expire(budget, ["allocated_won"])
    audit.record(actor, "budget.increased", "budget", budget.id, amount_won=amount_won)


def release_funds(budget: Budget, amount_won: int, *, actor, allowance, reason: str) -> None:
    if not _move(budget, Budget.committed_won >= amount_won, {"committed_won": Budget.committed_won - amount_won}):
        raise DomainError(_l("The budget's committed total does not cover this amount."))
    _append(budget, LedgerEntryType.RELEASE, -amount_won, actor=actor, allowance=allowance, reason=reason)


def pay_funds(budget: Budget, amount_won: int, *, actor, allowance, batch) -> None:
    if not _move(budget, Budget.committed_won >= amount_won, {
        "committed_won": Budget.committed_won - amount_won, "paid_won": Budget.paid_won + amount_won,
    }):
        raise DomainError(_l("The budget's committed total does not cover this amount."))
    _append(budget, LedgerEntryType.PAYOUT, amount_won, actor=actor, allowance=allowance, batch=batch)


def reverse_funds(budget: Budget, amount_won: int, *, actor, allowance, reason: str,
                  idempotency_key: str | None = None) -> None:
    if not _move(budget, Budget.paid_won >= amount_won, {"paid_won": Budget.paid_won - amount_won}):
        raise DomainError(_l("The budget's paid total does not cover this amount."))
    _append(budget, LedgerEntryType.REVERSAL, -amount_won, actor=actor, allowance=allowance, reason=reason,
            idempotency_key=idempotency_key)


def ledger_totals(budget_id: int) -> dict[str, int]:
    """Committed and paid totals recomputed from the ledger rows alone."""
    amount, kind = LedgerEntry.amount_won, LedgerEntry.entry_type
    committed, paid = db.session.execute(
        select(
            func.coalesce(func.sum(case(
                (kind.in_([LedgerEntryType.COMMIT, LedgerEntryType.RELEASE]), amount),
                (kind == LedgerEntryType.PAYOUT, -amount), else_=0)), 0),
            func.coalesce(func.sum(case(
                (kind.in_([LedgerEntryType.PAYOUT, LedgerEntryType.REVERSAL]), amount), else_=0)), 0),
        ).where(LedgerEntry.budget_id == budget_id)
    ).one()
    return {"committed_won": int(committed), "paid_won": int(paid)}
