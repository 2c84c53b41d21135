"""Erasing an account: opinions lose the name and contacts and stay counted; the text goes unless kept;
an upcoming hearing seat is given up and goes to the first on the waitlist."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.consultations import services
from app.consultations.models import HearingRegistration, Opinion, RegistrationStatus
from app.core import utcnow
from app.extensions import db
from app.privacy.deletion import erase_account, request_deletion
from tests.consultations.conftest import opinion


@pytest.mark.parametrize("keep_content", [True, False])
def test_erasure_anonymises_opinions_and_frees_the_seat(app, make_consultation, make_user, keep_content):
    consultation = make_consultation(hearing_at=utcnow() + timedelta(days=5), capacity=1)
    leaving, waiting, other = make_user(), make_user(), make_user()
    services.submit_opinion(consultation, opinion(affiliation="온양1동 주민자치회"), user=leaving)
    services.submit_opinion(consultation, opinion(name="박영희", phone="010-2222-3333"), user=other)
    services.register_for_hearing(consultation, leaving)
    services.register_for_hearing(consultation, waiting)
    db.session.commit()

    with app.test_request_context():
        summary = erase_account(request_deletion(leaving, keep_content=keep_content))
    db.session.commit()

    assert summary["consultation_opinions_anonymised"] == 1 and summary["hearing_seats_given_up"] == 1
    mine = db.session.scalar(select(Opinion).where(Opinion.user_id == leaving.id))
    assert (mine.name, mine.phone, mine.affiliation, mine.position) == ("탈퇴한 회원", "", "", "")
    assert (mine.body == opinion().body) is keep_content
    theirs = db.session.scalar(select(Opinion).where(Opinion.user_id == other.id))
    assert (theirs.name, theirs.phone) == ("박영희", "010-2222-3333")
    assert services.registration_of(consultation, waiting).status is RegistrationStatus.REGISTERED
    assert db.session.scalar(select(HearingRegistration.status).where(
        HearingRegistration.user_id == leaving.id)) is RegistrationStatus.CANCELLED
