import io
from datetime import date

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.labs.services.sessions import record_attendance
from app.api.models import IdempotentResponse
from app.ledger.models import Allowance, AllowanceStatus, Budget, LedgerEntry
from app.ledger.services import allowances, payouts
from tests.concurrency import at_once
from tests.ledger.conftest import PNG

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(make_user, make_lab, make_session, fund, auth_header):
    facilitator, staff = make_user(roles=["facilitator"]), make_user(roles=["staff"])
    admin, member = make_user(roles=["admin", "staff"]), make_user(display_name="홍길동")
    lab = make_lab(facilitator, [member])
    budget = fund(lab, allocated=100_000, per_session=20_000, cap=100_000, admin=admin)
    session = make_session(lab)
    record_attendance(session, member.id, facilitator)
    db.session.commit()
    headers = {name: {**auth_header(user), **EN} for name, user in
               (("facilitator", facilitator), ("staff", staff), ("admin", admin), ("member", member))}
    return {"facilitator": facilitator, "staff": staff, "admin": admin, "member": member, "lab": lab,
            "budget": budget, "session": session, "headers": headers,
            "allowance": db.session.scalars(select(Allowance)).one()}


def test_my_allowances_lists_the_statement_with_totals(client, world):
    body = client.get("/api/v1/me/allowances", headers=world["headers"]["member"]).get_json()
    assert body["total"] == 1 and body["totals"]["pending"] == 20_000 and body["totals"]["paid"] == 0
    item = body["items"][0]
    assert (item["status"], item["kind"], item["amount"]) == ("pending", "session", 20_000)
    assert item["programme"] == {"type": "lab", "id": world["lab"].id, "title": world["lab"].title}
    assert client.get("/api/v1/me/allowances?status=nonsense", headers=world["headers"]["member"]).status_code == 422
    assert client.get("/api/v1/me/allowances").status_code == 401


def test_confirm_approve_reject_flow_and_permissions(client, world):
    allowance_id, h = world["allowance"].id, world["headers"]
    assert client.post(f"/api/v1/allowances/{allowance_id}/confirm", headers=h["member"]).status_code == 403
    assert client.post(f"/api/v1/allowances/{allowance_id}/approve", headers=h["facilitator"]).status_code == 403
    early = client.post(f"/api/v1/allowances/{allowance_id}/approve", headers=h["staff"])
    assert early.status_code == 409 and "confirmed" in early.get_json()["error"]["message"]
    confirmed = client.post(f"/api/v1/allowances/{allowance_id}/confirm", headers=h["facilitator"])
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    no_reason = client.post(f"/api/v1/allowances/{allowance_id}/reject", headers=h["staff"], json={"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    approved = client.post(f"/api/v1/allowances/{allowance_id}/approve", headers=h["staff"])
    assert approved.get_json()["status"] == "approved"
    rejected = client.post(f"/api/v1/allowances/{allowance_id}/reject", headers=h["staff"],
                           json={"reason": "중복 출석 기록"})
    assert rejected.get_json()["rejection_reason"] == "중복 출석 기록"
    assert db.session.get(Budget, world["budget"].id).committed_won == 0


def test_approval_over_budget_answers_409_with_the_reason(client, world):
    allowances.confirm_allowance(world["allowance"], world["facilitator"])
    db.session.execute(text("UPDATE budgets SET allocated_won = 5000"))
    db.session.commit()
    response = client.post(f"/api/v1/allowances/{world['allowance'].id}/approve", headers=world["headers"]["staff"])
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        "Approving this would exceed the programme's budget: 5,000 won remain, 20,000 won needed.")
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_a_retried_approval_with_the_same_key_returns_the_same_answer_and_writes_nothing(client, world):
    allowances.confirm_allowance(world["allowance"], world["facilitator"])
    db.session.commit()
    headers = {**world["headers"]["staff"], "Idempotency-Key": "approve-7f3a"}
    url = f"/api/v1/allowances/{world['allowance'].id}/approve"
    first, retry = client.post(url, headers=headers), client.post(url, headers=headers)
    assert first.status_code == retry.status_code == 200
    assert first.get_json() == retry.get_json() and retry.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert db.session.get(Budget, world["budget"].id).committed_won == 20_000
    without_key = client.post(url, headers=world["headers"]["staff"])
    assert without_key.status_code == 409
    reused = client.post(f"/api/v1/allowances/{world['allowance'].id}/confirm", headers={
        **world["headers"]["staff"], "Idempotency-Key": "approve-7f3a"})
    assert reused.status_code == 422 and "Idempotency-Key" in reused.get_json()["errors"]


def test_idempotent_confirm_reject_and_mark_paid(client, world):
    h, allowance_id = world["headers"], world["allowance"].id
    key = {"Idempotency-Key": "c-1"}
    for _ in range(2):
        assert client.post(f"/api/v1/allowances/{allowance_id}/confirm",
                           headers={**h["facilitator"], **key}).status_code == 200
    for _ in range(2):
        assert client.post(f"/api/v1/allowances/{allowance_id}/reject", json={"reason": "사유"},
                           headers={**h["staff"], "Idempotency-Key": "r-1"}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(IdempotentResponse)) == 2
    assert db.session.get(Allowance, allowance_id).status is AllowanceStatus.REJECTED


def test_admin_creates_budgets_and_staff_list_them(client, world, make_lab):
    other = make_lab(world["facilitator"], [], title="두 번째 랩")
    payload = {"programme_type": "lab", "programme_id": other.id, "fiscal_year": 2027, "amount": 250_000}
    assert client.post("/api/v1/budgets", json=payload, headers=world["headers"]["staff"]).status_code == 403
    created = client.post("/api/v1/budgets", json=payload, headers=world["headers"]["admin"])
    assert created.status_code == 201
    assert created.get_json() | {"id": 0} == {
        "id": 0, "programme_type": "lab", "programme_id": other.id, "programme_title": "두 번째 랩",
        "fiscal_year": 2027, "allocated": 250_000, "committed": 0, "paid": 0, "remaining": 250_000}
    duplicate = client.post("/api/v1/budgets", json=payload, headers=world["headers"]["admin"])
    assert duplicate.status_code == 409
    invalid = client.post("/api/v1/budgets", headers=world["headers"]["admin"], json={
        "programme_type": "park", "programme_id": 0, "fiscal_year": 2027, "amount": -1, "extra": 1})
    assert invalid.status_code == 422
    assert set(invalid.get_json()["errors"]) == {"programme_type", "programme_id", "amount", "extra"}
    missing = client.post("/api/v1/budgets", headers=world["headers"]["admin"], json={
        "programme_type": "committee", "programme_id": 1, "fiscal_year": 2027, "amount": 3_000_000})
    assert missing.status_code == 422 and set(missing.get_json()["errors"]) == {"programme_id"}
    from app.committees.services.membership import create_committee

    advisory = create_committee(world["admin"], name="정책자문위원회", description="", travel_expense_won=0)
    db.session.commit()
    committee = client.post("/api/v1/budgets", headers=world["headers"]["admin"], json={
        "programme_type": "committee", "programme_id": advisory.id, "fiscal_year": 2027, "amount": 3_000_000})
    assert committee.status_code == 201 and committee.get_json()["programme_title"] == "정책자문위원회"
    listed = client.get("/api/v1/budgets?fiscal_year=2027", headers=world["headers"]["staff"]).get_json()
    assert listed["total"] == 2 and {b["programme_type"] for b in listed["items"]} == {"lab", "committee"}
    assert client.get("/api/v1/budgets", headers=world["headers"]["member"]).status_code == 403


def test_expense_claim_by_multipart_upload(client, world):
    data = {"lab_id": str(world["lab"].id), "category": "materials", "amount": "8800",
            "spent_on": date.today().isoformat(), "description": "모형 재료", "receipt": (io.BytesIO(PNG), "r.png")}
    created = client.post("/api/v1/me/allowances/claims", headers=world["headers"]["member"], data=data,
                          content_type="multipart/form-data")
    assert created.status_code == 201
    body = created.get_json()
    assert (body["kind"], body["amount"], body["expense_category"]) == ("expense", 8800, "materials")
    receipt = client.get(body["receipt_url"], headers=world["headers"]["facilitator"])
    assert receipt.status_code == 200 and receipt.data == PNG
    receipt.close()
    bad = client.post("/api/v1/me/allowances/claims", headers=world["headers"]["member"],
                      content_type="multipart/form-data",
                      data={**data, "receipt": (io.BytesIO(b"just text"), "r.png"), "bonus": "1"})
    assert bad.status_code == 422 and "bonus" in bad.get_json()["errors"]
    bad_file = client.post("/api/v1/me/allowances/claims", headers=world["headers"]["member"],
                           content_type="multipart/form-data", data={**data, "receipt": (io.BytesIO(b"x"), "r.png")})
    assert bad_file.get_json()["errors"]["receipt"] == ["The receipt must be a PNG, JPEG or WebP image or a PDF."]


def test_bank_account_api_masks_the_number(client, world):
    h = world["headers"]["member"]
    assert client.get("/api/v1/me/bank-account", headers=h).status_code == 404
    saved = client.put("/api/v1/me/bank-account", headers=h,
                       json={"bank": "토스뱅크", "account_number": "1000-1234-5678", "holder_name": "홍길동"})
    assert saved.get_json() == {"bank": "토스뱅크", "account_number": "***-****-5678", "holder_name": "홍길동"}
    wrong = client.put("/api/v1/me/bank-account", headers=h,
                       json={"bank": "토스뱅크", "account_number": "12", "holder_name": "홍길동"})
    assert wrong.status_code == 422 and "account_number" in wrong.get_json()["errors"]


def test_payout_batch_export_pay_and_reverse_through_the_api(client, world):
    h = world["headers"]
    allowances.confirm_allowance(world["allowance"], world["facilitator"])
    allowances.approve_allowance(world["allowance"], world["staff"])
    db.session.commit()
    blocked = client.post("/api/v1/payout-batches", headers=h["staff"])
    assert blocked.status_code == 409
    assert client.get("/api/v1/payout-batches", headers=h["staff"]).get_json()["blocked"][0]["reason"].startswith(
        "No bank account registered")
    payouts.save_bank_account(world["member"], bank="기업은행", account_number="010-1234-5678-90", holder_name="홍길동")
    db.session.commit()
    created = client.post("/api/v1/payout-batches", headers=h["staff"]).get_json()
    batch_id = created["batch"]["id"]
    assert created["batch"]["transfers"] == [{"member_id": world["member"].id, "name": "홍길동", "bank": "기업은행",
                                              "account_number": "***-****-7890", "amount": 20_000}]
    assert client.post(f"/api/v1/payout-batches/{batch_id}/paid", headers=h["staff"]).status_code == 409
    csv = client.post(f"/api/v1/payout-batches/{batch_id}/export", headers={**h["staff"], "Accept-Language": "ko"})
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.data.decode("utf-8") == "\ufeff이름,은행,계좌번호,금액\r\n홍길동,기업은행,010-1234-5678-90,20000\r\n"
    key = {"Idempotency-Key": "pay-batch-1"}
    paid = [client.post(f"/api/v1/payout-batches/{batch_id}/paid", headers={**h["staff"], **key}) for _ in range(2)]
    assert [r.status_code for r in paid] == [200, 200] and paid[0].get_json() == paid[1].get_json()
    assert db.session.get(Budget, world["budget"].id).paid_won == 20_000
    reversed_ = client.post(f"/api/v1/allowances/{world['allowance'].id}/reverse", headers=h["staff"],
                            json={"reason": "계좌 오류로 반환됨"})
    assert reversed_.get_json()["status"] == "reversed"
    entries = client.get(f"/api/v1/budgets/{world['budget'].id}/entries", headers=h["facilitator"]).get_json()
    assert [(e["type"], e["amount"]) for e in entries["items"]] == [
        ("reversal", -20_000), ("payout", 20_000), ("commit", 20_000)]


def test_concurrent_api_approvals_never_overspend(app, client, make_user, make_lab, make_session, fund,
                                                  auth_header):
    facilitator = make_user(roles=["facilitator"])
    members = [make_user() for _ in range(4)]
    lab = make_lab(facilitator, members)
    budget = fund(lab, allocated=40_000, per_session=20_000, cap=100_000)
    session = make_session(lab)
    for member in members:
        record_attendance(session, member.id, facilitator)
    for allowance in db.session.scalars(select(Allowance)):
        allowances.confirm_allowance(allowance, facilitator)
    db.session.commit()
    ids = list(db.session.scalars(select(Allowance.id)))
    headers = [auth_header(make_user(roles=["staff"])) for _ in ids]

    def approve(allowance_id, header):
        client = app.test_client()
        return lambda: client.post(f"/api/v1/allowances/{allowance_id}/approve", headers=header).status_code

    statuses = [outcome.value for outcome in at_once([approve(i, h) for i, h in zip(ids, headers)])]
    assert sorted(statuses) == [200, 200, 409, 409]
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).committed_won == 40_000
    assert db.session.scalar(select(func.sum(LedgerEntry.amount_won))) == 40_000
