"""What erasing an account does to consultations: the person's name and contacts leave their opinions (the
opinions stay counted under their themes), the text goes too unless they chose to keep what they wrote, and
seats at hearings still to come are given up so that the waitlist moves."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app.auth.models import User
from app.consultations.models import Consultation, HearingRegistration, Opinion, RegistrationStatus
from app.consultations.services import cancel_registration
from app.extensions import db
from app.privacy.deletion import ERASED_NAME, ERASED_TITLE
from app.sql import rowcount


def erase_participant(user: User, keep_content: bool, now: datetime) -> dict[str, int]:
    anonymous = dict(name=ERASED_NAME, phone="", affiliation="", position="")
    if not keep_content:
        anonymous["body"] = ERASED_TITLE
    opinions = rowcount(db.session.execute(update(Opinion).where(Opinion.user_id == user.id).values(**anonymous)
                                           .execution_options(synchronize_session=False)))
    upcoming = db.session.scalars(
        select(Consultation).join(HearingRegistration, HearingRegistration.consultation_id == Consultation.id)
        .where(HearingRegistration.user_id == user.id, HearingRegistration.status != RegistrationStatus.CANCELLED,
               Consultation.hearing_starts_at > now).order_by(Consultation.id)).all()
    for consultation in upcoming:
        cancel_registration(consultation, user, now)
    return {"consultation_opinions_anonymised": opinions, "hearing_seats_given_up": len(upcoming)}
