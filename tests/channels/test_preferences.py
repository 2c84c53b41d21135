"""The preferences page and API: defaults, choices, rejections, the consent notice."""
from sqlalchemy import func, select

from app.channels.models import ChannelPreference
from app.channels.preferences import DEFAULT_KINDS, choices_for
from app.extensions import db

PASSWORD = "password123"


def test_defaults_are_modest(app, resident):
    user = resident()
    immediate = {(c.kind, c.channel.value) for c in choices_for(user) if c.frequency.value == "immediate"}
    assert {kind for kind, _ in immediate} == set(DEFAULT_KINDS)
    assert {"comment_reply", "proposal_answered", "lab_session_scheduled", "allowance_paid"} <= DEFAULT_KINDS
    assert "lab_closed" not in DEFAULT_KINDS and "role_granted" not in DEFAULT_KINDS


def test_the_page_shows_every_kind_and_saves_choices(app, client, resident, login):
    user = resident()
    login(user)
    page = client.get("/notifications/preferences")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="comment_reply.email"' in html and 'name="lab_closed.text"' in html
    assert "휴대전화 번호 등록" in html  # no phone yet: a link to add one
    answer = client.post("/notifications/preferences", data={"lab_closed.email": "weekly", "comment_reply.text": "off"})
    assert answer.status_code == 302
    chosen = {(c.kind, c.channel.value): c.frequency.value for c in choices_for(user)}
    assert chosen[("lab_closed", "email")] == "weekly" and chosen[("comment_reply", "text")] == "off"
    assert chosen[("comment_reply", "email")] == "immediate"


def test_bad_choices_are_refused_whole_with_the_form_kept(app, client, resident, login):
    user = resident()
    login(user)
    answer = client.post("/notifications/preferences", data={"lab_closed.email": "weekly",
                                                             "comment_reply.email": "hourly"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert '<option value="weekly" selected>' in html  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(ChannelPreference)) == 0
    assert client.post("/notifications/preferences", data={"no_such_kind.email": "off"}).status_code == 422
    assert client.post("/notifications/preferences", data={"lab_closed.fax": "off"}).status_code == 422


def test_without_the_consent_the_page_says_nothing_is_sent(app, client, resident, login):
    login(resident(consent=False))
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "사이트 밖으로는 아무것도 보내지 않습니다" in html


def test_the_page_needs_a_login_and_costs_a_fixed_number_of_queries(app, client, resident, login, count_queries):
    assert client.get("/notifications/preferences").status_code == 302
    login(resident())
    with count_queries() as queries:
        assert client.get("/notifications/preferences").status_code == 200
    assert len(queries) <= 12


def test_the_account_page_links_to_channels_and_phone(app, client, resident, login):
    login(resident())
    html = client.get("/account").get_data(as_text=True)
    assert "/notifications/preferences" in html and "/account/phone" in html


def test_api_reads_and_changes_preferences(app, client, resident, auth_header):
    user = resident()
    headers = auth_header(user)
    body = client.get("/api/v1/me/notification-preferences", headers=headers).get_json()
    assert body["consent"] is True and body["phone"] is None
    reply = next(item for item in body["items"] if item["kind"] == "comment_reply")
    assert reply["email"] == "immediate" and reply["email_default"] is True
    changed = client.put("/api/v1/me/notification-preferences", headers=headers,
                         json={"items": [{"kind": "comment_reply", "email": "daily"},
                                         {"kind": "lab_closed", "text": "weekly"}]})
    assert changed.status_code == 200
    items = {item["kind"]: item for item in changed.get_json()["items"]}
    assert items["comment_reply"]["email"] == "daily" and items["comment_reply"]["email_default"] is False
    assert items["comment_reply"]["text"] == "immediate"  # left out: kept
    assert items["lab_closed"]["text"] == "weekly"


def test_api_rejects_bad_input_and_saves_nothing(app, client, resident, auth_header):
    headers = auth_header(resident())
    for payload in ({}, {"items": "all"}, {"items": [1]}, {"items": [{"kind": "comment_reply", "email": "hourly"}]},
                    {"items": [{"kind": "nope", "email": "off"}]}, {"items": [{"kind": "comment_reply", "email": 3}]},
                    {"items": [{"kind": "lab_closed", "email": "off"}, {"kind": "comment_reply", "text": "x"}]}):
        answer = client.put("/api/v1/me/notification-preferences", headers=headers, json=payload)
        assert answer.status_code == 422, payload
        assert "errors" in answer.get_json()
    assert db.session.scalar(select(func.count()).select_from(ChannelPreference)) == 0
    assert client.get("/api/v1/me/notification-preferences").status_code == 401


def test_export_includes_choices_and_messages(app, resident):
    from app.auth.export import export_user_data
    from app.channels.preferences import set_preferences
    from app.notifications.services import notify

    user = resident()
    set_preferences(user, {("lab_closed", "email"): "daily"})
    notify([user.id], "comment_reply", "/p/1", name="가", title="나")
    db.session.commit()
    data = export_user_data(user)
    assert data["notification_preferences"] == [{"kind": "lab_closed", "channel": "email", "frequency": "daily",
                                                 "updated_at": data["notification_preferences"][0]["updated_at"]}]
    assert [d["kind"] for d in data["notification_deliveries"]] == ["comment_reply"]


def test_erasure_removes_choices_and_messages(app, resident):
    from app.channels.models import Delivery
    from app.channels.preferences import set_preferences
    from app.notifications.services import notify
    from app.privacy.deletion import erase_account, request_deletion

    user = resident()
    set_preferences(user, {("lab_closed", "email"): "daily"})
    notify([user.id], "comment_reply", "/p/1", name="가", title="나")
    db.session.commit()
    summary = erase_account(request_deletion(user, keep_content=True))
    db.session.commit()
    assert summary["notification_preferences"] == 1 and summary["notification_deliveries"] == 1
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
