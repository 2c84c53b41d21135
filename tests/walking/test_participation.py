"""Joining needs the health consent; leaving or withdrawing it stops collection; scoped tokens."""
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import ConsentItem
from app.core import utcnow
from app.extensions import db
from app.walking.models import MileageEntry, StepRecord, WalkingParticipant
from app.walking.services.participation import purge_step_records


def test_joining_without_the_health_consent_is_409_and_changes_nothing(make_user, auth_header, client):
    user = make_user()
    header = {**auth_header(user), "Accept-Language": "en"}
    response = client.put("/api/v1/me/walking", headers=header)
    assert response.status_code == 409 and "health data" in response.get_json()["error"]["message"]
    assert db.session.get(WalkingParticipant, user.id) is None
    assert client.get("/api/v1/me", headers=header).status_code == 200  # nothing else is refused


def test_join_leave_and_rejoin(make_user, auth_header, client):
    user = make_user()
    header = {**auth_header(user), "Accept-Language": "en"}
    client.put("/api/v1/me/consents/health", json={"granted": True}, headers=header)
    joined = client.put("/api/v1/me/walking", headers=header)
    assert joined.status_code == 200 and joined.get_json()["participating"] is True
    assert client.put("/api/v1/me/walking", headers=header).status_code == 409
    left = client.delete("/api/v1/me/walking", headers=header).get_json()
    assert left["participating"] is False and left["retention_days"] == 365
    assert "mileage ledger stays" in left["data_notice"]
    assert client.delete("/api/v1/me/walking", headers=header).status_code == 409
    assert client.put("/api/v1/me/walking", headers=header).get_json()["participating"] is True


def test_withdrawing_the_health_consent_stops_collection_at_once(walker, fund, auth_header, client, days_ago,
                                                                 post_steps, steps_header):
    user = walker()
    fund()
    header = steps_header(user)
    assert post_steps(header, {"date": days_ago(1), "steps": 7000}).status_code == 200
    client.put("/api/v1/me/consents/health", json={"granted": False}, headers=auth_header(user))
    refused = post_steps(header, {"date": days_ago(0), "steps": 7000})
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(WalkingParticipant, user.id).active is False
    assert db.session.scalar(select(func.count()).select_from(MileageEntry)) == 1  # the ledger stays
    # and the page says so
    page = client.get("/walking/", headers={"Accept-Language": "en"})
    assert page.status_code in (302, 401)  # not logged in through a session here


def test_step_records_are_deleted_after_the_retention_period_but_the_ledger_stays(walker, fund, post_steps,
                                                                                 steps_header, days_ago, runner):
    user = walker()
    fund()
    post_steps(steps_header(user), {"date": days_ago(1), "steps": 7000})
    assert purge_step_records() == 0
    record = db.session.scalar(select(StepRecord))
    record.received_at = utcnow() - timedelta(days=366)
    db.session.commit()
    result = runner.invoke(args=["walking", "purge"])
    assert "Deleted 1 step record" in result.output
    assert db.session.scalar(select(func.count()).select_from(StepRecord)) == 0
    assert db.session.scalar(select(func.count()).select_from(MileageEntry)) == 1


def test_a_steps_token_posts_steps_and_reads_the_wallet_and_nothing_else(walker, steps_header, client, days_ago):
    user = walker()
    header = {**steps_header(user), "Accept-Language": "en"}
    assert client.post("/api/v1/steps", json={"date": days_ago(1), "steps": 10}, headers=header).status_code == 200
    wallet = client.get("/api/v1/me/wallet", headers=header)
    assert wallet.status_code == 200
    assert set(wallet.get_json()) >= {"mileage_balance", "converted_total", "today", "paused"}
    for method, path in [("get", "/api/v1/me"), ("get", "/api/v1/me/walking"), ("delete", "/api/v1/me/walking"),
                         ("post", "/api/v1/me/conversions"), ("get", "/api/v1/me/export"),
                         ("post", "/api/v1/me/walking/tokens"), ("get", "/api/v1/walking/missions"),
                         ("delete", "/api/v1/tokens/current")]:
        response = getattr(client, method)(path, headers=header, json={})
        assert response.status_code == 403, (method, path)
        assert "only send steps" in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(WalkingParticipant, user.id).active is True


def test_the_account_page_creates_and_revokes_a_steps_token(walker, login, client):
    user = walker()
    login(user)
    page = client.post("/walking/tokens", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "shown only once" in page.get_data(as_text=True)
    token = page.get_data(as_text=True).split('class="walking-token">')[1].split("<")[0]
    header = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me/wallet", headers=header).status_code == 200
    from app.auth.models import ApiToken

    record = db.session.scalar(select(ApiToken).where(ApiToken.scope == "steps"))
    client.post(f"/walking/tokens/{record.id}/revoke")
    assert client.get("/api/v1/me/wallet", headers=header).status_code == 401


def test_consent_item_is_its_own(make_user):
    assert ConsentItem.HEALTH in ConsentItem.optional_items() and not ConsentItem.HEALTH.required


def test_the_data_download_includes_walking(walker, fund, post_steps, steps_header, days_ago, auth_header, client):
    user = walker()
    fund()
    post_steps(steps_header(user), {"date": days_ago(1), "steps": 7000, "source": "gotju"})
    data = client.get("/api/v1/me/export?format=json", headers=auth_header(user)).get_json()
    walking = data["walking"]
    assert walking["participation"]["balance_won"] == 70
    assert walking["step_records"][0]["source"] == "gotju" and walking["mileage"][0]["amount_won"] == 70


def test_the_account_page_links_to_the_steps_token(make_user, login, client):
    login(make_user())
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/walking/tokens" in page
