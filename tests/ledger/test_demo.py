from importlib import import_module

from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import Allowance, AllowanceStatus, BankAccount, Budget
from app.ledger.services.funds import ledger_totals


def test_demo_data_has_every_state_reconciles_and_is_idempotent():
    for _ in range(2):
        for name in ("app.auth.demo", "app.labs.demo", "app.ledger.demo"):
            import_module(name).seed_demo()
            db.session.commit()
    states = dict(db.session.execute(select(Allowance.status, func.count()).group_by(Allowance.status)).all())
    assert set(states) == set(AllowanceStatus) - {AllowanceStatus.REVERSED}
    assert states[AllowanceStatus.PAID] == 3
    assert db.session.scalar(select(func.count()).select_from(BankAccount)) == 2
    for budget in db.session.scalars(select(Budget)):
        assert ledger_totals(budget.id) == {"committed_won": budget.committed_won, "paid_won": budget.paid_won}
