"""The account provider: a real HTTP client against a provider server on 127.0.0.1 that answers slowly,
fails, times out, refuses or answers a retried request again. Never lost, never paid twice."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core import utcnow
from app.extensions import db
from app.ledger.models import Budget
from app.walking.models import Conversion, ConversionStatus
from app.walking.services.participation import participant_of
from tests.conftest import configured
from tests.walking.provider_server import FakeProvider
from tests.walking.test_conversions import _credit, convert


@pytest.fixture
def provider(app):
    with FakeProvider() as server, configured(app, WALKING_CONVERSION_PROVIDER="account",
                                              WALKING_ACCOUNT_URL=server.url, WALKING_ACCOUNT_KEY="provider-key",
                                              WALKING_ACCOUNT_TIMEOUT=0.5):
        yield server


@pytest.fixture
def linked(walker, fund, auth_header, client):
    def factory(won=5000):
        user = walker()
        if db.session.scalar(select(Budget.id)) is None:
            fund(100_000)
        _credit(user, won)
        header = auth_header(user)
        assert client.put("/api/v1/me/walking/account", json={"account": "ASANPAY-1234"},
                          headers=header).status_code == 204
        return user, header

    return factory


def status_of(conversion_id):
    db.session.expire_all()
    return db.session.get(Conversion, conversion_id).status


def test_a_transfer_is_paid_and_leaves_the_budget(provider, linked, client, runner):
    user, header = linked()
    body = convert(client, header, 2000, "account-01").get_json()
    assert body["provider"] == "account" and body["status"] == "paid" and body["transfer_reference"] == "T00001"
    assert provider.transfers[next(iter(provider.transfers))]["account"] == "ASANPAY-1234"
    db.session.expire_all()
    budget = db.session.scalar(select(Budget))
    assert (budget.committed_won, budget.paid_won) == (3000, 2000)
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_without_a_linked_account_conversion_is_refused(provider, walker, fund, auth_header, client):
    user = walker()
    fund()
    _credit(user, 3000)
    response = convert(client, auth_header(user), 1000, "no-account")
    assert response.status_code == 409 and "Link your local-currency account" in response.get_json()["error"]["message"]


def test_a_failing_provider_leaves_the_amount_reserved_and_the_retry_pays_once(provider, linked, client, runner):
    user, header = linked()
    provider.mode = "fail"
    body = convert(client, header, 2000, "account-02").get_json()
    assert body["status"] == "reserved"
    assert participant_of(user).balance_won == 3000
    provider.mode = "ok"
    assert "paid=1" in runner.invoke(args=["walking", "retry-conversions"]).output
    assert "paid=0" in runner.invoke(args=["walking", "retry-conversions"]).output
    assert status_of(body["id"]) is ConversionStatus.PAID and provider.credited_total() == 2000
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_a_timeout_after_the_provider_credited_is_settled_by_the_retry_without_paying_twice(provider, linked, client,
                                                                                         runner):
    user, header = linked()
    provider.mode, provider.delay = "slow", 1.5  # longer than the client's 0.5 s timeout
    body = convert(client, header, 3000, "account-03").get_json()
    assert body["status"] == "reserved" and provider.credited_total() == 3000
    provider.mode = "ok"  # the retry sends the same key: the provider answers the first transfer again
    runner.invoke(args=["walking", "retry-conversions"])
    assert status_of(body["id"]) is ConversionStatus.PAID
    assert len(provider.transfers) == 1 and provider.credited_total() == 3000
    db.session.expire_all()
    assert db.session.scalar(select(Budget)).paid_won == 3000
    assert participant_of(user).balance_won == 2000


def test_a_dropped_answer_then_a_duplicate_answer_pays_once(provider, linked, client, runner):
    user, header = linked()
    provider.mode = "drop"
    body = convert(client, header, 1000, "account-04").get_json()
    assert body["status"] == "reserved"
    provider.mode = "ok"
    runner.invoke(args=["walking", "retry-conversions"])
    runner.invoke(args=["walking", "retry-conversions"])
    assert status_of(body["id"]) is ConversionStatus.PAID and provider.credited_total() == 1000
    posts = [r for r in provider.requests if r[0] == "POST"]
    assert len(posts) == 2 and len({key for _m, key in posts}) == 1
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_a_refused_transfer_returns_the_amount(provider, linked, client, runner):
    user, header = linked()
    provider.mode = "refuse"
    body = convert(client, header, 2000, "account-05").get_json()
    assert body["status"] == "released"
    assert participant_of(user).balance_won == 5000
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_an_old_reservation_is_released_only_when_the_provider_says_it_has_no_such_transfer(provider, linked, client,
                                                                                           runner):
    user, header = linked()
    provider.mode = "fail"
    body = convert(client, header, 2000, "account-06").get_json()
    db.session.execute(update(Conversion).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    runner.invoke(args=["walking", "retry-conversions"])  # unreachable: kept reserved, never guessed
    assert status_of(body["id"]) is ConversionStatus.RESERVED
    provider.mode = "post-fail"  # transfers still fail, but the provider answers that it has no such transfer
    runner.invoke(args=["walking", "retry-conversions"])
    assert status_of(body["id"]) is ConversionStatus.RELEASED
    assert participant_of(user).balance_won == 5000 and provider.credited_total() == 0
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0
