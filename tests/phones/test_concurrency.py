"""Parallel guesses at a phone code and parallel uses of the right code, on real PostgreSQL transactions."""

import pytest
from sqlalchemy import select

from app.core import DomainError
from app.extensions import db
from app.phones import services
from app.phones.models import PhoneCode
from tests.concurrency import run_together
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]

NUMBER = "01012345678"


def test_twelve_parallel_wrong_guesses_get_exactly_the_allowed_tries(app, text_provider, last_code):
    services.request_code(NUMBER, "account")
    db.session.commit()
    code = last_code(NUMBER)
    guesses = [f"{n:06d}" for n in range(12) if f"{n:06d}" != code][:12]
    results, errors = run_together(app, lambda guess: services.verify_code(NUMBER, "account", guess), guesses)
    assert results == []
    assert all(isinstance(error, DomainError) for error in errors) and len(errors) == len(guesses)
    limit = app.config["PHONE_CODE_MAX_ATTEMPTS"]
    assert sorted(error.status for error in errors) == [422] * limit + [429] * (len(guesses) - limit)
    assert db.session.scalar(select(PhoneCode.attempts)) == limit


def test_the_right_code_sent_eight_times_at_once_is_used_once(app, text_provider, last_code):
    services.request_code(NUMBER, "signup")
    db.session.commit()
    code = last_code(NUMBER)
    results, errors = run_together(app, lambda _: services.verify_code(NUMBER, "signup", code), list(range(8)))
    assert results == [NUMBER]
    assert len(errors) == 7 and all(isinstance(error, DomainError) for error in errors)
    assert db.session.scalar(select(PhoneCode.used_at)) is not None
