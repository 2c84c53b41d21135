"""Notifications by text message through the real provider client against a provider server on 127.0.0.1."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.channels import delivery as channel_delivery
from app.channels.models import Delivery
from app.channels.preferences import set_preferences
from app.channels.texts import TextMessage, TextProvider
from app.core import utcnow
from app.extensions import db
from app.notifications.services import notify
from app.phones import services as phones

NUMBER = "01098765432"


@pytest.fixture
def texting(resident, text_provider, last_code):
    """texting(**fields) -> a consenting resident with a verified phone; the code's text is then forgotten."""

    def factory(number=NUMBER, **fields):
        user = resident(**fields)
        phones.request_code(number, "account")
        db.session.commit()
        phones.set_user_phone(user, number, last_code(number))
        db.session.commit()
        text_provider.messages.clear()
        return user

    return factory


def _paid(user):
    notify([user.id], "allowance_paid", "/ledger/allowances", amount="30,000")
    db.session.commit()
    return db.session.scalars(select(Delivery).where(Delivery.user_id == user.id, Delivery.channel == "text")
                              .order_by(Delivery.id.desc())).first()


def test_money_news_goes_by_text_to_the_verified_number(app, texting, text_provider):
    user = texting()
    row = _paid(user)
    [message] = text_provider.messages
    assert message["to"] == NUMBER and message["from"] == app.config["TEXT_SENDER_NUMBER"]
    assert "30,000" in message["text"] and "http://maeul.test/ledger/allowances" in message["text"]
    assert message["type"] in ("SMS", "LMS") and message["key"] == f"delivery-{row.id}"
    assert row.status == "sent" and row.message_id == message["messageId"]


def test_with_a_kakao_sender_key_it_is_an_alimtalk_with_template_and_variables(app, texting, text_provider):
    user = texting()
    app.config["TEXT_KAKAO_SENDER_KEY"] = "kakao-profile-1"
    try:
        _paid(user)
    finally:
        app.config["TEXT_KAKAO_SENDER_KEY"] = ""
    [message] = text_provider.messages
    assert message["type"] == "ATA" and message["senderKey"] == "kakao-profile-1"
    assert message["templateCode"] == "MAEUL_ALLOWANCE_PAID" and message["variables"] == {"amount": "30,000"}
    assert "30,000" in message["text"]  # the SMS the provider sends instead when KakaoTalk cannot


def test_no_text_without_a_verified_phone_or_without_consent(app, resident, text_provider):
    assert _paid(resident()) is None
    assert text_provider.messages == []


def test_the_resident_can_turn_texts_off_per_kind(app, texting, text_provider):
    user = texting()
    set_preferences(user, {("allowance_paid", "text"): "off"})
    db.session.commit()
    assert _paid(user) is None and text_provider.messages == []


def test_a_refusal_is_final(app, texting, text_provider):
    user = texting()
    text_provider.mode = "refuse"
    row = _paid(user)
    assert row.status == "refused" and row.last_error.startswith("INVALID_RECIPIENT")


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_a_failure_or_time_out_is_retried_with_the_same_key_and_sent_once(app, texting, text_provider, mode):
    user = texting()
    text_provider.mode, text_provider.delay = mode, 1.5
    row = _paid(user)
    assert row.status == "pending" and row.attempts == 1
    text_provider.mode = "ok"
    channel_delivery.retry_due(now=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert row.status == "sent" and row.attempts == 2
    assert len(text_provider.messages) == 1  # a slow answer that arrived late was not sent twice


def test_a_wrong_api_key_is_a_refusal_staff_can_see(app, texting, text_provider):
    user = texting()
    app.config["TEXT_PROVIDER_KEY"] = "wrong"
    row = _paid(user)
    assert row.status == "refused" and row.last_error.startswith("INVALID_API_KEY")


def test_the_client_reads_each_answer_of_the_protocol(app, text_provider):
    client = TextProvider(text_provider.url, text_provider.key, 1.0, "0415402114")
    ok = client.send(TextMessage(to=NUMBER, text="안녕하세요", reference="r1"))
    assert ok.sent and ok.message_id.startswith("M")
    assert client.send(TextMessage(to=NUMBER, text="안녕하세요", reference="r1")).message_id == ok.message_id
    long_text = client.send(TextMessage(to=NUMBER, text="가" * 60, reference="r2"))
    assert long_text.sent and text_provider.messages[-1]["type"] == "LMS"
    assert client.send(TextMessage(to="021234567", text="x", reference="r3")).outcome == "refused"
    text_provider.mode = "fail"
    failed = client.send(TextMessage(to=NUMBER, text="x", reference="r4"))
    assert failed.outcome == "failed" and failed.error_code == "SYSTEM_ERROR"
    down = TextProvider("http://127.0.0.1:9", "k", 1.0, "0415402114").send(TextMessage(to=NUMBER, text="x",
                                                                                       reference="r5"))
    assert down.outcome == "failed"


def test_the_development_default_writes_texts_to_the_outbox(app, resident):
    import json
    import os

    from app.channels.texts import send_text

    result = send_text(TextMessage(to=NUMBER, text="시험", reference="dev-1"))
    assert result.sent
    outbox = app.config["TEXT_OUTBOX_DIR"]
    [name] = [n for n in os.listdir(outbox) if "dev-1" in n]
    with open(os.path.join(outbox, name), encoding="utf-8") as file:
        assert json.load(file)["text"] == "시험"
