"""The job queue with the real worker (`flask jobs worker`) against Redis database 13."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.jobs import enqueue, get_queue
from app.mail import send_mail
from app.notifications.models import Notification
from app.notifications.services import notify_selected
from app.search import SearchDocument, add_to_index, query_index
from tests.serving import Worker, wait_for


def outbox(app) -> list[str]:
    directory = app.config["MAIL_OUTBOX_DIR"]
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def test_without_redis_jobs_run_inline_as_before(app):
    assert not app.config["REDIS_URL"]
    send_mail("resident@maeul.kr", "제목", "본문")
    assert len(outbox(app)) == 1


def test_only_marked_functions_can_be_jobs(queue_env):
    for name in ("os:system", "app.mail:send_mail", "app.mail", "app.mail:nothing"):
        with pytest.raises(LookupError):
            enqueue(name)
    assert get_queue().count == 0


def test_mail_is_queued_and_sent_by_the_worker(app, queue_env, tmp_path):
    send_mail("resident@maeul.kr", "비밀번호 재설정", "링크")
    assert outbox(app) == [] and get_queue().count == 1
    assert Worker(tmp_path, env=queue_env, burst=True).wait() == 0
    files = outbox(app)
    assert len(files) == 1 and "resident_at_maeul.kr" in files[0]


def test_a_large_fan_out_is_written_by_the_worker_after_commit(app, queue_env, make_user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_INLINE_LIMIT", 2)
    users = [make_user() for _ in range(3)]
    audience = select(User.id).where(User.id.in_([u.id for u in users]))
    assert notify_selected(audience, "policy_update", "/policies/1", title="가로등") == 3
    assert get_queue().count == 0  # not before the transaction commits
    db.session.commit()
    assert get_queue().count == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert Worker(tmp_path, env=queue_env, burst=True).wait() == 0
    db.session.rollback()
    rows = db.session.scalars(select(Notification.user_id).order_by(Notification.user_id)).all()
    assert rows == sorted(u.id for u in users)
    # A small audience is still written at once, in the request's transaction.
    assert notify_selected(audience.limit(2), "policy_update", "/policies/2", title="가로등") == 2
    assert get_queue().count == 0


def test_a_rolled_back_transaction_queues_nothing(app, queue_env, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_INLINE_LIMIT", 0)
    make_user()
    notify_selected(select(User.id), "policy_update", "/policies/1", title="가로등")
    db.session.rollback()
    assert get_queue().count == 0


@pytest.mark.skipif(os.environ["DATABASE_URL"].startswith("postgresql"),
                    reason="on PostgreSQL search rows are written in the content's transaction: no index job")
def test_search_index_updates_are_applied_by_the_worker(queue_env, tmp_path):
    add_to_index(SearchDocument(type="proposal", id=41, title="온양온천역 가로등 고장", body="밤길이 어둡습니다",
                                url="/proposals/41"))
    db.session.commit()
    assert query_index("가로등")[1] == 0
    assert Worker(tmp_path, env=queue_env, burst=True).wait() == 0
    hits, total = query_index("가로등")
    assert total == 1 and hits[0].id == 41


def test_a_failing_job_is_retried_with_back_off_then_kept_for_staff_who_run_it_again(
        app, client, queue_env, make_user, login, tmp_path):
    send_mail("resident@maeul.kr", "알림", "본문")
    # The SMTP server is down for this worker: the first try and both retries (1 s apart) fail.
    broken = Worker(tmp_path, env={**queue_env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "1"})
    try:
        registry = get_queue().failed_job_registry
        wait_for(lambda: registry.count == 1, timeout=60, message="the job to fail every retry")
    finally:
        broken.stop()
    assert broken.log().count("ConnectionRefusedError") >= 3  # tried 3 times: once plus two retries
    assert outbox(app) == []

    resident = make_user()
    login(resident)
    assert client.get("/staff/jobs/").status_code == 403
    client.post("/logout")
    staff = make_user(roles=["staff"])
    login(staff)
    page = client.get("/staff/jobs/").get_data(as_text=True)
    assert "app.mail:deliver_mail" in page and "ConnectionRefusedError" in page
    job_id = registry.get_job_ids()[0]

    # Once the mail server works again, staff run the job again and it is delivered.
    assert client.post(f"/staff/jobs/{job_id}/retry").status_code == 302
    assert registry.count == 0 and get_queue().count == 1
    assert Worker(tmp_path, env=queue_env, burst=True).wait() == 0
    assert len(outbox(app)) == 1
    assert job_id not in client.get("/staff/jobs/").get_data(as_text=True)
    # Retrying what is no longer failed is refused with a message, not a 500.
    response = client.post(f"/staff/jobs/{job_id}/retry", follow_redirects=True)
    assert response.status_code == 200


def test_the_api_lists_and_retries_failed_jobs(app, client, queue_env, make_user, auth_header, tmp_path):
    send_mail("resident@maeul.kr", "알림", "본문")
    worker = Worker(tmp_path, env={**queue_env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "1"})
    try:
        wait_for(lambda: get_queue().failed_job_registry.count == 1, timeout=60, message="the job to fail")
    finally:
        worker.stop()
    staff_headers = auth_header(make_user(roles=["staff"]))
    assert client.get("/api/v1/admin/jobs/failed", headers=auth_header(make_user())).status_code == 403
    listing = client.get("/api/v1/admin/jobs/failed", headers=staff_headers).get_json()
    assert listing["total"] == 1 and listing["queue"] is True
    job = listing["items"][0]
    assert job["name"] == "app.mail:deliver_mail" and "ConnectionRefusedError" in job["error"]
    assert client.post(f"/api/v1/admin/jobs/failed/{job['id']}/retry", headers=staff_headers).status_code == 202
    assert get_queue().count == 1
    missing = client.post(f"/api/v1/admin/jobs/failed/{job['id']}/retry", headers=staff_headers)
    assert missing.status_code == 404 and "request_id" in missing.get_json()["error"]


def test_without_a_queue_the_staff_page_says_why_it_is_empty(client, make_user, login, auth_header):
    login(make_user(roles=["staff"]))
    assert "REDIS_URL" in client.get("/staff/jobs/").get_data(as_text=True)
    headers = auth_header(make_user(roles=["staff"]))
    assert client.get("/api/v1/admin/jobs/failed", headers=headers).get_json()["queue"] is False
    assert client.post("/api/v1/admin/jobs/failed/x/retry", headers=headers).status_code == 404
