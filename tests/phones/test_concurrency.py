"""Parallel guesses at a phone code and parallel uses of the right code, on real PostgreSQL transactions."""
import threading

import pytest
from sqlalchemy import select

from app.core import DomainError
from app.extensions import db
from app.phones import services
from app.phones.models import PhoneCode
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]

NUMBER = "01012345678"


def _run_together(app, work, arguments):
    start = threading.Barrier(len(arguments))
    results, errors = [], []

    def run(argument):
        with app.app_context(), app.test_request_context():
            try:
                start.wait()
                results.append(work(argument))
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                errors.append(error)
            except Exception as error:  # noqa: BLE001 — reported by the assertions
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_twelve_parallel_wrong_guesses_get_exactly_the_allowed_tries(app, text_provider, last_code):
    services.request_code(NUMBER, "account")
    db.session.commit()
    code = last_code(NUMBER)
    guesses = [f"{n:06d}" for n in range(12) if f"{n:06d}" != code][:12]
    results, errors = _run_together(app, lambda guess: services.verify_code(NUMBER, "account", guess), guesses)
    assert results == []
    assert all(isinstance(error, DomainError) for error in errors) and len(errors) == len(guesses)
    limit = app.config["PHONE_CODE_MAX_ATTEMPTS"]
    assert sorted(error.status for error in errors) == [422] * limit + [429] * (len(guesses) - limit)
    assert db.session.scalar(select(PhoneCode.attempts)) == limit


def test_the_right_code_sent_eight_times_at_once_is_used_once(app, text_provider, last_code):
    services.request_code(NUMBER, "signup")
    db.session.commit()
    code = last_code(NUMBER)
    results, errors = _run_together(app, lambda _: services.verify_code(NUMBER, "signup", code), list(range(8)))
    assert results == [NUMBER]
    assert len(errors) == 7 and all(isinstance(error, DomainError) for error in errors)
    assert db.session.scalar(select(PhoneCode.used_at)) is not None
