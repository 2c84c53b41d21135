"""Proof that Maeul runs on several machines: two production servers (gunicorn) on two ports share one
PostgreSQL database and one Redis, and a browser's requests alternate between them."""
from __future__ import annotations

import json
import os
import re
import urllib.parse
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.policies import services as policy_services
from app.proposals.models import Field
from app.storage import StoredFile
from tests.conftest import is_postgres
from tests.serving import Browser, Server, Worker, multipart, request

pytestmark = pytest.mark.skipif(
    not is_postgres(), reason="nodes share state through PostgreSQL; SQLite is one machine's file "
                              "(run with DATABASE_URL=postgresql+psycopg://…)")

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def nodes(queue_env, tmp_path):
    env = {**queue_env, "RATELIMIT_LOGIN": "4 per minute", "RATELIMIT_KEY_PREFIX": f"proof-{uuid.uuid4().hex}",
           "TRUSTED_PROXIES": "1"}
    a = Server(tmp_path, env=env, name="a")
    try:
        b = Server(tmp_path, env=env, name="b")
    except Exception:
        a.stop()
        raise
    yield a, b, env
    a.stop()
    b.stop()


def api_token(node: Server, email: str) -> dict:
    status, _, body = request("POST", f"{node.base}/api/v1/tokens", body=json.dumps(
        {"email": email, "password": "password123"}).encode(), headers={"Content-Type": "application/json",
                                                                         "X-Forwarded-For": "198.51.100.9"})
    assert status == 201, body
    return {"Authorization": f"Bearer {json.loads(body)['token']}"}


def test_two_nodes_share_sessions_counts_files_limits_jobs_and_search(app, nodes, make_user, tmp_path):
    a, b, env = nodes
    resident = make_user(email="proof-resident@maeul.kr")
    staff = make_user(roles=["staff"], city_employee=True, email="proof-staff@maeul.kr")
    field = Field(slug="safety", name_ko="안전", name_en="Safety")
    db.session.add(field)
    policy = policy_services.create_policy(staff, policy_services.PolicyData(
        title="가로등 교체", summary="교체 계획", department="도로과", horizon=policy_services.Horizon.NEAR),
        steps=[("설계", 1)], proposal_ids=(), field_slug=None)
    db.session.commit()

    # A resident logs in on A and is logged in on B (the session is a cookie signed with the shared key;
    # the CSRF token from A's form is accepted by B too).
    browser = Browser()
    status, headers, _ = browser.post_form(f"{a.base}/login", {"email": resident.email, "password": "password123"})
    assert status == 302 and not headers["location"][0].endswith("/login")
    status, _, page = browser.get(f"{b.base}/account")
    assert status == 200 and resident.email in page.decode()
    assert Browser().get(f"{b.base}/account")[0] == 302

    # A proposal written through A; supported on A; the support is counted on B.
    token = api_token(a, resident.email)
    status, _, body = request("POST", f"{a.base}/api/v1/proposals", body=json.dumps({
        "title": "온양온천역 앞 횡단보도 신호 연장", "body": "어르신들이 건너기에 신호가 너무 짧습니다. 늘려 주세요.",
        "field": "safety"}).encode(), headers={**token, "Content-Type": "application/json"})
    assert status == 201, body
    proposal_id = json.loads(body)["id"]
    # A reader who is not signed in gets B's cached page (app/ops/cache.py) until a write anywhere.
    for expected in ("miss", "hit"):
        status, headers, page = request("GET", f"{b.base}/proposals/{proposal_id}")
        assert status == 200 and headers["x-page-cache"] == [expected]
    assert _supports(page) == 0
    status, _, _ = browser.post_form(f"{a.base}/proposals/{proposal_id}/support", {},
                                     form_url=f"{b.base}/proposals/{proposal_id}")
    assert status == 302
    status, _, body = request("GET", f"{b.base}/api/v1/proposals/{proposal_id}")
    assert json.loads(body)["support_count"] == 1
    status, headers, page = request("GET", f"{b.base}/proposals/{proposal_id}")
    assert headers["x-page-cache"] == ["miss"] and _supports(page) == 1

    # A file uploaded through A downloads from B (stored in the database, not on A's disk).
    staff_token = api_token(a, staff.email)
    form, content_type = multipart({"body": "현장 사진입니다."}, {"attachment": ("현장.png", PNG, "image/png")})
    status, _, body = request("POST", f"{a.base}/api/v1/policies/{policy.id}/updates", body=form,
                              headers={**staff_token, "Content-Type": content_type})
    assert status == 201, body
    attachment_url = json.loads(body)["attachment"]["url"]
    status, headers, content = request("GET", b.base + attachment_url)
    assert status == 200 and content == PNG and headers["content-type"][0] == "image/png"
    db.session.rollback()
    key = db.session.scalar(select(StoredFile.key).where(StoredFile.key.startswith("policies/")))
    assert key and not os.path.exists(os.path.join(app.config["UPLOAD_DIR"], key))

    # The login limit (4 a minute here) counts attempts on both nodes together: the fifth is refused.
    attacker = Browser()
    target = make_user(email="proof-target@maeul.kr")
    wrong = {"email": target.email, "password": "not-the-password"}
    xff = {"X-Forwarded-For": "203.0.113.7"}
    for node in (a, b, a, b):
        fields = {"csrf_token": attacker.csrf_token(f"{node.base}/login"), **wrong}
        status, _, _ = attacker.send("POST", f"{node.base}/login", body=_form(fields),
                                     headers={**xff, "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 422  # the form again, with "wrong email or password"
    fields = {"csrf_token": attacker.csrf_token(f"{a.base}/login"), **wrong}
    status, _, _ = attacker.send("POST", f"{a.base}/login", body=_form(fields),
                                 headers={**xff, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 429

    # A job queued by A (the password-reset mail) is run by the worker.
    outbox = app.config["MAIL_OUTBOX_DIR"]
    before = set(os.listdir(outbox)) if os.path.isdir(outbox) else set()
    status, _, _ = Browser().post_form(f"{a.base}/password/forgot", {"email": resident.email})
    assert status == 302
    assert (set(os.listdir(outbox)) if os.path.isdir(outbox) else set()) == before  # not sent by A itself
    assert Worker(tmp_path, env=env, burst=True).wait() == 0
    sent = (set(os.listdir(outbox)) - before)
    assert len(sent) == 1 and "proof-resident_at_maeul.kr" in sent.pop()

    # Search on B finds the proposal written on A, once the worker applied the index update (the same
    # burst run). The Whoosh index is a folder both nodes share on this one machine; across machines
    # this needs the PostgreSQL search backend.
    status, _, body = request("GET", f"{b.base}/api/v1/search?q=" + urllib.parse.quote("횡단보도"))
    assert status == 200
    assert [hit["id"] for hit in json.loads(body)["items"] if hit["type"] == "proposal"] == [proposal_id]

    # Every request of the run is one JSON line in its node's log, with its request id.
    for node in (a, b):
        lines = [json.loads(line) for line in node.log().splitlines() if line.startswith("{")]
        assert any(entry.get("event") == "request" and re.fullmatch(r"[0-9a-f]{32}", entry["request_id"])
                   for entry in lines)


def _supports(page: bytes) -> int:
    match = re.search(r'<p class="counts"><span>[^<]*<strong>(\d+)</strong>', page.decode())
    assert match, "no support count on the page"
    return int(match.group(1))


def _form(fields: dict) -> bytes:
    return urllib.parse.urlencode(fields).encode()
