"""Concurrent seats at a hearing and concurrent guesses at a guest code, on real PostgreSQL transactions."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.consultations import guests, services
from app.consultations.models import Consultation, GuestCode, HearingRegistration, RegistrationStatus
from app.core import utcnow
from app.extensions import db
from tests.concurrency import run_together
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]


def test_eight_people_racing_for_three_seats_get_three_seats_and_five_waitlist_places(app, make_consultation,
                                                                                     make_user):
    consultation = make_consultation(hearing_at=utcnow() + timedelta(days=2), capacity=3)
    consultation_id = consultation.id
    user_ids = [make_user().id for _ in range(8)]

    def register(user_id):
        return services.register_for_hearing(db.session.get(Consultation, consultation_id),
                                             db.session.get(User, user_id)).status

    results, errors = run_together(app, register, user_ids)
    assert errors == []
    assert sorted(s.value for s in results) == ["registered"] * 3 + ["waitlisted"] * 5
    assert db.session.scalar(select(func.count()).select_from(HearingRegistration).where(
        HearingRegistration.status == RegistrationStatus.REGISTERED)) == 3


def test_parallel_wrong_guesses_never_exceed_the_attempt_limit(app, make_consultation):
    consultation = make_consultation()
    purpose = services.purpose_key(consultation)
    guests.request_code("race@example.kr", purpose, consultation.title)
    db.session.commit()

    def guess(number):
        return guests.check_code("race@example.kr", purpose, f"{number:06d}")

    results, errors = run_together(app, guess, list(range(900000, 900012)))
    assert errors == []
    assert db.session.scalar(select(GuestCode.attempts)) == app.config["GUEST_CODE_MAX_ATTEMPTS"]
    assert results.count(True) <= 1
