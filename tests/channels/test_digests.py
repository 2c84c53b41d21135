"""Daily and weekly digests: one message per resident and channel per period, exactly once."""
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.channels.digests import period_bounds, send_digests
from app.channels.models import Delivery
from app.channels.preferences import set_preferences
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify

# Thursday 27 November 2026, 09:00 in Seoul (00:00 UTC).
NOW = datetime(2026, 11, 27, 0, 0)


def _notify_at(user, moment, kind="lab_closed", **params):
    notify([user.id], kind, "/labs/1", **(params or {"lab": "스마트 가로등"}))
    newest = db.session.scalar(select(func.max(Notification.id)).where(Notification.user_id == user.id))
    db.session.execute(update(Notification).where(Notification.id == newest).values(created_at=moment))
    db.session.commit()


def test_periods_are_seoul_calendar_days_and_monday_weeks():
    first, start, end = period_bounds("daily", NOW)
    assert str(first) == "2026-11-26" and start == datetime(2026, 11, 25, 15) and end == datetime(2026, 11, 26, 15)
    first, start, end = period_bounds("weekly", NOW)
    assert str(first) == "2026-11-16" and start == datetime(2026, 11, 15, 15) and end == datetime(2026, 11, 22, 15)


def test_a_daily_digest_mails_yesterdays_chosen_kinds_once(app, smtp, resident, runner):
    user = resident()
    set_preferences(user, {("lab_closed", "email"): "daily", ("lab_stage_changed", "email"): "daily"})
    db.session.commit()
    _notify_at(user, datetime(2026, 11, 26, 1), lab="첫째 실험실")
    _notify_at(user, datetime(2026, 11, 26, 3), kind="lab_stage_changed", lab="둘째 실험실", number=3)
    _notify_at(user, datetime(2026, 11, 26, 20), lab="오늘 것")  # after midnight in Seoul: today's, not yesterday's
    _notify_at(user, datetime(2026, 11, 26, 5), kind="role_granted", role="staff")  # not in the digest
    assert smtp.messages == []  # digest kinds are not sent at once

    counts = send_digests("daily", NOW)
    db.session.commit()
    assert counts == {"written": 1, "already_sent": 0, "nothing_new": 0}
    [message] = smtp.to(user.email)
    assert "2건" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "첫째 실험실" in text and "둘째 실험실" in text and "오늘 것" not in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    again = send_digests("daily", NOW + timedelta(hours=5))  # run twice the same day: nothing more
    db.session.commit()
    assert again["already_sent"] == 1 and again["written"] == 0
    assert len(smtp.to(user.email)) == 1
    result = runner.invoke(args=["notifications", "digest", "daily"])
    assert result.exit_code == 0, result.output


def test_the_cli_command_runs_and_is_idempotent(app, smtp, resident, runner):
    from app.core import utcnow

    user = resident()
    set_preferences(user, {("lab_closed", "email"): "daily"})
    db.session.commit()
    _, start, _ = period_bounds("daily", utcnow())
    _notify_at(user, start + timedelta(hours=2))
    first = runner.invoke(args=["notifications", "digest", "daily"])
    assert first.exit_code == 0 and "1 digest(s) queued" in first.output
    second = runner.invoke(args=["notifications", "digest", "daily"])
    assert "0 digest(s) queued, 1 already sent" in second.output
    assert len(smtp.to(user.email)) == 1
    assert runner.invoke(args=["notifications", "digest", "monthly"]).exit_code != 0


def test_a_weekly_digest_by_text_counts_the_week(app, resident, text_provider, last_code):
    from app.phones import services as phones

    user = resident()
    phones.request_code("01022223333", "account")
    db.session.commit()
    phones.set_user_phone(user, "01022223333", last_code("01022223333"))
    set_preferences(user, {("lab_closed", "text"): "weekly"})
    db.session.commit()
    for day in (16, 18, 21):
        _notify_at(user, datetime(2026, 11, day, 3))
    send_digests("weekly", NOW)
    db.session.commit()
    texts = text_provider.texts_to("01022223333")
    assert len(texts) == 2 and "3건" in texts[-1]  # the code, then the digest
    send_digests("weekly", NOW + timedelta(days=2))
    assert len(text_provider.texts_to("01022223333")) == 2


def test_no_digest_without_news_or_without_consent(app, smtp, resident):
    from app.auth.models import ConsentItem
    from app.auth.services import set_consent

    quiet, withdrawn = resident(), resident()
    for user in (quiet, withdrawn):
        set_preferences(user, {("lab_closed", "email"): "daily"})
    db.session.commit()
    _notify_at(withdrawn, datetime(2026, 11, 26, 1))
    set_consent(withdrawn, ConsentItem.NOTIFICATIONS, False)
    db.session.commit()
    counts = send_digests("daily", NOW)
    assert counts == {"written": 0, "already_sent": 0, "nothing_new": 1}
    assert smtp.messages == []


def test_a_digest_that_failed_is_retried_not_duplicated(app, smtp_down, resident):
    from app.channels.delivery import retry_due

    user = resident()
    set_preferences(user, {("lab_closed", "email"): "daily"})
    db.session.commit()
    _notify_at(user, datetime(2026, 11, 26, 1))
    send_digests("daily", NOW)
    db.session.commit()
    row = db.session.scalar(select(Delivery))
    assert row.status == "pending" and row.reference == f"digest:daily:2026-11-26:email:{user.id}"
    send_digests("daily", NOW)
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 1
    retry_due(now=row.next_attempt_at)
    assert row.attempts == 2


def test_the_digest_unsubscribe_turns_every_kind_of_that_digest_off(app, client, smtp, resident):
    from app.channels.preferences import choices_for

    user = resident()
    set_preferences(user, {("lab_closed", "email"): "daily", ("lab_stage_changed", "email"): "daily",
                           ("role_granted", "email"): "weekly"})
    db.session.commit()
    _notify_at(user, datetime(2026, 11, 26, 1))
    send_digests("daily", NOW)
    db.session.commit()
    [message] = smtp.to(user.email)
    path = message["List-Unsubscribe"].strip("<>").removeprefix("http://maeul.test")
    assert client.post(path).status_code == 200
    chosen = {(c.kind, c.channel.value): c.frequency.value for c in choices_for(user)}
    assert chosen[("lab_closed", "email")] == "off" and chosen[("lab_stage_changed", "email")] == "off"
    assert chosen[("role_granted", "email")] == "weekly"
