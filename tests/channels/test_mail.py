"""Notifications by mail through a real SMTP server on 127.0.0.1: content, language, unsubscribe, failures."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.channels import delivery as channel_delivery
from app.channels.models import Delivery
from app.channels.preferences import set_preferences
from app.core import utcnow
from app.extensions import db
from app.notifications.services import notify, notify_selected
from app.auth.models import User


def _reply(user, **extra):
    notify([user.id], "comment_reply", "/proposals/7", name="김민수", title="가로등 설치", **extra)
    db.session.commit()


def _delivery(user) -> Delivery:
    return db.session.scalars(select(Delivery).where(Delivery.user_id == user.id).order_by(Delivery.id.desc())).first()


def test_a_reply_is_mailed_in_korean_with_html_text_and_one_click_unsubscribe(app, client, smtp, resident):
    user = resident()
    _reply(user)
    [message] = smtp.to(user.email)
    assert "김민수" in message["Subject"] and "[마을]" in message["Subject"]
    assert app.config["MAIL_SENDER"] in message["From"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://maeul.test/notifications/unsubscribe/")
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "김민수" in plain and "http://maeul.test/proposals/7" in plain and link in plain
    assert "<a href=\"http://maeul.test/proposals/7\"" in html and link in html
    assert _delivery(user).status == "sent"

    # A mail program's one-click unsubscribe: a bare POST (no CSRF token, no session).
    path = link.removeprefix("http://maeul.test")
    page = client.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    _reply(user)
    assert len(smtp.to(user.email)) == 2
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    _reply(user)
    assert len(smtp.to(user.email)) == 2  # no more mails of this kind
    notify([user.id], "proposal_answered", "/proposals/7", title="가로등 설치")
    db.session.commit()
    assert len(smtp.to(user.email)) == 3  # other kinds still come


def test_an_english_speaker_gets_english_mail(app, smtp, resident):
    user = resident(locale="en")
    _reply(user)
    [message] = smtp.to(user.email)
    assert message["Subject"].startswith("[Maeul]") and "replied to your comment" in message["Subject"]
    assert "Stop these mails" in message.get_body(("html",)).get_content()


def test_nothing_leaves_the_site_without_the_notification_consent(app, smtp, resident):
    user = resident(consent=False)
    _reply(user)
    assert smtp.messages == [] and _delivery(user) is None


def test_withdrawn_consent_stops_a_message_already_waiting(app, smtp_down, resident):
    from app.auth.models import ConsentItem
    from app.auth.services import set_consent

    user = resident()
    _reply(user)
    row = _delivery(user)
    assert row.status == "pending"
    set_consent(user, ConsentItem.NOTIFICATIONS, False)
    db.session.commit()
    channel_delivery.retry_due(now=utcnow() + timedelta(hours=1))
    assert row.status == "skipped" and row.last_error == "no notification consent"


def test_kinds_off_by_default_are_not_mailed_until_chosen(app, smtp, resident):
    user = resident()
    notify([user.id], "lab_closed", "/labs/1", lab="스마트 가로등")
    db.session.commit()
    assert smtp.messages == []
    set_preferences(user, {("lab_closed", "email"): "immediate"})
    db.session.commit()
    notify([user.id], "lab_closed", "/labs/1", lab="스마트 가로등")
    db.session.commit()
    assert len(smtp.to(user.email)) == 1


def test_a_set_based_fan_out_mails_only_those_who_want_it(app, smtp, resident, count_queries):
    wanting = [resident() for _ in range(4)]
    not_consenting = resident(consent=False)
    opted_out = resident()
    set_preferences(opted_out, {("comment_reply", "email"): "off"})
    db.session.commit()
    ids = [u.id for u in [*wanting, not_consenting, opted_out]]
    with count_queries() as queries:
        notify_selected(select(User.id).where(User.id.in_(ids)), "comment_reply", "/proposals/7", name="이", title="길")
    writes = [q for q in queries if q.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 3  # the notifications, then one INSERT ... SELECT per channel
    db.session.commit()
    assert sorted(recipients[0] for _, recipients, _ in smtp.messages) == sorted(u.email for u in wanting)


def test_a_refused_recipient_is_final_and_the_action_still_succeeds(app, smtp, resident):
    user = resident(email="nobody@refused.example.kr")
    _reply(user)
    row = _delivery(user)
    assert row.status == "refused" and "550" in row.last_error and row.next_attempt_at is None
    assert smtp.messages == []


def test_a_try_later_answer_is_retried(app, smtp, resident):
    user = resident(email="someone@busy.example.kr")
    _reply(user)
    row = _delivery(user)
    assert row.status == "pending" and "451" in row.last_error
    first_interval = app.config["JOB_RETRY_INTERVALS"][0]
    assert row.next_attempt_at == pytest.approx(row.created_at + timedelta(seconds=first_interval),
                                                abs=timedelta(seconds=5))


def test_a_server_that_is_down_never_blocks_the_action_and_is_retried_with_back_off(app, smtp_down, resident,
                                                                                   client, make_user, login):
    user = resident()
    _reply(user)  # commits: the notification exists although the mail could not go
    row = _delivery(user)
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at is not None
    intervals = app.config["JOB_RETRY_INTERVALS"]
    assert channel_delivery.retry_due(now=utcnow()) == {}  # not yet due
    moment = utcnow()
    for number, interval in enumerate(intervals, start=1):
        moment += timedelta(seconds=interval + 1)
        channel_delivery.retry_due(now=moment)
        assert row.attempts == number + 1
    assert row.status == "failed" and row.next_attempt_at is None
    db.session.commit()

    staff = make_user(roles=["staff"])
    login(staff)
    page = client.get("/staff/deliveries")
    assert page.status_code == 200 and "ConnectionRefusedError" in page.get_data(as_text=True)


def test_staff_send_a_failed_message_again_once_the_server_is_back(app, smtp_down, resident, client, make_user,
                                                                  login):
    user = resident()
    _reply(user)
    row = _delivery(user)
    row.status, row.next_attempt_at = "failed", None
    db.session.commit()
    with_server = __import__("tests.channels.smtp_server", fromlist=["SmtpServer"]).SmtpServer()
    with with_server as server:
        app.config.update(MAIL_PORT=server.port)
        login(make_user(roles=["staff"]))
        answer = client.post(f"/staff/deliveries/{row.id}/retry")
        assert answer.status_code == 302
        assert len(server.to(user.email)) == 1
    db.session.refresh(row)
    assert row.status == "sent"
    assert client.post(f"/staff/deliveries/{row.id}/retry").status_code == 302  # refused: not failed any more
    assert client.post("/staff/deliveries/999999/retry").status_code == 404


def test_residents_cannot_see_the_staff_list(app, client, make_user, login):
    login(make_user())
    assert client.get("/staff/deliveries").status_code == 403
    client.post("/logout")
    assert client.get("/staff/deliveries?status=nonsense").status_code in (302, 401)


def test_the_staff_list_costs_the_same_queries_for_one_or_many_rows(app, client, make_user, login, resident,
                                                                    smtp_down, count_queries):
    login(make_user(roles=["staff"]))
    _reply(resident())
    with count_queries() as one:
        client.get("/staff/deliveries")
    for _ in range(5):
        _reply(resident())
    with count_queries() as many:
        page = client.get("/staff/deliveries")
    assert page.status_code == 200 and len(many) == len(one)


def test_a_daily_limit_keeps_a_flood_on_the_site(app, smtp, resident):
    app.config["NOTIFY_MAILS_PER_DAY"], saved = 2, app.config["NOTIFY_MAILS_PER_DAY"]
    try:
        user = resident()
        for _ in range(3):
            _reply(user)
        assert len(smtp.to(user.email)) == 2
        assert _delivery(user).status == "skipped" and _delivery(user).last_error == "daily limit reached"
    finally:
        app.config["NOTIFY_MAILS_PER_DAY"] = saved


def test_a_forged_or_stale_unsubscribe_link_is_not_found(app, client, resident):
    from app.channels.messages import unsubscribe_token
    from app.channels.models import Channel

    assert client.post("/notifications/unsubscribe/not-a-token").status_code == 404
    user = resident()
    token = unsubscribe_token(user.id, "no_such_kind", Channel.EMAIL)
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 404
    app.config["UNSUBSCRIBE_MAX_AGE"], saved = -1, app.config["UNSUBSCRIBE_MAX_AGE"]
    try:
        token = unsubscribe_token(user.id, "comment_reply", Channel.EMAIL)
        assert client.get(f"/notifications/unsubscribe/{token}").status_code == 404
    finally:
        app.config["UNSUBSCRIBE_MAX_AGE"] = saved


def test_the_queued_job_raises_while_a_retry_is_due_and_keeps_the_count(app, smtp_down, resident):
    user = resident()
    _reply(user)
    row_id = _delivery(user).id
    with pytest.raises(channel_delivery.DeliveryNotYetSent):
        channel_delivery.deliver(row_id)
    db.session.rollback()  # what the queue's runner does after a raise
    assert db.session.get(Delivery, row_id).attempts == 2  # committed before raising
    assert channel_delivery.deliver(999999) == "gone"


def test_the_development_default_writes_mail_to_the_outbox(app, resident):
    import os

    user = resident()
    _reply(user)
    outbox = app.config["MAIL_OUTBOX_DIR"]
    names = [name for name in os.listdir(outbox) if user.email.replace("@", "_at_") in name]
    assert len(names) == 1 and _delivery(user).status == "sent"
