"""The resident's own opinions and hearing registrations in "download my data" (privacy plan, 003:2690-2824)."""
from sqlalchemy import select

from app.consultations.models import HearingRegistration, Opinion
from app.core import iso
from app.extensions import db


def opinions_section(user) -> list[dict]:
    return [{"consultation_id": o.consultation_id, "channel": o.channel.value, "affiliation": o.affiliation,
             "name": o.name, "position": o.position, "phone": o.phone, "body": o.body,
             "written_on": o.written_on.isoformat(), "created_at": iso(o.created_at)}
            for o in db.session.scalars(select(Opinion).where(Opinion.user_id == user.id).order_by(Opinion.id))]


def registrations_section(user) -> list[dict]:
    return [{"consultation_id": r.consultation_id, "status": r.status.value, "created_at": iso(r.created_at)}
            for r in db.session.scalars(select(HearingRegistration).where(HearingRegistration.user_id == user.id)
                                        .order_by(HearingRegistration.id))]
