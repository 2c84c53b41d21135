"""Deleting an account: a request, a cancellable cooling-off period, then erasure by the purge;
legal records kept with the least identity for their configured period."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import AccessLog, ApiToken, Consent, User
from app.certificates.models import Certificate
from app.comments.models import Comment
from app.core import utcnow
from app.extensions import db
from app.ledger.models import Allowance, BankAccount
from app.privacy.models import DeletionRequest, DeletionStatus, PurgeRun, RetainedRecord
from app.privacy.retention import purge
from app.proposals.models import Proposal, Support


def ask(client, content="keep", password="password123", confirm=True):
    data = {"content": content, "password": password}
    if confirm:
        data["confirm"] = "y"
    return client.post("/account/delete", data=data, headers={"Accept-Language": "en"})


def test_a_resident_asks_sees_the_date_and_can_cancel(client, make_user, login, app):
    resident = make_user()
    login(resident)
    assert "Ask to delete my account" in client.get("/account/delete", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    response = ask(client)
    assert response.status_code == 302
    row = db.session.scalar(select(DeletionRequest))
    assert row.status is DeletionStatus.PENDING and row.keep_content
    assert row.due_at - row.requested_at == timedelta(days=app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"]) == \
        timedelta(days=7)
    page = client.get("/account/delete", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Until then you can cancel" in page
    assert ask(client).status_code == 422  # already asked
    assert client.post("/account/delete/cancel").status_code == 302
    assert db.session.scalar(select(DeletionRequest)).status is DeletionStatus.CANCELLED
    assert client.post("/account/delete/cancel").status_code == 302  # nothing to cancel: flashed, no change
    assert purge(utcnow() + timedelta(days=30))["accounts_erased"] == 0
    assert db.session.get(User, resident.id).active


@pytest.mark.parametrize("kwargs, field_message", [
    ({"password": "wrong-password"}, "The password is wrong."),
    ({"content": ""}, "Choose what happens to what you wrote."),
    ({"content": "burn"}, "Not a valid choice"),
    ({"confirm": False}, "Tick the box to confirm."),
])
def test_a_request_is_refused_with_the_reason_beside_the_field(client, make_user, login, kwargs, field_message):
    login(make_user())
    response = ask(client, **kwargs)
    assert response.status_code == 422 and field_message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 0


def test_allowances_still_open_block_a_request(client, world, login):
    db.session.execute(Allowance.__table__.update().values(status="approved"))  # approved, not yet paid
    db.session.commit()
    login(world.resident)
    response = ask(client)
    assert response.status_code == 422 and "still being decided or paid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 0


def test_the_purge_erases_exactly_when_due_and_keeps_what_the_law_requires(client, world, login, app):
    login(world.resident)
    assert ask(client).status_code == 302
    due = db.session.scalar(select(DeletionRequest)).due_at
    assert purge(due - timedelta(seconds=1))["accounts_erased"] == 0
    assert db.session.get(User, world.resident.id).email == "hong@example.kr"
    counts = purge(due)
    db.session.commit()
    assert counts["accounts_erased"] == 1
    user = db.session.get(User, world.resident.id)
    assert (user.email, user.display_name, user.district, user.birth_year, user.active) == (
        f"erased-{user.id}@invalid", "탈퇴한 회원", "", 0, False)
    assert user.roles == set()
    for model, column in [(BankAccount, BankAccount.user_id), (Consent, Consent.user_id),
                          (ApiToken, ApiToken.user_id), (AccessLog, AccessLog.user_id)]:
        assert db.session.scalar(select(func.count()).select_from(model).where(column == user.id)) == 0, model
    # What they wrote stays, under the tombstone's name; what others did is untouched.
    proposal = db.session.get(Proposal, world.proposal.id)
    assert proposal.title == "골목길 가로등 설치" and proposal.author.display_name == "탈퇴한 회원"
    assert db.session.get(Comment, world.comment.id).body.startswith("저도 찬성합니다")
    assert db.session.scalar(select(func.count()).select_from(Support).where(Support.user_id == user.id)) == 1
    other = db.session.get(User, world.other.id)
    assert other.email == "park@example.kr" and other.active
    # Legal records: the allowance paid and the certificate, with the name kept apart until the period ends.
    assert db.session.scalar(select(Allowance.amount_won).where(Allowance.user_id == user.id)) == 20000
    retained = {r.kind: r for r in db.session.scalars(select(RetainedRecord))}
    assert set(retained) == {"payment_records", "certificate_records"}
    assert retained["payment_records"].name == "홍길동" and retained["payment_records"].birth_year == 1950
    assert retained["payment_records"].keep_until == due + timedelta(days=app.config["PRIVACY_RETENTION_DAYS"][
        "payment_records"])
    assert db.session.scalar(select(Certificate.holder_name)) == "홍길동"
    # The former resident can no longer log in.
    client.post("/logout")
    assert client.post("/login", data={"email": "hong@example.kr", "password": "password123"}).status_code == 422
    # A second run the same day erases nothing more.
    again = purge(due)
    assert again["accounts_erased"] == 0 and again["retained_records_expired"] == 0
    # When the legal period ends, the kept identity goes too, and the certificate no longer names them.
    keep_until = retained["certificate_records"].keep_until
    assert purge(keep_until - timedelta(seconds=1))["retained_records_expired"] == 0
    assert purge(keep_until)["retained_records_expired"] == 2
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RetainedRecord)) == 0
    assert db.session.scalar(select(Certificate.holder_name)) == "탈퇴한 회원"


def test_removing_what_they_wrote(client, world, login):
    login(world.resident)
    assert ask(client, content="remove").status_code == 302
    purge(utcnow() + timedelta(days=8))
    db.session.commit()
    comment = db.session.get(Comment, world.comment.id)
    assert comment.body == "" and comment.deleted_at is not None
    proposal = db.session.get(Proposal, world.proposal.id)
    assert proposal.title == "삭제된 글" and proposal.body == "" and proposal.status.value == "withdrawn"
    assert "가로등" not in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_retention_periods_per_kind(app, make_user):
    from app.auth.services import issue_api_token, revoke_all_tokens
    from app.notifications.models import Notification
    from app.privacy.models import DataAccessAction, DataKind, PersonalDataAccess

    now = utcnow()
    days = app.config["PRIVACY_RETENTION_DAYS"]
    staff, resident = make_user(["staff"]), make_user()
    old, recent = now - timedelta(days=days["notifications"], seconds=1), now - timedelta(days=days["notifications"] - 1)
    db.session.add_all([Notification(user_id=resident.id, kind="role_granted", params={}, created_at=old),
                        Notification(user_id=resident.id, kind="role_granted", params={}, created_at=recent)])
    issue_api_token(resident)
    revoke_all_tokens(resident)
    db.session.flush()
    db.session.execute(ApiToken.__table__.update().values(revoked_at=now - timedelta(days=days["revoked_api_tokens"] + 1)))
    issue_api_token(resident)  # in use: kept
    for age in (days["staff_access_log"] + 1, days["staff_access_log"] - 1):
        db.session.add(PersonalDataAccess(actor_id=staff.id, subject_id=resident.id, kind=DataKind.CONTACT,
                                          action=DataAccessAction.VIEW, target_type="user", channel="page",
                                          created_at=now - timedelta(days=age)))
    sign_in_days = app.config["ACCESS_LOG_RETENTION_DAYS"]
    db.session.add_all([AccessLog(user_id=resident.id, event="login", created_at=now - timedelta(days=sign_in_days + 1)),
                        AccessLog(user_id=resident.id, event="login", created_at=now - timedelta(days=sign_in_days - 1))])
    quiet, recent_leaver = make_user(), make_user()
    quiet.active, quiet.deactivated_at = False, now - timedelta(days=days["deactivated_accounts"] + 1)
    recent_leaver.active, recent_leaver.deactivated_at = False, now - timedelta(days=days["deactivated_accounts"] - 1)
    db.session.commit()

    counts = purge(now)
    db.session.commit()
    assert counts == {"accounts_erased": 0, "deactivated_accounts_erased": 1, "retained_records_expired": 0,
                      "notifications": 1, "revoked_api_tokens": 1, "sign_in_log": 1, "staff_access_log": 1,
                      "intake_numbers_unclaimed": 0, "intake_numbers_claimed": 0, "consultation_contacts": 0,
                      "survey_guest_contacts": 0}
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    assert db.session.scalar(select(func.count()).select_from(PersonalDataAccess)) == 1
    assert db.session.get(User, quiet.id).display_name == "탈퇴한 회원"
    assert db.session.get(User, recent_leaver.id).email.endswith("@example.kr")
    assert purge(now) == {key: 0 for key in counts}  # idempotent
    assert db.session.scalar(select(func.count()).select_from(PurgeRun)) == 2


def test_the_staff_access_log_is_kept_at_least_a_year(monkeypatch):
    from config import _retention_days

    assert _retention_days("staff_access_log=30")["staff_access_log"] == 365
    assert _retention_days("notifications=10")["notifications"] == 10
    with pytest.raises(RuntimeError):
        _retention_days("everything=1")


def test_flask_privacy_purge_reports_and_logs_each_run(runner, make_user):
    resident = make_user()
    db.session.add(DeletionRequest(user_id=resident.id, keep_content=True, requested_at=utcnow(),
                                   due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "accounts_erased: 1" in result.output
    assert "accounts_erased: 0" in runner.invoke(args=["privacy", "purge"]).output
    assert [run.counts["accounts_erased"] for run in db.session.scalars(select(PurgeRun).order_by(PurgeRun.id))] == [1, 0]


def test_staff_see_pending_deletions_and_residents_do_not(client, make_user, login):
    resident, staff = make_user(), make_user(["staff"])
    login(resident)
    ask(client)
    assert client.get("/admin/privacy/deletions").status_code == 403
    client.post("/logout")
    login(staff)
    html = client.get("/admin/privacy/deletions", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"#{resident.id}" in html and "The resident asked" in html


def test_deletion_through_the_api(client, make_user, auth_header):
    resident, staff = make_user(), make_user(["staff"])
    headers = auth_header(resident)
    assert client.post("/api/v1/me/deletion", json={"password": "nope", "keep_content": "yes"},
                       headers=headers).get_json()["errors"].keys() == {"password", "keep_content"}
    created = client.post("/api/v1/me/deletion", json={"password": "password123", "keep_content": False},
                          headers=headers)
    assert created.status_code == 201 and created.get_json()["keep_content"] is False
    assert client.post("/api/v1/me/deletion", json={"password": "password123", "keep_content": False},
                       headers=headers).status_code == 409
    assert client.get("/api/v1/me/privacy", headers=headers).get_json()["deletion"]["status"] == "pending"
    listed = client.get("/api/v1/privacy/deletions", headers=auth_header(staff)).get_json()
    assert [row["user_id"] for row in listed["items"]] == [resident.id]
    assert client.get("/api/v1/privacy/deletions", headers=headers).status_code == 403
    assert client.delete("/api/v1/me/deletion", headers=headers).status_code == 204
    assert client.delete("/api/v1/me/deletion", headers=headers).status_code == 409
