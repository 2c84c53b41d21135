"""What erasing an account does to walking: the person leaves the programme and their step records (health
data) are deleted at once; the days' totals and the mileage ledger stay, as money records."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from app.auth.models import User
from app.extensions import db
from app.sql import rowcount
from app.walking.models import StepRecord
from app.walking.services.participation import is_participating, leave


def erase_walker(user: User, keep_content: bool, now: datetime) -> dict[str, int]:
    if is_participating(user):
        leave(user)
    removed = rowcount(db.session.execute(delete(StepRecord).where(StepRecord.user_id == user.id)))
    return {"walking_step_records": removed}
