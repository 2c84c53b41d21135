"""The walking section of a resident's data download (/account/export)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.walking.models import Conversion, MileageEntry, MissionCompletion, StepRecord, WalkingDay, WalkingParticipant


def walking_data(user) -> dict:
    participant = db.session.get(WalkingParticipant, user.id)
    return {
        "participation": None if participant is None else {
            "status": participant.status.value, "joined_at": iso(participant.joined_at),
            "left_at": iso(participant.left_at), "balance_won": participant.balance_won,
            "pay_account_linked": bool(participant.pay_account_encrypted)},
        "step_records": [{"date": r.day.isoformat(), "source": r.source, "steps": r.steps, "review": r.review.value,
                          "received_at": iso(r.received_at)}
                         for r in db.session.scalars(select(StepRecord).where(StepRecord.user_id == user.id)
                                                     .order_by(StepRecord.day, StepRecord.source))],
        "days": [{"date": d.day.isoformat(), "steps": d.steps, "credited_won": d.credited_won}
                 for d in db.session.scalars(select(WalkingDay).where(WalkingDay.user_id == user.id)
                                             .order_by(WalkingDay.day))],
        "mileage": [{"kind": e.kind.value, "amount_won": e.amount_won, "date": e.day.isoformat() if e.day else None,
                     "created_at": iso(e.created_at)}
                    for e in db.session.scalars(select(MileageEntry).where(MileageEntry.user_id == user.id)
                                                .order_by(MileageEntry.id))],
        "conversions": [{"amount_won": c.amount_won, "provider": c.provider.value, "status": c.status.value,
                         "coupon_number": c.coupon_number, "created_at": iso(c.created_at)}
                        for c in db.session.scalars(select(Conversion).where(Conversion.user_id == user.id)
                                                    .order_by(Conversion.id))],
        "missions_completed": [m.mission_id for m in db.session.scalars(
            select(MissionCompletion).where(MissionCompletion.user_id == user.id))],
    }


def register() -> None:
    register_export("walking", walking_data)
