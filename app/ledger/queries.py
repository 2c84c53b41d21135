"""Reading budgets and payout batches, shared by the ledger pages and the API."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.ledger.models import Budget, PayoutBatch, ProgrammeType


def budgets_query(*, fiscal_year: int | None = None, programme_type: ProgrammeType | None = None) -> Select:
    """Budgets, newest fiscal year first, then by programme."""
    query = select(Budget).order_by(Budget.fiscal_year.desc(), Budget.programme_type, Budget.programme_id)
    if fiscal_year is not None:
        query = query.where(Budget.fiscal_year == fiscal_year)
    if programme_type is not None:
        query = query.where(Budget.programme_type == programme_type)
    return query


def batches_query() -> Select:
    """Payout batches, newest first, with their allowances."""
    return select(PayoutBatch).options(selectinload(PayoutBatch.allowances)).order_by(PayoutBatch.id.desc())
