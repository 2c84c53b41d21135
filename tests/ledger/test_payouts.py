import pytest
from sqlalchemy import func, select, text

from app.core import DomainError
from app.extensions import db
from app.labs.models import LabMembership, MemberGroup, MembershipStatus
from app.ledger.models import Allowance, AllowanceStatus, BankAccount, BatchStatus, Budget, LedgerEntry, LedgerEntryType
from app.ledger.services import allowances, funds, payouts


@pytest.fixture
def paid_world(make_user, make_lab, make_session, fund, attend):
    facilitator, staff = make_user(roles=["facilitator"]), make_user(roles=["staff"])
    hong = make_user(display_name="홍길동")
    park = make_user(display_name="박영희")
    lab = make_lab(facilitator, [hong, park])
    budget = fund(lab, allocated=500_000, per_session=20_000, cap=200_000)
    for title in ("1회차", "2회차"):
        session = make_session(lab, title=title)
        attend(session, hong, facilitator)
        attend(session, park, facilitator)
    for allowance in db.session.scalars(select(Allowance).order_by(Allowance.id)):
        allowances.confirm_allowance(allowance, facilitator)
        allowances.approve_allowance(allowance, staff)
    db.session.commit()
    return {"staff": staff, "hong": hong, "park": park, "budget": budget, "lab": lab, "facilitator": facilitator}


def test_bank_account_number_is_encrypted_at_rest_and_shown_masked(make_user):
    user = make_user()
    account = payouts.save_bank_account(user, bank="국민은행", account_number="123-456-78901234", holder_name="홍길동")
    db.session.commit()
    stored = db.session.execute(text("SELECT * FROM bank_accounts")).mappings().one()
    assert all("78901234" not in str(value) and "12345678901234" not in str(value) for value in stored.values())
    assert account.masked_number == "***-****-1234"


@pytest.mark.parametrize("number", ["12345", "1234-5678-9", "12345678901234567", "1234 5678 9012", "abc-1234567890",
                                    "-1234567890", "1234567890-"])
def test_bank_account_numbers_must_be_10_to_16_digits_with_hyphens(make_user, number):
    with pytest.raises(DomainError, match="10 to 16 digits"):
        payouts.save_bank_account(make_user(), bank="국민은행", account_number=number, holder_name="홍길동")


def test_bank_must_be_a_listed_korean_bank(make_user):
    with pytest.raises(DomainError, match="Choose a bank"):
        payouts.save_bank_account(make_user(), bank="Bank of Nowhere", account_number="1234567890", holder_name="x")


def test_members_without_a_bank_account_are_blocked_not_dropped(paid_world):
    payouts.save_bank_account(paid_world["hong"], bank="신한은행", account_number="110-123-456789",
                              holder_name="홍길동")
    batch, blocked = payouts.create_batch(paid_world["staff"])
    db.session.commit()
    assert {a.user_id for a in batch.allowances} == {paid_world["hong"].id}
    assert [a.user_id for a, _ in blocked] == [paid_world["park"].id] * 2
    assert all("No bank account registered" in reason for _, reason in blocked)
    # they stay approved, waiting for the next batch
    assert db.session.scalar(select(func.count()).select_from(Allowance).where(
        Allowance.status == AllowanceStatus.APPROVED, Allowance.batch_id.is_(None))) == 2


def test_csv_export_has_one_exact_row_per_member(app, paid_world):
    payouts.save_bank_account(paid_world["hong"], bank="신한은행", account_number="110-123-456789",
                              holder_name="홍길동")
    payouts.save_bank_account(paid_world["park"], bank="카카오뱅크", account_number="3333-01-1234567",
                              holder_name="박영희")
    batch, _ = payouts.create_batch(paid_world["staff"])
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        content = payouts.export_batch_csv(batch, paid_world["staff"])
    assert content == ("\ufeff이름,은행,계좌번호,금액\r\n"
                       "홍길동,신한은행,110-123-456789,40000\r\n"
                       "박영희,카카오뱅크,3333-01-1234567,40000\r\n").encode("utf-8")
    assert batch.exported_at is not None


def test_marking_a_batch_paid_moves_committed_to_paid_with_payout_entries(paid_world):
    for member, number in ((paid_world["hong"], "1101234567"), (paid_world["park"], "3333011234")):
        payouts.save_bank_account(member, bank="농협은행", account_number=number, holder_name=member.display_name)
    batch, _ = payouts.create_batch(paid_world["staff"])
    db.session.commit()
    with pytest.raises(DomainError, match="Export the batch"):
        payouts.mark_batch_paid(batch, paid_world["staff"])
    db.session.rollback()
    batch = db.session.get(type(batch), batch.id)
    payouts.export_batch_csv(batch, paid_world["staff"])
    payouts.mark_batch_paid(batch, paid_world["staff"])
    db.session.commit()
    budget = db.session.get(Budget, paid_world["budget"].id)
    assert (budget.committed_won, budget.paid_won, budget.remaining_won) == (0, 80_000, 420_000)
    assert batch.status is BatchStatus.PAID
    assert {a.status for a in batch.allowances} == {AllowanceStatus.PAID}
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.entry_type == LedgerEntryType.PAYOUT, LedgerEntry.batch_id == batch.id)) == 4
    with pytest.raises(DomainError, match="paid already"):
        payouts.mark_batch_paid(batch, paid_world["staff"])


def pay_everything(world):
    for member in (world["hong"], world["park"]):
        payouts.save_bank_account(member, bank="우리은행", account_number="1002123456789",
                                  holder_name=member.display_name)
    batch, _ = payouts.create_batch(world["staff"])
    payouts.export_batch_csv(batch, world["staff"])
    payouts.mark_batch_paid(batch, world["staff"])
    db.session.commit()
    return batch


def test_a_paid_amount_is_corrected_only_by_a_reversing_entry(paid_world):
    batch = pay_everything(paid_world)
    allowance = batch.allowances[0]
    payout_entry = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.allowance_id == allowance.id, LedgerEntry.entry_type == LedgerEntryType.PAYOUT)).one()
    allowances.reverse_payment(allowance, "같은 회차 중복 지급", paid_world["staff"])
    db.session.commit()
    assert (allowance.status, allowance.reversal_reason) == (AllowanceStatus.REVERSED, "같은 회차 중복 지급")
    assert allowance.amount_won == 20_000
    assert db.session.get(LedgerEntry, payout_entry.id).amount_won == 20_000
    entries = db.session.execute(select(LedgerEntry.entry_type, LedgerEntry.amount_won, LedgerEntry.reason).where(
        LedgerEntry.allowance_id == allowance.id).order_by(LedgerEntry.id)).all()
    assert entries == [(LedgerEntryType.COMMIT, 20_000, ""), (LedgerEntryType.PAYOUT, 20_000, ""),
                       (LedgerEntryType.REVERSAL, -20_000, "같은 회차 중복 지급")]
    assert db.session.get(Budget, paid_world["budget"].id).paid_won == 60_000
    with pytest.raises(DomainError, match="Only a paid allowance can be reversed"):
        allowances.reverse_payment(allowance, "again", paid_world["staff"])


def test_paid_or_batched_allowances_cannot_be_rejected(paid_world):
    batch = pay_everything(paid_world)
    with pytest.raises(DomainError, match="cannot be rejected"):
        allowances.reject_allowance(batch.allowances[0], paid_world["staff"], "늦게 발견")


def test_cached_budget_totals_equal_the_sums_of_the_ledger(paid_world, make_session, attend):
    pay_everything(paid_world)
    reversed_one = db.session.scalars(select(Allowance).where(Allowance.status == AllowanceStatus.PAID)).first()
    allowances.reverse_payment(reversed_one, "오류", paid_world["staff"])
    session = make_session(paid_world["lab"], title="3회차")
    attend(session, paid_world["hong"], paid_world["facilitator"])
    attend(session, paid_world["park"], paid_world["facilitator"])
    approved_then_rejected, still_approved = db.session.scalars(
        select(Allowance).where(Allowance.status == AllowanceStatus.PENDING).order_by(Allowance.id)).all()
    for allowance in (approved_then_rejected, still_approved):
        allowances.confirm_allowance(allowance, paid_world["facilitator"])
        allowances.approve_allowance(allowance, paid_world["staff"])
    allowances.reject_allowance(approved_then_rejected, paid_world["staff"], "출석 취소")
    db.session.commit()
    budget = db.session.get(Budget, paid_world["budget"].id)
    db.session.refresh(budget)
    assert funds.ledger_totals(budget.id) == {"committed_won": budget.committed_won, "paid_won": budget.paid_won}
    assert (budget.committed_won, budget.paid_won) == (20_000, 60_000)


def test_a_member_never_in_a_lab_cannot_claim_even_with_a_bank_account(paid_world, make_user):
    outsider = make_user()
    db.session.add(LabMembership(lab_id=paid_world["lab"].id, user_id=outsider.id, group=MemberGroup.CITIZEN,
                                 motivation="m", status=MembershipStatus.APPLIED))
    db.session.commit()
    from tests.ledger.conftest import upload
    from app.ledger.models import ExpenseCategory
    from datetime import date

    with pytest.raises(DomainError, match="only for a lab you are a member of"):
        allowances.claim_expense(outsider, lab_id=paid_world["lab"].id, category=ExpenseCategory.TRANSPORT,
                                 amount_won=1000, spent_on=date.today(), description="x", receipt_upload=upload())
    assert db.session.scalar(select(func.count()).select_from(BankAccount)) == 0


def test_csv_headers_follow_the_locale(app, paid_world):
    payouts.save_bank_account(paid_world["hong"], bank="신한은행", account_number="1101234567", holder_name="홍길동")
    batch, _ = payouts.create_batch(paid_world["staff"])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        content = payouts.export_batch_csv(batch, paid_world["staff"])
    assert content.decode("utf-8").splitlines()[0] == "\ufeffname,bank,account number,amount"


@pytest.mark.parametrize("name", ["", "   ", "=HYPERLINK(\"http://x\")", "+821012345678", "@SUM(A1)", "-1", "1홍길동"])
def test_holder_names_must_be_names_so_the_export_carries_no_formula(make_user, name):
    with pytest.raises(DomainError, match="as it is registered at the bank"):
        payouts.save_bank_account(make_user(), bank="국민은행", account_number="1234567890", holder_name=name)


@pytest.mark.parametrize("name", ["홍길동", "김 철수", "John Smith", "Mary-Jane O. Lee", "남궁 민"])
def test_ordinary_holder_names_are_accepted(make_user, name):
    assert payouts.save_bank_account(make_user(), bank="국민은행", account_number="1234567890",
                                     holder_name=name).holder_name == name


def test_reconcile_command_reports_a_budget_whose_cache_drifted(runner, paid_world):
    assert runner.invoke(args=["ledger", "reconcile"]).output.endswith("0 budget(s) differ from the ledger\n")
    db.session.execute(text("UPDATE budgets SET committed_won = committed_won - 1000"))
    db.session.commit()
    result = runner.invoke(args=["ledger", "reconcile"])
    assert result.exit_code == 1
    assert "cached committed=79000 paid=0, ledger committed=80000 paid=0" in result.output
