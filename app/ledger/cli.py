"""`flask ledger reconcile`: check every budget's cached totals against the sums of its ledger rows.
`flask ledger rotate-key`: re-encrypt the stored bank account numbers with the newest key."""
import sys
from collections.abc import Callable

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.ledger.models import Budget
from app.ledger.crypto import InvalidToken
from app.ledger.services.funds import ledger_totals
from app.ledger.services.payouts import rotate_encryption_key

ledger_cli = AppGroup("ledger", help="The money ledger.")

# Other domains with money of their own (walking mileage) add a check: a callable returning a list of
# differences, each one line of text.
RECONCILERS: list[Callable[[], list[str]]] = []


def register_reconciler(check) -> None:
    if check not in RECONCILERS:
        RECONCILERS.append(check)


@ledger_cli.command("reconcile")
def reconcile_command():
    """Compare each budget's committed and paid totals with its ledger (exit 1 on any difference)."""
    differences = 0
    for budget in db.session.scalars(select(Budget).order_by(Budget.id)):
        totals = ledger_totals(budget.id)
        if totals != {"committed_won": budget.committed_won, "paid_won": budget.paid_won}:
            differences += 1
            click.echo(f"budget {budget.id} ({budget.programme_type.value} {budget.programme_id}, "
                       f"{budget.fiscal_year}): cached committed={budget.committed_won} paid={budget.paid_won}, "
                       f"ledger committed={totals['committed_won']} paid={totals['paid_won']}")
    click.echo(f"{differences} budget(s) differ from the ledger")
    for check in RECONCILERS:
        for problem in check():
            differences += 1
            click.echo(problem)
    if differences:
        sys.exit(1)


@ledger_cli.command("rotate-key")
def rotate_key_command():
    """Re-encrypt every bank account number with the first key of DATA_ENCRYPTION_KEY.

    Set DATA_ENCRYPTION_KEY="NEW,OLD", run this, then set DATA_ENCRYPTION_KEY="NEW"."""
    try:
        count = rotate_encryption_key()
    except InvalidToken:
        db.session.rollback()
        click.echo("A stored account number does not open with any key in DATA_ENCRYPTION_KEY: "
                   "list the old key after the new one. Nothing was changed.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{count} bank account number(s) re-encrypted with the first key")
