"""Real concurrent HTTP requests on PostgreSQL (threads, each with its own test client, so its own
request, session and connection): a conflict answers 409 (API) or a flashed message (pages), never
500, even for logged-in users whose locale is read while the losing transaction is rolled back."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import Allowance, AllowanceStatus, Budget, LedgerEntry
from app.ledger.services import allowances, payouts
from tests import concurrency
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="row locks and races need PostgreSQL")]
ROUNDS = 3


def at_once(calls):
    """Run each call(client) in its own thread at the same moment; return statuses or the exception."""
    return [outcome.value if outcome.error is None  # a 500 propagates out of the test client in testing
            else f"{type(outcome.error).__name__}: {outcome.error}" for outcome in concurrency.at_once(calls)]


@pytest.fixture
def money_world(app, make_user, make_lab, make_session, fund, attend, auth_header):
    """Six confirmed 20,000-won allowances and a budget with room for three; six staff with tokens,
    two staff logged in on pages (Korean and English users: the locale comes from the account)."""
    facilitator = make_user(roles=["facilitator"])
    members = [make_user() for _ in range(6)]
    lab = make_lab(facilitator, members)
    budget = fund(lab, allocated=60_000, per_session=20_000, cap=100_000)
    session = make_session(lab)
    for member in members:
        attend(session, member, facilitator)
        payouts.save_bank_account(member, bank="국민은행", account_number="123-456-78901234", holder_name="홍길동")
    ids = []
    for allowance in db.session.scalars(select(Allowance).order_by(Allowance.id)):
        allowances.confirm_allowance(allowance, facilitator)
        ids.append(allowance.id)
    staff = [make_user(roles=["staff"]) for _ in range(6)]
    staff[1].locale = "en"
    db.session.commit()
    headers = [auth_header(person) for person in staff]
    browsers = []
    for person in staff[:2]:
        browser = app.test_client()
        assert browser.post("/login", data={"email": person.email, "password": "password123"}).status_code == 302
        browsers.append(browser)
    return {"budget": budget, "ids": ids, "headers": headers, "browsers": browsers}


def _post(app, url, headers=None, json=None):
    def call():
        return app.test_client().post(url, headers=headers, json=json).status_code

    return call


def test_concurrent_api_approvals_answer_200_or_409(app, money_world):
    ids, headers = money_world["ids"], money_world["headers"]
    results = at_once([_post(app, f"/api/v1/allowances/{i}/approve", h) for i, h in zip(ids, headers)])
    assert sorted(results) == [200] * 3 + [409] * 3, results
    db.session.expire_all()
    assert db.session.get(Budget, money_world["budget"].id).committed_won == 60_000


def test_the_same_allowance_approved_at_once_on_pages_and_api(app, money_world):
    ids, headers, browsers = money_world["ids"], money_world["headers"], money_world["browsers"]
    for number in range(ROUNDS):
        target = ids[number]
        results = at_once([
            lambda target=target: browsers[0].post(f"/allowances/{target}/approve").status_code,
            lambda target=target: browsers[1].post(f"/allowances/{target}/approve").status_code,
            _post(app, f"/api/v1/allowances/{target}/approve", headers[2]),
            _post(app, f"/api/v1/allowances/{target}/approve", headers[3]),
        ])
        assert results[:2] == [302, 302] and sorted(results[2:]) in ([200, 409], [409, 409]), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == ROUNDS
    assert db.session.get(Budget, money_world["budget"].id).committed_won == 20_000 * ROUNDS


def test_concurrent_batches_payouts_and_reversals_answer_409_not_500(app, money_world):
    ids, headers = money_world["ids"], money_world["headers"]
    for allowance_id in ids[:3]:
        assert app.test_client().post(f"/api/v1/allowances/{allowance_id}/approve",
                                      headers=headers[0]).status_code == 200
    results = at_once([_post(app, "/api/v1/payout-batches", h) for h in headers[:4]])
    assert sorted(results) == [201, 409, 409, 409], results
    batch_id = db.session.scalar(select(func.max(Allowance.batch_id)))
    assert app.test_client().post(f"/api/v1/payout-batches/{batch_id}/export", headers=headers[0]).status_code == 200
    results = at_once([_post(app, f"/api/v1/payout-batches/{batch_id}/paid", h) for h in headers[:4]])
    assert sorted(results) == [200, 409, 409, 409], results
    reason = {"reason": "잘못 지급되었습니다"}
    results = at_once([_post(app, f"/api/v1/allowances/{ids[0]}/reverse", h, reason) for h in headers[:4]])
    assert sorted(results) == [200, 409, 409, 409], results
    db.session.expire_all()
    assert db.session.get(Allowance, ids[0]).status is AllowanceStatus.REVERSED
