from datetime import datetime

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from app.core import DomainError
from app.extensions import db
from app.ledger.models import (
    Allowance,
    AllowanceKind,
    AllowanceStatus,
    Budget,
    ExpenseCategory,
    LedgerEntry,
    LedgerEntryType,
    LedgerIsAppendOnly,
)
from app.ledger.services import allowances, payouts
from app.notifications.models import Notification
from tests.ledger.conftest import PDF, upload


@pytest.fixture
def world(make_user, make_lab, make_session, fund):
    facilitator = make_user(roles=["facilitator"])
    staff = make_user(roles=["staff"])
    member = make_user()
    lab = make_lab(facilitator, [member])
    budget = fund(lab, allocated=100_000, per_session=20_000, cap=60_000)
    return {"facilitator": facilitator, "staff": staff, "member": member, "lab": lab, "budget": budget,
            "session": make_session(lab)}


def approved(allowance, world):
    allowances.confirm_allowance(allowance, world["facilitator"])
    allowances.approve_allowance(allowance, world["staff"])
    db.session.commit()
    return allowance


def only_allowance():
    return db.session.scalars(select(Allowance)).one()


def test_attendance_creates_one_pending_allowance_at_the_rule_amount(world, attend):
    attendance = attend(world["session"], world["member"], world["facilitator"])
    allowance = only_allowance()
    assert (allowance.status, allowance.kind, allowance.amount_won) == (AllowanceStatus.PENDING,
                                                                         AllowanceKind.SESSION, 20_000)
    assert allowance.session_id == world["session"].id and allowance.budget_id == world["budget"].id
    # the receiver is idempotent: a repeated signal finds the existing allowance
    assert allowances.create_session_allowance(attendance).id == allowance.id
    assert db.session.scalar(select(func.count()).select_from(Allowance)) == 1


def test_no_allowance_without_a_budget_for_the_lab(make_user, make_lab, make_session, attend):
    facilitator, member = make_user(roles=["facilitator"]), make_user()
    lab = make_lab(facilitator, [member])
    attend(make_session(lab), member, facilitator)
    assert db.session.scalar(select(func.count()).select_from(Allowance)) == 0


def test_database_refuses_a_second_allowance_for_the_same_member_and_session(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    first = only_allowance()
    db.session.add(Allowance(user_id=first.user_id, programme_type=first.programme_type,
                             programme_id=first.programme_id, budget_id=first.budget_id, kind=AllowanceKind.SESSION,
                             session_id=first.session_id, amount_won=20_000, occurred_on=first.occurred_on))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_city_employees_get_no_allowance_from_attendance(world, make_user, attend):
    employee = make_user(city_employee=True)
    attend(world["session"], employee, world["facilitator"])
    assert db.session.scalar(select(func.count()).select_from(Allowance)) == 0


def test_every_service_refuses_city_employees(world, make_user, make_lab, attend):
    employee = make_user(city_employee=True)
    lab = make_lab(world["facilitator"], [employee])
    with pytest.raises(DomainError, match="City employees are not paid allowances"):
        payouts.save_bank_account(employee, bank="국민은행", account_number="1234567890", holder_name="공무원")
    with pytest.raises(DomainError, match="City employees are not paid allowances"):
        allowances.claim_expense(employee, lab_id=lab.id, category=ExpenseCategory.TRANSPORT, amount_won=5000,
                                 spent_on=world["session"].starts_at.date(), description="버스", receipt_upload=upload())
    attendance = attend(world["session"], world["member"], world["facilitator"])
    allowance = only_allowance()
    world["member"].is_city_employee = True  # became a city employee after attending
    db.session.commit()
    for action in (lambda: allowances.create_session_allowance(attendance),
                   lambda: allowances.confirm_allowance(allowance, world["facilitator"]),
                   lambda: allowances.approve_allowance(allowance, world["staff"])):
        with pytest.raises(DomainError, match="City employees are not paid allowances"):
            action()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_approval_commits_the_budget_and_writes_a_ledger_row(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    allowance = approved(only_allowance(), world)
    budget = db.session.get(Budget, world["budget"].id)
    assert (budget.committed_won, budget.paid_won, budget.remaining_won) == (20_000, 0, 80_000)
    entry = db.session.scalars(select(LedgerEntry)).one()
    assert (entry.entry_type, entry.amount_won, entry.allowance_id, entry.actor_id) == (
        LedgerEntryType.COMMIT, 20_000, allowance.id, world["staff"].id)
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == world["member"].id)) == \
        "allowance_approved"


def test_approval_needs_a_facilitator_confirmation_first(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    with pytest.raises(DomainError, match="confirmed can be approved"):
        allowances.approve_allowance(only_allowance(), world["staff"])


def test_nobody_confirms_or_approves_their_own_allowance(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    with pytest.raises(DomainError, match="your own"):
        allowances.confirm_allowance(only_allowance(), world["member"])


def test_approval_beyond_the_budget_is_refused_and_writes_nothing(world, make_user, make_session, attend):
    budget = world["budget"]
    db.session.execute(update(Budget).where(Budget.id == budget.id).values(allocated_won=30_000))
    db.session.commit()
    second_member = make_user()
    from app.labs.models import LabMembership, MemberGroup, MembershipStatus

    db.session.add(LabMembership(lab_id=world["lab"].id, user_id=second_member.id, group=MemberGroup.CITIZEN,
                                 motivation="m", status=MembershipStatus.ACCEPTED))
    attend(world["session"], world["member"], world["facilitator"])
    attend(world["session"], second_member, world["facilitator"])
    first, second = db.session.scalars(select(Allowance).order_by(Allowance.id)).all()
    approved(first, world)
    allowances.confirm_allowance(second, world["facilitator"])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        allowances.approve_allowance(second, world["staff"])
    assert "exceed the programme's budget: 10,000 won remain, 20,000 won needed" in str(refused.value.message)
    db.session.rollback()
    assert db.session.get(Allowance, second.id).status is AllowanceStatus.CONFIRMED
    assert db.session.get(Budget, budget.id).committed_won == 20_000
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_monthly_cap_per_person_is_checked_at_approval(world, make_session, attend):
    # cap 60,000 and 20,000 a session: the fourth session in one Seoul month is refused
    sessions = [make_session(world["lab"], starts_at=datetime(2026, 11, day, 1)) for day in (2, 3, 4, 5)]
    for session in sessions:
        attend(session, world["member"], world["facilitator"])
    rows = db.session.scalars(select(Allowance).order_by(Allowance.id)).all()
    for allowance in rows[:3]:
        approved(allowance, world)
    allowances.confirm_allowance(rows[3], world["facilitator"])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        allowances.approve_allowance(rows[3], world["staff"])
    assert "monthly cap of 60,000 won per person for November 2026: 60,000 won is approved already" in \
        str(refused.value.message)
    db.session.rollback()
    assert db.session.get(Budget, world["budget"].id).committed_won == 60_000


def test_the_cap_month_is_the_seoul_month(world, make_session, attend):
    # 2026-11-30 16:00 UTC is 2026-12-01 01:00 in Seoul
    attend(make_session(world["lab"], starts_at=datetime(2026, 11, 30, 16)), world["member"], world["facilitator"])
    assert only_allowance().occurred_on.isoformat() == "2026-12-01"


def test_rejection_needs_a_reason_and_the_resident_sees_it(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    allowance = only_allowance()
    with pytest.raises(DomainError, match="Give a reason"):
        allowances.reject_allowance(allowance, world["staff"], "   ")
    allowances.reject_allowance(allowance, world["staff"], "출석 기록과 다릅니다")
    db.session.commit()
    assert (allowance.status, allowance.rejection_reason) == (AllowanceStatus.REJECTED, "출석 기록과 다릅니다")
    notification = db.session.scalars(select(Notification).where(Notification.user_id == world["member"].id)).one()
    assert notification.params["reason"] == "출석 기록과 다릅니다"


def test_rejecting_an_approved_allowance_releases_the_budget(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    allowance = approved(only_allowance(), world)
    allowances.reject_allowance(allowance, world["staff"], "중복 신청")
    db.session.commit()
    assert db.session.get(Budget, world["budget"].id).committed_won == 0
    kinds = db.session.execute(select(LedgerEntry.entry_type, LedgerEntry.amount_won).order_by(LedgerEntry.id)).all()
    assert kinds == [(LedgerEntryType.COMMIT, 20_000), (LedgerEntryType.RELEASE, -20_000)]


def test_ledger_rows_can_never_be_changed_or_deleted(world, attend):
    attend(world["session"], world["member"], world["facilitator"])
    approved(only_allowance(), world)
    entry = db.session.scalars(select(LedgerEntry)).one()
    entry.amount_won = 1
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(LedgerEntry)).one())
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerIsAppendOnly):
        db.session.execute(update(LedgerEntry).values(amount_won=0))
    db.session.rollback()
    assert db.session.scalar(text("SELECT amount_won FROM ledger_entries")) == 20_000


def test_expense_claim_is_pending_with_its_receipt(world, app):
    claim = allowances.claim_expense(world["member"], lab_id=world["lab"].id, category=ExpenseCategory.MATERIALS,
                                     amount_won=12_500, spent_on=world["session"].starts_at.date(),
                                     description="포스트잇과 펜", receipt_upload=upload(PDF, "영수증.pdf"))
    db.session.commit()
    assert (claim.kind, claim.status, claim.amount_won, claim.receipt_type) == (
        AllowanceKind.EXPENSE, AllowanceStatus.PENDING, 12_500, "application/pdf")
    from app.storage import storage

    assert storage().read(f"receipts/{claim.receipt_file}") == PDF
    assert db.session.scalar(select(Notification.user_id)) == world["facilitator"].id


@pytest.mark.parametrize("content, message", [
    (b"MZ\x90\x00 not an image", "must be a PNG, JPEG or WebP image or a PDF"),
    (b"GIF89a" + b"\x00" * 20, "must be a PNG, JPEG or WebP image or a PDF"),
    (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "at most 5 MB"),
])
def test_expense_claim_refuses_bad_receipts(world, content, message):
    with pytest.raises(DomainError, match=message):
        allowances.claim_expense(world["member"], lab_id=world["lab"].id, category=ExpenseCategory.TRANSPORT,
                                 amount_won=3000, spent_on=world["session"].starts_at.date(), description="버스",
                                 receipt_upload=upload(content, "x.pdf"))


def test_only_lab_members_claim_expenses(world, make_user):
    with pytest.raises(DomainError, match="only for a lab you are a member of"):
        allowances.claim_expense(make_user(), lab_id=world["lab"].id, category=ExpenseCategory.TRANSPORT,
                                 amount_won=3000, spent_on=world["session"].starts_at.date(), description="버스",
                                 receipt_upload=upload())


def test_a_rolled_back_claim_leaves_no_receipt_file(world, app):
    from app.storage import storage

    claim = allowances.claim_expense(world["member"], lab_id=world["lab"].id, category=ExpenseCategory.TRANSPORT,
                                     amount_won=2500, spent_on=world["session"].starts_at.date(), description="택시",
                                     receipt_upload=upload())
    key = f"receipts/{claim.receipt_file}"
    assert storage().exists(key)
    db.session.rollback()
    assert not storage().exists(key)
