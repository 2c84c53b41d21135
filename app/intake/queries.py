"""What intake pages and the API both read."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.consultations.models import Consultation, ConsultationStatus
from app.core import iso
from app.extensions import db
from app.intake.models import IntakeRecord
from app.labs.models import Lab
from app.labs.queries import recruiting_condition


def open_consultations() -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(Consultation.status == ConsultationStatus.OPEN)
                                   .order_by(Consultation.deadline_at, Consultation.id)))


def recruiting_labs(today: date) -> list[Lab]:
    return list(db.session.scalars(select(Lab).where(recruiting_condition(today))
                                   .order_by(Lab.recruitment_deadline, Lab.id)))


def record_json(record: IntakeRecord, *, with_contact: bool = False) -> dict:
    body = {"id": record.id, "kind": record.kind.value, "channel": record.channel.value, "title": record.title,
            "url": record.url, "created_at": iso(record.created_at), "claimed": record.claimed,
            "claimed_at": iso(record.claimed_at), "phone_erased": record.phone_erased,
            "proposal_id": record.proposal_id, "opinion_id": record.opinion_id, "membership_id": record.membership_id}
    if with_contact:
        from app.intake.services import phone_of

        body.update(resident_name=record.resident_name, phone=phone_of(record), birth_year=record.birth_year,
                    guardian_name=record.guardian_name,
                    consent={"privacy": record.consent_privacy, "texts": record.consent_texts,
                             "note": record.consent_note, "policy_version": record.policy_version},
                    entered_by={"id": record.entered_by_id,
                                "display_name": record.entered_by.display_name if record.entered_by else None})
    return body
