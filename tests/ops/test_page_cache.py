"""The cache of public pages (app/ops/cache.py): served to readers who are not signed in, never stale
after a committed write, never personal."""
from __future__ import annotations

import re
import uuid

import pytest
from flask import request

from app.extensions import db
from app.ops import cache
from app.proposals import services as proposal_services
from tests.conftest import is_postgres
from tests.ops.conftest import REDIS_URL, redis_or_skip

SUPPORTS = re.compile(r'<p class="counts"><span>[^<]*<strong>(\d+)</strong>')


@pytest.fixture
def page_cache(app, monkeypatch, request, tmp_path):
    """The cache on (tests run with it off), empty, with a version of this test's own: in a file on
    SQLite, in Redis on PostgreSQL (where the cache is off without Redis)."""
    if is_postgres():
        request.getfixturevalue("queue_env")  # REDIS_URL, and a job queue of this test's own
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 30)
    monkeypatch.setitem(app.config, "PAGE_CACHE_VERSION_FILE", str(tmp_path / "content-version"))
    prefix = f"page-cache-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "RATELIMIT_KEY_PREFIX", prefix)
    app.extensions["maeul_page_cache"].clear()
    cache.bump_content_version()
    yield app.extensions["maeul_page_cache"]
    app.extensions["maeul_page_cache"].clear()
    if app.config.get("REDIS_URL"):
        from app.ops.redis import redis_client

        redis_client().delete(f"{prefix}:content-version")


def state(response) -> str | None:
    return response.headers.get(cache.CACHE_HEADER)


@pytest.fixture
def flask_requests(app):
    """The paths of the requests that reached Flask's own request handling (the fast path answers before it)."""
    seen: list[str] = []

    def note():
        seen.append(request.path)

    app.before_request_funcs.setdefault(None, []).insert(0, note)
    yield seen
    app.before_request_funcs[None].remove(note)


def test_a_public_page_is_rendered_once_and_the_same_for_every_visitor(app, page_cache, make_proposal, count_queries):
    proposal = make_proposal(title="온양온천역 횡단보도 신호 연장")
    first, second = app.test_client(), app.test_client()
    miss = first.get(f"/proposals/{proposal.id}")
    with count_queries() as queries:
        hit = second.get(f"/proposals/{proposal.id}")
    assert (miss.status_code, state(miss)) == (200, "miss")
    assert (hit.status_code, state(hit)) == (200, "hit")
    assert queries == []  # no SQL at all for a hit (the version is in a file or in Redis)
    assert hit.get_data() == miss.get_data() and "온양온천역 횡단보도 신호 연장" in hit.get_data(as_text=True)
    # Nothing personal: no CSRF token to hand out, no session cookie set.
    assert "csrf_token" not in hit.get_data(as_text=True)
    assert "Set-Cookie" not in miss.headers and "Set-Cookie" not in hit.headers

    # The reader who chose English gets the English page (the locale is part of the key), not the Korean one.
    assert second.post("/language", data={"locale": "en"}).status_code == 302
    english = second.get(f"/proposals/{proposal.id}")
    assert state(english) == "miss" and '<html lang="en">' in english.get_data(as_text=True)


def test_a_hit_for_a_request_that_cannot_be_signed_in_is_answered_before_flask(app, page_cache, make_proposal,
                                                                               flask_requests):
    path = f"/proposals/{make_proposal(title='온양온천역 횡단보도 신호 연장').id}"
    visitor = app.test_client()
    miss = visitor.get(path)
    hit = visitor.get(path)
    assert (state(miss), state(hit)) == ("miss", "hit") and flask_requests == [path]  # only the miss
    assert hit.get_data() == miss.get_data()
    assert hit.headers["Content-Length"] == str(len(hit.get_data()))
    for header in ("Content-Type", "ETag", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert hit.headers[header] == miss.headers[header], header
    assert hit.headers["X-Request-ID"] != miss.headers["X-Request-ID"]  # each request its own id
    assert visitor.get(path, headers={"X-Request-ID": "proxy-7d3f9a21"}).headers["X-Request-ID"] == "proxy-7d3f9a21"
    not_modified = visitor.get(path, headers={"If-None-Match": hit.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""

    # The language from Accept-Language, as select_locale reads it for a visitor: its own page.
    english = visitor.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert state(english) == "miss" and '<html lang="en">' in english.get_data(as_text=True)
    assert state(visitor.get(path, headers={"Accept-Language": "en-GB,en;q=0.8"})) == "hit"
    # The text size from its cookie.
    visitor.set_cookie("text_size", "xlarge")
    larger = visitor.get(path)
    assert state(larger) == "miss" and "text-xlarge" in larger.get_data(as_text=True)
    assert state(visitor.get(path)) == "hit"
    assert len(flask_requests) == 3

    # A session cookie (here only a chosen language) may be a signed-in one: Flask reads it.
    visitor.post("/language", data={"locale": "ko"})
    assert state(visitor.get(path)) == "hit" and flask_requests[-1] == path and len(flask_requests) == 5
    # So does a "remember me" cookie, even one that turns out to be no good.
    other = app.test_client()
    other.set_cookie("remember_token", "1|forged")
    assert other.get(path).status_code == 200 and len(flask_requests) == 6
    # Only GET: a HEAD goes to Flask.
    assert app.test_client().head(path).status_code == 200 and len(flask_requests) == 7


def test_the_fast_path_takes_a_residents_token_only_as_long_as_flask_found_it_good(app, page_cache, make_proposal,
                                                                                    make_user, flask_requests,
                                                                                    monkeypatch):
    from app.auth.services import issue_api_token, revoke_token, token_record

    make_proposal(title="모두에게 보이는 제안입니다")
    resident, staff = make_user(), make_user(roles=["staff"], city_employee=True)
    token, staff_token, steps_token = (issue_api_token(resident), issue_api_token(staff),
                                       issue_api_token(resident, scope="steps"))
    db.session.commit()
    client = app.test_client()

    def as_(bearer):
        return client.get("/api/v1/proposals", headers={"Authorization": f"Bearer {bearer}"})

    assert state(as_(token)) == "miss" and len(flask_requests) == 1  # Flask checked the token
    assert state(as_(token)) == "hit" and len(flask_requests) == 1  # then the fast path remembered it
    # The public API without a token is limited per address: always through Flask (a hit there).
    public = client.get("/api/v1/proposals")
    assert state(public) == "hit" and "X-RateLimit-Limit" in public.headers and len(flask_requests) == 2
    assert state(as_(staff_token)) is None and len(flask_requests) == 3  # staff see hidden proposals
    assert as_(staff_token).status_code == 200 and len(flask_requests) == 4  # never remembered
    assert as_(steps_token).status_code == 403 and as_(steps_token).status_code == 403  # its scope, every time
    assert as_("not-a-token").status_code == 200 and len(flask_requests) == 7
    # A page outside the API with a token goes to Flask.
    assert client.get("/proposals/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert len(flask_requests) == 8

    # Revoking is a write: the next request is Flask's again, which no longer takes the token for a resident's.
    revoke_token(token_record(token))
    db.session.commit()
    assert state(as_(token)) is None and len(flask_requests) == 9
    assert state(as_(token)) is None and len(flask_requests) == 10

    # A remembered token is checked again by Flask after _TOKEN_MEMO_SECONDS (and its use noted there).
    fresh = issue_api_token(resident)
    db.session.commit()
    assert state(client.get("/api/v1/proposals", headers={"Authorization": f"Bearer {fresh}"})) == "miss"
    monkeypatch.setattr(cache, "_TOKEN_MEMO_SECONDS", 0)
    assert state(client.get("/api/v1/proposals", headers={"Authorization": f"Bearer {fresh}"})) == "hit"
    assert len(flask_requests) == 12


def test_a_committed_write_is_seen_by_the_next_request(app, page_cache, make_proposal, make_user, make_comment):
    proposal = make_proposal()
    reader = app.test_client()
    assert state(reader.get(f"/proposals/{proposal.id}")) == "miss"
    assert state(reader.get("/proposals/")) == "miss"
    hit = reader.get(f"/proposals/{proposal.id}")
    assert state(hit) == "hit" and SUPPORTS.search(hit.get_data(as_text=True)).group(1) == "0"
    version = cache.content_version()

    proposal_services.support_proposal(make_user(), proposal)
    db.session.commit()
    assert cache.content_version() != version
    page = reader.get(f"/proposals/{proposal.id}")
    assert state(page) == "miss"
    assert SUPPORTS.search(page.get_data(as_text=True)).group(1) == "1"

    make_comment(make_user(), proposal, body="버스 노선도 같이 바꿔 주세요.")
    assert "버스 노선도 같이 바꿔 주세요." in reader.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    listing = reader.get("/proposals/")
    assert state(listing) == "miss"


def test_a_rolled_back_change_keeps_the_version(app, page_cache, make_proposal):
    proposal = make_proposal()
    version = cache.content_version()
    proposal.title = "바뀌지 않을 제목입니다"
    db.session.flush()
    db.session.rollback()
    assert cache.content_version() == version


def test_pages_of_signed_in_residents_and_pages_with_a_message_are_never_cached(app, page_cache, make_proposal,
                                                                               make_user, login):
    proposal = make_proposal()
    anonymous = app.test_client().get(f"/proposals/{proposal.id}")
    assert state(anonymous) == "miss"
    resident = make_user()
    client = login(resident)
    for _ in range(2):
        page = client.get(f"/proposals/{proposal.id}")
        assert page.status_code == 200 and state(page) is None
        assert f"/proposals/{proposal.id}/support" in page.get_data(as_text=True)  # their own buttons
    assert f"/proposals/{proposal.id}/support" not in app.test_client().get(
        f"/proposals/{proposal.id}").get_data(as_text=True)

    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("message", "한 번만 보여 줄 안내입니다")]
    page = visitor.get("/proposals/")
    assert state(page) is None and "한 번만 보여 줄 안내입니다" in page.get_data(as_text=True)
    assert "한 번만 보여 줄 안내입니다" not in app.test_client().get("/proposals/").get_data(as_text=True)


def test_a_page_not_found_is_not_cached(app, page_cache, make_proposal):
    proposal = make_proposal()
    proposal.hidden = True
    db.session.commit()
    reader = app.test_client()
    assert reader.get(f"/proposals/{proposal.id}").status_code == 404
    proposal.hidden = False
    db.session.commit()
    assert reader.get(f"/proposals/{proposal.id}").status_code == 200


def test_the_api_list_is_shared_by_the_public_and_residents_but_not_staff(app, page_cache, make_proposal, make_user,
                                                                          auth_header):
    visible = make_proposal(title="모두에게 보이는 제안입니다")
    hidden = make_proposal(title="숨겨진 제안입니다 직원만")
    hidden.hidden = True
    db.session.commit()
    resident, staff = auth_header(make_user()), auth_header(make_user(roles=["staff"], city_employee=True))
    client = app.test_client()

    public = client.get("/api/v1/proposals")
    assert state(public) == "miss" and [p["id"] for p in public.get_json()["items"]] == [visible.id]
    as_resident = client.get("/api/v1/proposals", headers=resident)
    assert state(as_resident) == "hit" and as_resident.get_json() == public.get_json()
    as_staff = client.get("/api/v1/proposals", headers=staff)
    assert state(as_staff) is None and {p["id"] for p in as_staff.get_json()["items"]} == {visible.id, hidden.id}
    unknown = client.get("/api/v1/proposals", headers={"Authorization": "Bearer not-a-token"})
    assert state(unknown) is None  # a token that is no token is not taken for the public

    # Conditional GET: the ETag of an unchanged list answers 304 without a body.
    etag = public.headers["ETag"]
    again = client.get("/api/v1/proposals", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    make_proposal(title="새로 올라온 제안입니다")
    changed = client.get("/api/v1/proposals", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and changed.get_json()["total"] == 2


def test_search_results_follow_the_index(app, page_cache, make_proposal):
    reader = app.test_client()
    before = reader.get("/search?q=횡단보도")
    assert state(before) == "miss" and "온양온천역" not in before.get_data(as_text=True)
    make_proposal(title="온양온천역 앞 횡단보도 신호 연장",
                  body="어르신들이 건너기에 신호가 너무 짧습니다. 늘려 주세요.")
    after = reader.get("/search?q=횡단보도")
    assert state(after) == "miss" and "온양온천역" in after.get_data(as_text=True)


def test_the_version_is_shared_through_redis(app, page_cache, make_proposal, monkeypatch):
    client = redis_or_skip()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    key = f"{app.config['RATELIMIT_KEY_PREFIX']}:content-version"
    try:
        proposal = make_proposal()
        value = int(client.get(key))
        reader = app.test_client()
        assert state(reader.get(f"/proposals/{proposal.id}")) == "miss"
        assert state(reader.get(f"/proposals/{proposal.id}")) == "hit"
        client.incr(key)  # what another node does when it commits a write
        assert state(reader.get(f"/proposals/{proposal.id}")) == "miss"
        assert int(client.get(key)) == value + 1
    finally:
        client.delete(key)
        client.close()


def test_without_its_version_the_cache_steps_aside(app, page_cache, make_proposal, monkeypatch):
    proposal = make_proposal()
    with monkeypatch.context() as patch:  # undone before the fixtures' own clean-up
        # Redis unreachable: pages are served, uncached, and a write still succeeds.
        patch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")
        reader = app.test_client()
        for _ in range(2):
            page = reader.get(f"/proposals/{proposal.id}")
            assert page.status_code == 200 and state(page) is None
        proposal.title = "레디스가 없어도 저장됩니다"
        db.session.commit()
        # On PostgreSQL without Redis (several machines may share the database) the cache is off.
        patch.setitem(app.config, "REDIS_URL", "")
        patch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://db.example/maeul")
        assert not cache.enabled()


def test_without_redis_the_version_is_kept_beside_the_sqlite_database(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_VERSION_FILE", "")
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/site.db")
    cache.bump_content_version()
    first = (tmp_path / "site.db.content-version").read_text()
    cache.bump_content_version()
    assert cache.content_version() == (tmp_path / "site.db.content-version").read_text() != first


def test_a_visitor_who_chose_a_larger_text_gets_their_own_page(app, page_cache, make_proposal):
    proposal = make_proposal(title="온양온천역 횡단보도 신호 연장")
    normal, large = app.test_client(), app.test_client()
    large.set_cookie("text_size", "large")
    assert state(normal.get(f"/proposals/{proposal.id}")) == "miss"
    page = large.get(f"/proposals/{proposal.id}")
    assert state(page) == "miss" and "text-large" in page.get_data(as_text=True)
    again = large.get(f"/proposals/{proposal.id}")
    assert state(again) == "hit" and "text-large" in again.get_data(as_text=True)
    assert "text-large" not in normal.get(f"/proposals/{proposal.id}").get_data(as_text=True)
