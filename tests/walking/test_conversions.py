"""Conversions to local currency: coupons, idempotency, daily cap, redemption once, expiry, the ledger."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.core import utcnow
from app.extensions import db
from app.ledger.models import Budget, LedgerEntry, LedgerEntryType
from app.walking.models import Conversion, ConversionStatus, MileageEntry, WalkingParticipant
from app.walking.services.conversions import luhn_digit, new_coupon_number, valid_coupon_number
from app.walking.services.crediting import credit_pending
from app.walking.services.participation import participant_of


@pytest.fixture
def rich(walker, fund):
    """rich(won) -> a resident with that much mileage credited (days with 100 won each)."""

    def factory(won=5000):
        from app.walking.models import MileageKind

        user = walker()
        budget = fund(won * 2) if not db.session.scalar(select(Budget.id)) else None
        _credit(user, won)
        return user

    return factory


def _credit(user, won):
    """Give a resident mileage through the real path: committed budget + a day entry + the cached balance."""
    from datetime import date

    from app.walking.models import WalkingDay
    from app.walking.services.rules import rule_on

    rule = rule_on(date(2026, 1, 1))
    db.session.add(WalkingDay(user_id=user.id, day=date(2026, 1, 1), steps=0, rule_id=rule.id, reward_won=won,
                              credited_won=0, pending=True))
    db.session.flush()
    credit_pending(user_ids=[user.id])
    db.session.commit()


def convert(client, header, amount, key):
    return client.post("/api/v1/me/conversions", json={"amount": amount, "idempotency_key": key},
                       headers={**header, "Accept-Language": "en"})


def test_a_coupon_is_issued_with_a_valid_number_and_the_balance_drops(rich, auth_header, client):
    user = rich(5000)
    header = auth_header(user)
    response = convert(client, header, 3000, "key-00000001")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["provider"] == "coupon" and body["status"] == "issued" and valid_coupon_number(body["coupon_number"])
    assert body["valid_until"]
    wallet = client.get("/api/v1/me/wallet", headers=header).get_json()
    assert (wallet["mileage_balance"], wallet["converted_total"]) == (2000, 3000)


def test_a_retry_with_the_same_key_never_converts_twice(rich, auth_header, client):
    user = rich(5000)
    header = auth_header(user)
    first = convert(client, header, 1000, "same-key-1")
    again = convert(client, header, 1000, "same-key-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert convert(client, header, 2000, "same-key-1").status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Conversion)) == 1
    assert participant_of(user).balance_won == 4000


@pytest.mark.parametrize("payload, field", [
    ({"amount": 1500, "idempotency_key": "abcdefgh"}, "amount"),
    ({"amount": 0, "idempotency_key": "abcdefgh"}, "amount"),
    ({"amount": -1000, "idempotency_key": "abcdefgh"}, "amount"),
    ({"amount": "1000", "idempotency_key": "abcdefgh"}, "amount"),
    ({"amount": 1000.0, "idempotency_key": "abcdefgh"}, "amount"),
    ({"amount": 1000, "idempotency_key": "short"}, "idempotency_key"),
    ({"amount": 1000}, "idempotency_key"),
    ({"amount": 1000, "idempotency_key": "abcdefgh", "extra": 1}, "extra"),
])
def test_bad_input_is_422_and_nothing_is_taken(rich, auth_header, client, payload, field):
    user = rich(5000)
    response = client.post("/api/v1/me/conversions", json=payload, headers=auth_header(user))
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert participant_of(user).balance_won == 5000


def test_short_balance_and_daily_cap_are_409(rich, auth_header, client, make_user):
    user = rich(12_000)
    header = auth_header(user)
    short = convert(client, header, 13_000, "too-much-1")
    assert short.status_code == 409 and "not enough" in short.get_json()["error"]["message"]
    assert convert(client, header, 10_000, "cap-key-01").status_code == 201
    capped = convert(client, header, 1000, "cap-key-02")
    assert capped.status_code == 409 and "at most 10,000 won a day" in capped.get_json()["error"]["message"]
    stranger = auth_header(make_user())
    assert convert(client, stranger, 1000, "no-join-01").status_code == 409


def test_a_coupon_is_redeemed_once_and_the_second_time_says_when_and_where(rich, auth_header, client, make_user,
                                                                         runner):
    user = rich(5000)
    number = convert(client, auth_header(user), 2000, "redeem-key").get_json()["coupon_number"]
    clerk = {**auth_header(make_user(roles=["redeemer"])), "Accept-Language": "en"}
    assert client.post(f"/api/v1/coupons/{number}/redeem", json={"place": "농협 온양지점"},
                       headers=auth_header(make_user(roles=["staff"]))).status_code == 403
    first = client.post(f"/api/v1/coupons/{number}/redeem", json={"place": "농협 온양지점"}, headers=clerk)
    assert first.status_code == 200 and first.get_json()["status"] == "redeemed"
    second = client.post(f"/api/v1/coupons/{number}/redeem", json={"place": "농협 배방지점"}, headers=clerk)
    assert second.status_code == 409
    assert "already cashed" in second.get_json()["error"]["message"] and "온양지점" in second.get_json()["error"]["message"]
    assert client.post("/api/v1/coupons/1234567890123456/redeem", json={"place": "x"}, headers=clerk).status_code == 404
    assert client.post(f"/api/v1/coupons/{number}/redeem", json={}, headers=clerk).status_code == 422
    db.session.expire_all()
    budget = db.session.scalar(select(Budget))
    assert (budget.committed_won, budget.paid_won) == (3000, 2000)
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_an_expired_coupon_returns_its_amount_and_cannot_be_cashed(rich, auth_header, client, make_user, runner):
    user = rich(5000)
    body = convert(client, auth_header(user), 2000, "expire-key").get_json()
    other = convert(client, auth_header(user), 1000, "expire-ke2").get_json()
    db.session.execute(update(Conversion).values(valid_until=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    clerk = {**auth_header(make_user(roles=["redeemer"])), "Accept-Language": "en"}
    refused = client.post(f"/api/v1/coupons/{body['coupon_number']}/redeem", json={"place": "농협"}, headers=clerk)
    assert refused.status_code == 409 and "expired" in refused.get_json()["error"]["message"]
    result = runner.invoke(args=["walking", "retry-conversions"])
    assert "expired_coupons=1" in result.output
    db.session.expire_all()
    assert participant_of(user).balance_won == 5000
    assert {c.status for c in db.session.scalars(select(Conversion))} == {ConversionStatus.EXPIRED}
    assert other["status"] == "issued"
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_reconcile_finds_a_tampered_balance(rich, runner):
    user = rich(1000)
    db.session.execute(update(WalkingParticipant).values(balance_won=999_999))
    db.session.commit()
    result = runner.invoke(args=["ledger", "reconcile"])
    assert result.exit_code == 1 and f"walking participant {user.id}" in result.output


def test_coupon_numbers_carry_a_check_digit():
    number = new_coupon_number()
    assert len(number) == 16 and valid_coupon_number(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not valid_coupon_number(wrong)
    assert luhn_digit("7992739871") == "3"


def test_the_ledger_rows_match(rich, auth_header, client):
    user = rich(3000)
    convert(client, auth_header(user), 1000, "ledger-key")
    kinds = db.session.scalars(select(MileageEntry.amount_won).order_by(MileageEntry.id)).all()
    assert kinds == [3000, -1000]
    assert db.session.scalar(select(func.sum(LedgerEntry.amount_won)).where(
        LedgerEntry.entry_type == LedgerEntryType.COMMIT)) == 3000
