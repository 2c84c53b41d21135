"""What a resident sees of their walking: today, the balance, history, days for a chart."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.walking.models import Conversion, MileageEntry, WalkingDay, WalkingParticipant
from app.walking.services import today
from app.walking.services.conversions import IN_HAND
from app.walking.services.crediting import is_paused


def wallet(user) -> dict:
    participant = db.session.get(WalkingParticipant, user.id)
    day = today()
    row = db.session.execute(select(WalkingDay.steps, WalkingDay.credited_won)
                             .where(WalkingDay.user_id == user.id, WalkingDay.day == day)).first()
    converted = db.session.execute(select(func.coalesce(func.sum(Conversion.amount_won), 0)).where(
        Conversion.user_id == user.id, Conversion.status.in_(IN_HAND))).scalar_one()
    return {
        "participating": bool(participant and participant.active),
        "mileage_balance": participant.balance_won if participant else 0,
        "converted_total": int(converted),
        "today": {"date": day.isoformat(), "steps": row[0] if row else 0, "mileage": row[1] if row else 0},
        "paused": is_paused(),
    }


def days_between(user_id: int, first: date, last: date) -> list[dict]:
    """Every day from ``first`` to ``last``, with zeros where nothing was counted (for charts and tables)."""
    stored = {d: (s, c) for d, s, c in db.session.execute(
        select(WalkingDay.day, WalkingDay.steps, WalkingDay.credited_won)
        .where(WalkingDay.user_id == user_id, WalkingDay.day.between(first, last)))}
    result = []
    day = first
    while day <= last:
        steps, mileage = stored.get(day, (0, 0))
        result.append({"day": day, "steps": steps, "mileage": mileage})
        day += timedelta(days=1)
    return result


def history_query(user_id: int):
    return select(MileageEntry).where(MileageEntry.user_id == user_id).order_by(MileageEntry.id.desc())
