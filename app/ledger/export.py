"""The ledger's sections of the resident's data export: allowances and expenses, and the bank account."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.ledger.crypto import decrypt_text
from app.ledger.models import Allowance, BankAccount


def _allowances(user) -> list[dict]:
    rows = db.session.scalars(select(Allowance).where(Allowance.user_id == user.id).order_by(Allowance.id))
    return [{"id": a.id, "programme": a.programme_type.value, "programme_id": a.programme_id, "kind": a.kind.value,
             "expense_category": a.expense_category.value if a.expense_category else None,
             "description": a.description, "amount_won": a.amount_won, "occurred_on": a.occurred_on.isoformat(),
             "status": a.status.value, "rejection_reason": a.rejection_reason, "has_receipt": bool(a.receipt_file),
             "created_at": iso(a.created_at), "paid_at": iso(a.paid_at), "reversed_at": iso(a.reversed_at)}
            for a in rows]


def _bank_account(user) -> list[dict]:
    account = db.session.scalar(select(BankAccount).where(BankAccount.user_id == user.id))
    if account is None:
        return []
    return [{"bank": account.bank, "account_number": decrypt_text(account.account_number_encrypted),
             "holder_name": account.holder_name, "updated_at": iso(account.updated_at)}]


def register() -> None:
    register_export("allowances", _allowances)
    register_export("bank_account", _bank_account)
