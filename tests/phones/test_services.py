"""Phone verification services against a real text-message provider on 127.0.0.1."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.export import export_user_data
from app.auth.services import user_for_reset_token
from app.core import DomainError, utcnow
from app.extensions import db
from app.phones import services
from app.phones.models import PhoneCode, UserPhone
from app.phones.numbers import mask_phone, normalise_phone

NUMBER = "01012345678"


@pytest.mark.parametrize("typed", ["010-1234-5678", "010 1234 5678", "+82 10-1234-5678", "821012345678",
                                   "01012345678"])
def test_numbers_people_type_are_normalised(app, typed):
    assert normalise_phone(typed) == NUMBER


@pytest.mark.parametrize("typed", ["", "12345", "02-123-4567", "010-1234-567a", "0101234567890", None])
def test_what_is_not_a_mobile_number_is_refused_on_the_phone_field(app, typed):
    with pytest.raises(DomainError) as refused:
        normalise_phone(typed)
    assert refused.value.field == "phone" and refused.value.status == 422


def test_masking_keeps_only_the_prefix_and_the_last_four_digits():
    assert mask_phone(NUMBER) == "010-****-5678"
    assert mask_phone("0111234567") == "011-***-4567"


def test_a_code_is_texted_stored_hashed_and_used_once(app, text_provider, last_code):
    record = services.request_code("010-1234-5678", "account", ip="10.0.0.1")
    db.session.commit()
    code = last_code(NUMBER)
    assert code not in record.code_hash and NUMBER not in record.phone_lookup
    assert text_provider.messages[-1]["from"] == app.config["TEXT_SENDER_NUMBER"]
    assert services.verify_code("010 1234 5678", "account", code) == NUMBER
    db.session.commit()
    with pytest.raises(DomainError):
        services.verify_code(NUMBER, "account", code)  # used up


def test_a_code_is_only_good_for_its_own_purpose(app, text_provider, last_code):
    services.request_code(NUMBER, "signup")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.verify_code(NUMBER, "recovery", last_code(NUMBER))
    assert refused.value.field == "code"


def test_an_expired_code_is_refused(app, text_provider, last_code):
    services.request_code(NUMBER, "account", now=utcnow() - timedelta(seconds=app.config["PHONE_CODE_MAX_AGE"] + 1))
    db.session.commit()
    with pytest.raises(DomainError):
        services.verify_code(NUMBER, "account", last_code(NUMBER))


def test_wrong_tries_are_counted_even_when_the_caller_rolls_back_and_then_the_code_is_dead(app, text_provider,
                                                                                        last_code):
    services.request_code(NUMBER, "account")
    db.session.commit()
    code = last_code(NUMBER)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(app.config["PHONE_CODE_MAX_ATTEMPTS"]):
        with pytest.raises(DomainError) as refused:
            services.verify_code(NUMBER, "account", wrong)
        assert refused.value.status == 422
        db.session.rollback()
    with pytest.raises(DomainError) as refused:
        services.verify_code(NUMBER, "account", code)  # the right code, too late
    assert refused.value.status == 429
    assert db.session.scalar(select(PhoneCode.attempts)) == app.config["PHONE_CODE_MAX_ATTEMPTS"]


def test_a_rolled_back_use_leaves_the_code_usable(app, text_provider, last_code):
    services.request_code(NUMBER, "account")
    db.session.commit()
    code = last_code(NUMBER)
    services.verify_code(NUMBER, "account", code)
    db.session.rollback()  # e.g. the sign-up failed on another field
    assert services.verify_code(NUMBER, "account", code) == NUMBER


def test_codes_per_number_are_limited(app, text_provider):
    for _ in range(app.config["PHONE_CODE_PER_NUMBER_PER_HOUR"]):
        services.request_code(NUMBER, "account")
    with pytest.raises(DomainError) as refused:
        services.request_code("010-1234-5678", "signup")
    assert refused.value.status == 429 and refused.value.field == "phone"
    services.request_code("01099998888", "account")  # another number is not affected


def test_codes_per_client_address_are_limited(app, text_provider):
    app.config["PHONE_CODE_PER_IP_PER_HOUR"], saved = 3, app.config["PHONE_CODE_PER_IP_PER_HOUR"]
    try:
        for number in ("01011110001", "01011110002", "01011110003"):
            services.request_code(number, "account", ip="203.0.113.9")
        with pytest.raises(DomainError) as refused:
            services.request_code("01011110004", "account", ip="203.0.113.9")
        assert refused.value.status == 429
        services.request_code("01011110004", "account", ip="203.0.113.10")
    finally:
        app.config["PHONE_CODE_PER_IP_PER_HOUR"] = saved


def test_a_number_the_provider_refuses_is_a_clear_error_and_nothing_is_kept(app, text_provider):
    text_provider.mode = "refuse"
    with pytest.raises(DomainError) as refused:
        services.request_code(NUMBER, "account")
    assert refused.value.status == 422 and refused.value.field == "phone"


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_a_provider_that_fails_or_times_out_without_a_queue_asks_to_try_later(app, text_provider, mode):
    text_provider.mode, text_provider.delay = mode, 2.0
    with pytest.raises(DomainError) as refused:
        services.request_code(NUMBER, "account")
    assert refused.value.status == 503


def test_the_queued_send_raises_on_failure_so_the_queue_retries_with_the_same_key(app, text_provider):
    from app.phones.numbers import encrypt_phone

    text_provider.mode = "fail"
    with pytest.raises(services.TextNotSent):
        services.send_code_text(encrypt_phone(NUMBER), "code 123456", "phone-code-7", {"code": "123456"})
    text_provider.mode = "ok"
    for _ in range(2):  # the retry, and a retry of a retry: one text
        assert services.send_code_text(encrypt_phone(NUMBER), "code 123456", "phone-code-7", {}) == "sent"
    assert len(text_provider.messages) == 1
    text_provider.mode = "refuse"
    assert services.send_code_text(encrypt_phone(NUMBER), "x", "phone-code-8", {}) == "refused"  # final, no raise


def test_a_verified_phone_on_the_account_is_encrypted_masked_exported_and_unique(app, make_user, text_provider,
                                                                                last_code):
    user, other = make_user(), make_user()
    services.request_code(NUMBER, "account")
    db.session.commit()
    services.set_user_phone(user, NUMBER, last_code(NUMBER))
    db.session.commit()
    row = db.session.get(UserPhone, user.id)
    assert NUMBER not in row.phone_encrypted and "5678" not in row.phone_encrypted
    assert services.masked_phone(user) == "010-****-5678"
    assert services.phone_number(user) == NUMBER
    assert services.find_user_by_phone("010-1234-5678") == user
    assert export_user_data(user)["phone"]["number"] == "010-1234-5678"
    services.request_code(NUMBER, "account")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.set_user_phone(other, NUMBER, last_code(NUMBER))
    assert refused.value.status == 409
    db.session.rollback()
    assert services.remove_user_phone(user) is True
    db.session.commit()
    assert services.find_user_by_phone(NUMBER) is None


def test_recovery_by_phone_gives_a_reset_token_and_says_nothing_about_unknown_numbers(app, make_user,
                                                                                    text_provider, last_code):
    user = make_user()
    services.request_code(NUMBER, "account")
    db.session.commit()
    services.set_user_phone(user, NUMBER, last_code(NUMBER))
    db.session.commit()
    services.request_recovery_code("01055556666")  # nobody's number: no text, same answer
    assert text_provider.texts_to("01055556666") == []
    services.request_recovery_code(NUMBER)
    db.session.commit()
    token = services.recover_with_phone(NUMBER, last_code(NUMBER))
    assert user_for_reset_token(token) == user
    assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 3  # the unknown number is counted


def test_old_codes_are_pruned(app, text_provider):
    services.request_code(NUMBER, "account", now=utcnow() - timedelta(days=2))
    services.request_code("01099998888", "account")
    assert services.prune_codes() == 1


def test_erasing_an_account_erases_its_phone(app, make_user, text_provider, last_code):
    from app.privacy.deletion import erase_account, request_deletion

    user = make_user()
    services.request_code(NUMBER, "account")
    db.session.commit()
    services.set_user_phone(user, NUMBER, last_code(NUMBER))
    summary = erase_account(request_deletion(user, keep_content=True))
    db.session.commit()
    assert summary["phone"] == 1
    assert db.session.get(UserPhone, user.id) is None
