"""The walking pages: phone-first, each with a fixed number of SQL queries, actions through forms."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.walking.models import Conversion, ConversionStatus, StepRecord
from app.walking.services import today
from tests.walking.test_conversions import _credit

EN = {"Accept-Language": "en"}


def test_the_walking_page_shows_the_consent_in_full_before_joining(make_user, login, client):
    login(make_user())
    page = client.get("/walking/", headers=EN).get_data(as_text=True)
    for words in ("Purpose", "Items", "Retention", "365 days", "Refusing changes nothing else"):
        assert words in page
    assert "Go to my consents" in page and "Join the walking programme</button>" not in page
    client.post("/account/consents", data={"consent_health": "y"})
    page = client.get("/walking/", headers=EN).get_data(as_text=True)
    assert "Join the walking programme</button>" in page
    client.post("/walking/join")
    page = client.get("/walking/", headers=EN).get_data(as_text=True)
    assert "Today" in page and "<svg" in page and "<table" in page and "Leave the walking programme" in page
    left = client.post("/walking/leave", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "No more steps are collected" in left


def test_today_week_month_and_history_with_a_fixed_number_of_queries(walker, fund, login, client, post_steps,
                                                                    steps_header, count_queries):
    user = walker()
    fund()
    header = steps_header(user)
    post_steps(header, {"records": [{"date": (today() - timedelta(days=i)).isoformat(), "steps": 5000 + 1000 * i,
                                     "source": "app"} for i in range(7)]})
    login(user)
    for path in ("/walking/", "/walking/month", "/walking/history", "/walking/coupons", "/walking/missions",
                 "/walking/tokens", "/walking/upload"):
        client.get(path)  # warm-up: the default rule is stored on first use
        with count_queries() as queries:
            response = client.get(path, headers=EN)
        assert response.status_code == 200, path
        assert len(queries) <= 12, (path, len(queries))
    today_page = client.get("/walking/", headers=EN).get_data(as_text=True)
    assert "11,000" in today_page and "Steps in the last 7 days" in today_page
    month = client.get(f"/walking/month?month={today():%Y-%m}", headers=EN).get_data(as_text=True)
    assert "<svg" in month and "Steps and mileage by day" in month
    assert client.get("/walking/month?month=garbage", headers=EN).status_code == 200


def test_converting_on_the_page_shows_a_big_barcode(walker, fund, login, client):
    user = walker()
    fund()
    _credit(user, 3000)
    login(user)
    page = client.get("/walking/coupons", headers=EN).get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    response = client.post("/walking/coupons", data={"amount": 2000, "idempotency_key": key}, headers=EN)
    assert response.status_code == 302
    again = client.post("/walking/coupons", data={"amount": 2000, "idempotency_key": key}, headers=EN)
    assert again.status_code == 302  # the same form sent twice converts once
    assert db.session.scalar(select(Conversion)).amount_won == 2000
    assert len(db.session.scalars(select(Conversion)).all()) == 1
    coupon = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert 'class="barcode"' in coupon and "Valid until" in coupon and "style=" not in coupon.split("<svg")[1]
    short = client.post("/walking/coupons", data={"amount": 5000, "idempotency_key": "x" * 20}, headers=EN,
                        follow_redirects=True)
    assert "not enough" in short.get_data(as_text=True)


def test_a_coupon_belongs_to_its_owner(walker, fund, login, client, make_user):
    user = walker()
    fund()
    _credit(user, 1000)
    from app.walking.services.conversions import convert_mileage

    conversion, _ = convert_mileage(user, amount_won=1000, idempotency_key="owner-key-1")
    db.session.commit()
    login(user)
    assert client.get(f"/walking/coupons/{conversion.id}").status_code == 200
    client.post("/logout")
    login(make_user())
    assert client.get(f"/walking/coupons/{conversion.id}").status_code == 403


def test_the_clerk_redeems_on_the_redeem_page_once(walker, fund, login, client, make_user):
    user = walker()
    fund()
    _credit(user, 1000)
    from app.walking.services.conversions import convert_mileage

    conversion, _ = convert_mileage(user, amount_won=1000, idempotency_key="clerk-key-1")
    db.session.commit()
    number = conversion.coupon_number
    login(make_user(roles=["redeemer"]))
    assert client.get("/walking/redeem").status_code == 200
    spaced = f"{number[:4]} {number[4:8]}-{number[8:]}"
    first = client.post("/walking/redeem", data={"number": spaced, "place": "농협 온양지점"}, headers=EN)
    assert first.status_code == 200 and "Coupon cashed" in first.get_data(as_text=True)
    second = client.post("/walking/redeem", data={"number": number, "place": "농협 배방지점"}, headers=EN)
    assert second.status_code == 409 and "already cashed" in second.get_data(as_text=True)
    assert "온양지점" in second.get_data(as_text=True)
    wrong = client.post("/walking/redeem", data={"number": "1111", "place": "x"}, headers=EN)
    assert "no coupon with this number" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Conversion, conversion.id).status is ConversionStatus.REDEEMED


@pytest.mark.parametrize("path", ["/walking/staff", "/walking/staff/participants", "/walking/staff/flagged",
                                  "/walking/staff/import", "/walking/staff/missions/new", "/walking/staff/rules",
                                  "/walking/staff/redemptions", "/walking/staff/export.csv"])
def test_staff_pages(walker, fund, login, client, make_user, post_steps, steps_header, path, count_queries):
    user = walker()
    fund(10_000)
    post_steps(steps_header(user), {"records": [{"date": today().isoformat(), "steps": 70000, "source": "x"},
                                                {"date": today().isoformat(), "steps": 9000, "source": "y"}]})
    login(user)
    assert client.get(path).status_code == 403
    client.post("/logout")
    login(make_user(roles=["staff"]))
    client.get(path)
    with count_queries() as queries:
        response = client.get(path, headers=EN)
    assert response.status_code == 200 and len(queries) <= 14, (path, len(queries))
    if path == "/walking/staff":
        page = response.get_data(as_text=True)
        assert "<svg" in page and "90 won" in page and "runs out on" in page
    if path.endswith("export.csv"):
        assert user.email in response.get_data(as_text=True)


def test_staff_review_top_up_rules_and_missions_on_pages(walker, fund, login, client, make_user, post_steps,
                                                         steps_header):
    user = walker()
    budget = fund(10)
    post_steps(steps_header(user), {"records": [{"date": today().isoformat(), "steps": 70000, "source": "x"}]})
    login(make_user(roles=["staff"]))
    record = db.session.scalar(select(StepRecord))
    client.post(f"/walking/staff/flagged/{record.id}", data={"decision": "cleared"})
    paused = client.get("/walking/staff", headers=EN).get_data(as_text=True)
    assert "earning is paused" in paused
    client.post("/walking/staff", data={"fiscal_year": budget.fiscal_year, "amount": 1000})
    assert "earning is paused" not in client.get("/walking/staff", headers=EN).get_data(as_text=True)
    rule = client.post("/walking/staff/rules", data={"effective_from": today().isoformat(), "min_steps": 4000,
                                                     "base_won": 40, "step_unit": 1000, "unit_won": 10,
                                                     "daily_max_won": 100, "conversion_daily_cap_won": 10000})
    assert rule.status_code == 403  # staff see the rule, admins change it
    missing = client.post("/walking/staff/missions/new", data={"title": "걷기", "kind": "steps",
                                                                "starts_on": today().isoformat(),
                                                                "ends_on": today().isoformat(), "bonus_won": 100},
                          headers=EN)
    assert missing.status_code == 422 and "target number of steps" in missing.get_data(as_text=True)
    assert 'value="걷기"' in missing.get_data(as_text=True)
