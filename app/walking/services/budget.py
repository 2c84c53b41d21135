"""Staff add money to the walking budget; earning resumes at once for every day that waited."""
from __future__ import annotations

from flask import current_app

from app.ledger.models import ProgrammeType
from app.ledger.services.funds import add_to_budget, create_budget
from app.walking.services.crediting import credit_pending, walking_budget


def top_up(*, fiscal_year: int, amount_won: int, actor) -> dict:
    budget = walking_budget(fiscal_year)
    if budget is None:
        create_budget(programme_type=ProgrammeType.WALKING, programme_id=current_app.config["WALKING_PROGRAMME_ID"],
                      fiscal_year=fiscal_year, allocated_won=amount_won, actor=actor)
    else:
        add_to_budget(budget, amount_won, actor=actor)
    return credit_pending(actor=actor)
