"""The cache of public pages (app/ops/cache.py): served to readers who are not signed in, never stale
after a committed write, never personal."""
from __future__ import annotations

import re
import uuid

import pytest

from app.extensions import db
from app.ops import cache
from app.proposals import services as proposal_services
from tests.conftest import is_postgres
from tests.ops.conftest import REDIS_URL, redis_or_skip

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
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


def without_tokens(page: str) -> str:
    return CSRF.sub('name="csrf_token" value=""', page)


def test_a_public_page_is_rendered_once_and_each_reader_gets_their_own_csrf_token(app, page_cache, make_proposal,
                                                                                  count_queries, monkeypatch):
    proposal = make_proposal(title="온양온천역 횡단보도 신호 연장")
    first, second = app.test_client(), app.test_client()
    miss = first.get(f"/proposals/{proposal.id}")
    with count_queries() as queries:
        hit = second.get(f"/proposals/{proposal.id}")
    assert (miss.status_code, state(miss)) == (200, "miss")
    assert (hit.status_code, state(hit)) == (200, "hit")
    assert queries == []  # no SQL at all for a hit (the version is in a file or in Redis)
    assert without_tokens(hit.get_data(as_text=True)) == without_tokens(miss.get_data(as_text=True))
    assert "온양온천역 횡단보도 신호 연장" in hit.get_data(as_text=True)
    tokens = CSRF.findall(miss.get_data(as_text=True)) + CSRF.findall(hit.get_data(as_text=True))
    assert len(set(tokens)) == 2 and not any(t.startswith("csrf-") for t in tokens)  # the placeholder never leaks

    # The token in the cached page is the reader's own: the language form posts with it.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = CSRF.search(hit.get_data(as_text=True)).group(1)
    assert second.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 302
    assert first.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 400  # not theirs
    # The reader who chose English gets the English page (the locale is part of the key), not the Korean one.
    english = second.get(f"/proposals/{proposal.id}")
    assert state(english) == "miss" and '<html lang="en">' in english.get_data(as_text=True)


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
