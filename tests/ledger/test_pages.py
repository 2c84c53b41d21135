import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.labs.services.sessions import record_attendance
from app.ledger.models import Allowance, AllowanceStatus, Budget, LedgerEntry
from app.ledger.services import allowances, payouts
from tests.ledger.conftest import PDF, PNG


@pytest.fixture
def world(make_user, make_lab, make_session, fund):
    facilitator = make_user(roles=["facilitator"])
    staff = make_user(roles=["staff"])
    admin = make_user(roles=["admin", "staff"])
    member = make_user(display_name="홍길동")
    lab = make_lab(facilitator, [member])
    budget = fund(lab, allocated=100_000, per_session=20_000, cap=100_000, admin=admin)
    session = make_session(lab)
    return {"facilitator": facilitator, "staff": staff, "admin": admin, "member": member, "lab": lab,
            "budget": budget, "session": session}


def attended(world):
    """Attendance through the labs service creates the pending allowance (via the signal)."""
    record_attendance(world["session"], world["member"].id, world["facilitator"])
    db.session.commit()
    return db.session.scalars(select(Allowance)).one()


def test_statement_sends_anonymous_visitors_to_login(client):
    response = client.get("/me/allowances")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_statement_lists_allowances_with_totals_and_the_masked_account(client, login, world):
    allowance = attended(world)
    payouts.save_bank_account(world["member"], bank="국민은행", account_number="123456-01-234567", holder_name="홍길동")
    db.session.commit()
    login(world["member"])
    html = client.get("/me/allowances").get_data(as_text=True)
    assert f"/allowances/{allowance.id}" in html and "20,000" in html
    assert "***-****-4567" in html and "123456-01-234567" not in html


def test_statement_warns_when_no_bank_account_is_registered(client, login, world):
    login(world["member"])
    assert "no bank account registered yet" in client.get("/me/allowances", headers={
        "Accept-Language": "en"}).get_data(as_text=True).replace("You have no", "no")


def test_statement_queries_do_not_grow_with_the_number_of_allowances(client, login, world, make_session,
                                                                      count_queries):
    login(world["member"])
    attended(world)
    with count_queries() as few:
        client.get("/me/allowances")
    for n in range(4):
        record_attendance(make_session(world["lab"], title=f"s{n}"), world["member"].id, world["facilitator"])
    db.session.commit()
    with count_queries() as many:
        client.get("/me/allowances")
    assert len(many) == len(few)


def test_expense_claim_form_saves_the_claim_with_its_receipt(client, login, world):
    login(world["member"])
    response = client.post("/me/allowances/claim", data={
        "lab_id": world["lab"].id, "category": "transport", "amount": "4500", "spent_on": date.today().isoformat(),
        "description": "버스 왕복", "receipt": (io.BytesIO(PNG), "bus.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    claim = db.session.scalars(select(Allowance)).one()
    assert (claim.amount_won, claim.status, claim.receipt_type) == (4500, AllowanceStatus.PENDING, "image/png")


def test_expense_claim_form_refuses_a_non_image_receipt_and_saves_nothing(client, login, world):
    login(world["member"])
    response = client.post("/me/allowances/claim", headers={"Accept-Language": "en"}, data={
        "lab_id": world["lab"].id, "category": "transport", "amount": "4500", "spent_on": date.today().isoformat(),
        "description": "버스", "receipt": (io.BytesIO(b"<html>not a receipt</html>"), "receipt.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "must be a PNG, JPEG or WebP image or a PDF" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Allowance)) == 0


def test_city_employees_cannot_open_the_claim_form(client, login, make_user):
    login(make_user(city_employee=True))
    assert client.get("/me/allowances/claim").status_code == 403


def test_bank_account_form_validates_and_saves(client, login, world):
    login(world["member"])
    bad = client.post("/me/bank-account", headers={"Accept-Language": "en"},
                      data={"bank": "국민은행", "account_number": "12-34", "holder_name": "홍길동"})
    assert "10 to 16 digits" in bad.get_data(as_text=True)
    assert payouts.bank_account_of(world["member"].id) is None
    good = client.post("/me/bank-account", data={"bank": "국민은행", "account_number": "123-4567-8901",
                                                 "holder_name": "홍길동"})
    assert good.status_code == 302
    assert payouts.bank_account_of(world["member"].id).masked_number == "***-****-8901"


def test_receipt_is_served_only_to_claimant_facilitators_and_staff(client, login, world, make_user):
    from tests.ledger.conftest import upload

    claim = allowances.claim_expense(world["member"], lab_id=world["lab"].id,
                                     category=allowances.ExpenseCategory.MATERIALS, amount_won=9000,
                                     spent_on=date.today(), description="재료", receipt_upload=upload(PDF, "r.pdf"))
    db.session.commit()
    url = f"/allowances/{claim.id}/receipt"
    for user, status in ((world["member"], 200), (world["facilitator"], 200), (world["staff"], 200),
                         (make_user(), 403), (make_user(roles=["facilitator"]), 403)):
        login(user)
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert response.data == PDF and "attachment" in response.headers["Content-Disposition"]
        response.close()
        client.post("/logout")


def test_facilitator_confirms_and_staff_approve_through_the_queues(client, login, world):
    allowance = attended(world)
    login(world["facilitator"])
    assert f"/allowances/{allowance.id}/confirm" in client.get("/allowances/confirmations").get_data(as_text=True)
    client.post(f"/allowances/{allowance.id}/confirm")
    client.post("/logout")
    login(world["staff"])
    assert f"/allowances/{allowance.id}/approve" in client.get("/allowances/approvals").get_data(as_text=True)
    client.post(f"/allowances/{allowance.id}/approve")
    db.session.expire_all()
    assert db.session.get(Allowance, allowance.id).status is AllowanceStatus.APPROVED
    assert db.session.get(Budget, world["budget"].id).committed_won == 20_000


def test_residents_cannot_use_the_queues_or_decide(client, login, world, make_user):
    allowance = attended(world)
    login(make_user())
    assert client.get("/allowances/confirmations").status_code == 403
    assert client.get("/allowances/approvals").status_code == 403
    assert client.post(f"/allowances/{allowance.id}/confirm").status_code == 403
    assert client.post(f"/allowances/{allowance.id}/approve").status_code == 403
    assert client.post(f"/allowances/{allowance.id}/reject", data={"reason": "x"}).status_code == 403


def test_rejection_page_needs_a_reason_and_the_resident_sees_it(client, login, world):
    allowance = attended(world)
    login(world["staff"])
    detail = client.get(f"/allowances/{allowance.id}").get_data(as_text=True)
    assert "data-confirm" in detail and 'name="reason"' in detail
    client.post(f"/allowances/{allowance.id}/reject", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Allowance, allowance.id).status is AllowanceStatus.PENDING
    client.post(f"/allowances/{allowance.id}/reject", data={"reason": "참석 시간이 30분 미만입니다"})
    client.post("/logout")
    login(world["member"])
    assert "참석 시간이 30분 미만입니다" in client.get("/me/allowances").get_data(as_text=True)


def test_over_budget_approval_shows_the_reason_on_the_page(client, login, world, make_user, make_session):
    allowance = attended(world)
    allowances.confirm_allowance(allowance, world["facilitator"])
    db.session.execute(Budget.__table__.update().values(allocated_won=10_000))
    db.session.commit()
    login(world["staff"])
    page = client.post(f"/allowances/{allowance.id}/approve", follow_redirects=True,
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "exceed the programme&#39;s budget" in page
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_budget_pages_show_allocated_committed_paid_and_remaining(client, login, world):
    allowance = attended(world)
    allowances.confirm_allowance(allowance, world["facilitator"])
    allowances.approve_allowance(allowance, world["staff"])
    db.session.commit()
    login(world["facilitator"])
    page = client.get(f"/budgets/lab/{world['lab'].id}").get_data(as_text=True)
    for amount in ("100,000", "20,000", "80,000"):
        assert amount in page
    assert client.get("/budgets").status_code == 403
    client.post("/logout")
    login(world["staff"])
    assert "80,000" in client.get("/budgets").get_data(as_text=True)
    assert client.get("/budgets/new").status_code == 403


def test_admin_creates_budgets_and_rules(client, login, world, make_lab):
    other = make_lab(world["facilitator"], [], title="다른 랩")
    login(world["admin"])
    response = client.post("/budgets/new", data={"programme_type": "lab", "programme_id": other.id,
                                                 "fiscal_year": 2027, "amount": 300000})
    assert response.status_code == 302
    assert db.session.scalar(select(Budget.allocated_won).where(Budget.fiscal_year == 2027)) == 300_000
    again = client.post("/budgets/new", headers={"Accept-Language": "en"}, data={
        "programme_type": "lab", "programme_id": other.id, "fiscal_year": 2027, "amount": 1})
    assert "already has a budget" in again.get_data(as_text=True)
    missing = client.post("/budgets/new", headers={"Accept-Language": "en"}, data={
        "programme_type": "lab", "programme_id": 9999, "fiscal_year": 2027, "amount": 1})
    assert "There is no such programme" in missing.get_data(as_text=True)
    bad_rule = client.post("/budgets/rules", headers={"Accept-Language": "en"}, data={
        "programme_type": "lab", "programme_id": other.id, "amount_per_session": 30000, "monthly_cap": 10000})
    assert "at least the amount per session" in bad_rule.get_data(as_text=True)
    client.post("/budgets/rules", data={"programme_type": "lab", "programme_id": other.id,
                                        "amount_per_session": 30000, "monthly_cap": 90000})
    assert "30,000" in client.get(f"/budgets/lab/{other.id}").get_data(as_text=True)


def test_payout_pages_batch_export_and_pay(client, login, world, make_user):
    allowance = attended(world)
    allowances.confirm_allowance(allowance, world["facilitator"])
    allowances.approve_allowance(allowance, world["staff"])
    db.session.commit()
    login(world["staff"])
    page = client.get("/payouts", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No bank account registered" in page and "Create a payout batch" not in page
    payouts.save_bank_account(world["member"], bank="하나은행", account_number="123-456789-01234", holder_name="홍길동")
    db.session.commit()
    created = client.post("/payouts")
    batch_url = created.headers["Location"]
    batch_id = int(re.search(r"/payouts/(\d+)", batch_url).group(1))
    assert "***-****-1234" in client.get(batch_url).get_data(as_text=True)
    export = client.post(f"/payouts/{batch_id}/export")
    assert export.headers["Content-Type"].startswith("text/csv")
    assert export.data.startswith("\ufeff".encode()) and "123-456789-01234" in export.data.decode("utf-8")
    client.post(f"/payouts/{batch_id}/paid")
    db.session.expire_all()
    assert db.session.get(Allowance, allowance.id).status is AllowanceStatus.PAID
    assert db.session.get(Budget, world["budget"].id).paid_won == 20_000
    client.post("/logout")
    login(world["member"])
    assert client.get("/payouts").status_code == 403


def test_notification_links_point_at_the_ledger_pages(app):
    from flask import url_for

    from app.ledger.services.allowances import CONFIRMATIONS_URL, STATEMENT_URL

    assert (url_for("ledger.statement"), url_for("ledger.confirmations")) == (STATEMENT_URL, CONFIRMATIONS_URL)


def test_queue_budget_and_payout_pages_use_a_fixed_number_of_queries(client, login, world, make_user, make_lab,
                                                                      make_session, fund, count_queries):
    def approved_allowances_for_new_member():
        member = make_user()
        lab = make_lab(world["facilitator"], [member])
        fund(lab, admin=world["admin"])
        session = make_session(lab)
        record_attendance(session, member.id, world["facilitator"])
        allowance = db.session.scalars(select(Allowance).where(Allowance.user_id == member.id)).one()
        allowances.confirm_allowance(allowance, world["facilitator"])
        payouts.save_bank_account(member, bank="국민은행", account_number="1234567890", holder_name="주민")
        db.session.commit()
        return allowance

    pages = ["/allowances/approvals", "/budgets", "/payouts"]
    approved_allowances_for_new_member()
    login(world["staff"])
    counts = []
    for _ in range(2):
        per_page = []
        for page in pages:
            db.session.expire_all()  # the test shares the requests' session: start each count from cold
            with count_queries() as queries:
                assert client.get(page).status_code == 200
            per_page.append(len(queries))
        counts.append(per_page)
        for _ in range(3):
            approved_allowances_for_new_member()
    assert counts[0] == counts[1]
