"""Bank accounts and payout batches: approved allowances exported for the bank transfer, then paid."""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.privacy.access import log_personal_data_access
from app.privacy.models import DataAccessAction, DataKind
from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.ledger.crypto import decrypt_text, encrypt_text
from app.ledger.models import KOREAN_BANKS, Allowance, AllowanceStatus, BankAccount, PayoutBatch
from app.ledger.services.allowances import CITY_EMPLOYEE_REFUSAL, STATEMENT_URL, refuse_city_employee
from app.ledger.services.funds import pay_funds
from app.notifications.services import notify

ACCOUNT_NUMBER = re.compile(r"^[0-9]+(-[0-9]+)*$")
# A name starts with a letter: this also keeps spreadsheet formulas (=, +, -, @) out of the export.
HOLDER_NAME = re.compile(r"^[^\W\d_][\w .·()-]*$")
NO_BANK_ACCOUNT = _l("No bank account registered: ask the resident to add one under My allowances.")


def bank_account_of(user_id: int) -> BankAccount | None:
    return db.session.scalar(select(BankAccount).filter_by(user_id=user_id))


def check_account_number(number: str) -> str:
    number = (number or "").strip()
    digits = number.replace("-", "")
    if not ACCOUNT_NUMBER.match(number) or not 10 <= len(digits) <= 16:
        raise DomainError(_l("Enter the account number as 10 to 16 digits, with or without hyphens."),
                          field="account_number", status=422)
    return number


def save_bank_account(user: User, *, bank: str, account_number: str, holder_name: str) -> BankAccount:
    refuse_city_employee(user)
    if bank not in KOREAN_BANKS:
        raise DomainError(_l("Choose a bank from the list."), field="bank", status=422)
    number = check_account_number(account_number)
    holder_name = (holder_name or "").strip()
    if not HOLDER_NAME.match(holder_name):
        raise DomainError(_l("Enter the account holder's name as it is registered at the bank."),
                          field="holder_name", status=422)
    account = bank_account_of(user.id)
    if account is None:
        account = BankAccount(user_id=user.id)
        db.session.add(account)
    account.bank = bank
    account.account_number_encrypted = encrypt_text(number)
    account.account_last4 = number.replace("-", "")[-4:]
    account.holder_name = holder_name
    db.session.flush()
    audit.record(user, "bank_account.saved", "bank_account", account.id, bank=bank)
    return account


def _unbatched_approved() -> list[Allowance]:
    return list(db.session.scalars(
        select(Allowance).options(joinedload(Allowance.user))
        .where(Allowance.status == AllowanceStatus.APPROVED, Allowance.batch_id.is_(None))
        .order_by(Allowance.user_id, Allowance.id)
    ))


def _payability(allowances: list[Allowance]) -> tuple[list[Allowance], list[tuple[Allowance, object]]]:
    accounts = {a.user_id for a in db.session.scalars(
        select(BankAccount).where(BankAccount.user_id.in_({a.user_id for a in allowances})))}
    payable, blocked = [], []
    for allowance in allowances:
        if allowance.user.is_city_employee:
            blocked.append((allowance, CITY_EMPLOYEE_REFUSAL))
        elif allowance.user_id not in accounts:
            blocked.append((allowance, NO_BANK_ACCOUNT))
        else:
            payable.append(allowance)
    return payable, blocked


def awaiting_payout() -> tuple[list[Allowance], list[tuple[Allowance, object]]]:
    """Approved allowances not yet in a batch: those a batch would take, and the blocked ones with why."""
    return _payability(_unbatched_approved())


def create_batch(actor: User) -> tuple[PayoutBatch, list[tuple[Allowance, object]]]:
    payable, blocked = awaiting_payout()
    if not payable:
        raise DomainError(_l("No approved allowance can be paid yet."))
    batch = PayoutBatch(created_by_id=actor.id)
    db.session.add(batch)
    db.session.flush()
    for allowance in payable:
        allowance.batch_id = batch.id
    try:
        db.session.flush()
    except StaleDataError as error:
        raise DomainError(_l("Someone else changed these allowances at the same moment. Reload and try again.")) \
            from error
    audit.record(actor, "payout_batch.created", "payout_batch", batch.id, allowances=len(payable),
                 total_won=sum(a.amount_won for a in payable))
    return batch, blocked


def batch_rows(batch: PayoutBatch) -> list[dict]:
    """One transfer per member: the holder's name, bank, full account number and the summed amount."""
    totals = _totals_by_member(batch)
    accounts = {a.user_id: a for a in db.session.scalars(select(BankAccount).where(BankAccount.user_id.in_(totals)))}
    rows = []
    for user_id, amount in totals.items():
        account = accounts[user_id]
        rows.append({"user_id": user_id, "name": account.holder_name, "bank": account.bank,
                     "account": account, "amount_won": amount})
    return rows


def export_batch_csv(batch: PayoutBatch, actor: User) -> bytes:
    """The CSV for the city's bank-transfer system: UTF-8 with a BOM so that Excel reads Korean."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # Lower-case msgids: the transfer system's column names, translated apart from the page headings.
    writer.writerow([_("name"), _("bank"), _("account number"), _("amount")])
    rows = batch_rows(batch)
    log_personal_data_access(actor, [row["user_id"] for row in rows], DataKind.BANK_ACCOUNT,
                             target_type="payout_batch", target_id=batch.id, action=DataAccessAction.EXPORT)
    for row in rows:
        writer.writerow([row["name"], row["bank"], decrypt_text(row["account"].account_number_encrypted),
                         row["amount_won"]])
    batch.exported_at, batch.exported_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "payout_batch.exported", "payout_batch", batch.id)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def mark_batch_paid(batch: PayoutBatch, actor: User) -> PayoutBatch:
    now = utcnow()
    batch.mark_paid(actor, now)
    for allowance in batch.allowances:
        allowance.mark_paid(now)
    try:
        db.session.flush()
    except StaleDataError as error:
        raise DomainError(_l("Someone else changed this batch at the same moment. Reload and try again.")) from error
    for allowance in batch.allowances:
        pay_funds(allowance.budget, allowance.amount_won, actor=actor, allowance=allowance, batch=batch)
    db.session.flush()
    audit.record(actor, "payout_batch.paid", "payout_batch", batch.id,
                 total_won=sum(a.amount_won for a in batch.allowances))
    for user_id, total in _totals_by_member(batch).items():
        notify([user_id], "allowance_paid", STATEMENT_URL, amount=f"{total:,}")
    return batch


def _totals_by_member(batch: PayoutBatch) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for allowance in batch.allowances:
        totals[allowance.user_id] += allowance.amount_won
    return totals


def batch_total(batch: PayoutBatch) -> int:
    return sum(a.amount_won for a in batch.allowances)
