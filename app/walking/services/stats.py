"""Figures for staff: participants, steps, won earned and converted, the budget's burn-down."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import LedgerEntry, LedgerEntryType
from app.ledger.programmes import seoul_date
from app.walking.models import (
    Conversion,
    ConversionStatus,
    MileageEntry,
    MileageKind,
    ParticipationStatus,
    ReviewStatus,
    StepRecord,
    WalkingDay,
    WalkingParticipant,
)
from app.walking.services import today
from app.walking.services.conversions import IN_HAND
from app.walking.services.crediting import pending_day_count, walking_budget


def overview() -> dict:
    day = today()
    month_start = day.replace(day=1)
    participants = db.session.execute(select(func.count()).select_from(WalkingParticipant)
                                      .where(WalkingParticipant.status == ParticipationStatus.ACTIVE)).scalar_one()
    steps_month = db.session.execute(select(func.coalesce(func.sum(WalkingDay.steps), 0))
                                     .where(WalkingDay.day >= month_start)).scalar_one()
    earned = db.session.execute(select(func.coalesce(func.sum(MileageEntry.amount_won), 0))
                                .where(MileageEntry.kind.in_([MileageKind.DAY, MileageKind.BONUS]))).scalar_one()
    converted = db.session.execute(select(func.coalesce(func.sum(Conversion.amount_won), 0))
                                   .where(Conversion.status.in_(IN_HAND))).scalar_one()
    redeemed = db.session.execute(select(func.coalesce(func.sum(Conversion.amount_won), 0)).where(
        Conversion.status.in_([ConversionStatus.REDEEMED, ConversionStatus.PAID]))).scalar_one()
    flagged = db.session.execute(select(func.count()).select_from(StepRecord)
                                 .where(StepRecord.review == ReviewStatus.FLAGGED)).scalar_one()
    return {"participants": int(participants), "steps_this_month": int(steps_month), "earned_won": int(earned),
            "converted_won": int(converted), "paid_won": int(redeemed), "flagged_records": int(flagged),
            "pending_days": pending_day_count(), "budget": budget_status(day.year)}


def budget_status(year: int) -> dict | None:
    """The year's budget, what each day used, and the day it runs out at the last 30 days' rate."""
    budget = walking_budget(year)
    if budget is None:
        return None
    used_by_day: dict[date, int] = {}
    for created_at, amount in db.session.execute(
            select(LedgerEntry.created_at, LedgerEntry.amount_won).where(
                LedgerEntry.budget_id == budget.id,
                LedgerEntry.entry_type.in_([LedgerEntryType.COMMIT, LedgerEntryType.RELEASE]))
            .order_by(LedgerEntry.id)):
        day = seoul_date(created_at)
        used_by_day[day] = used_by_day.get(day, 0) + int(amount)
    points, used = [], 0
    start = date(year, 1, 1)
    points.append((start, budget.allocated_won))
    for day in sorted(used_by_day):
        used += used_by_day[day]
        points.append((day, budget.allocated_won - used))
    now = today()
    recent = sum(v for d, v in used_by_day.items() if d > now - timedelta(days=30))
    rate = recent / 30
    remaining = budget.remaining_won
    projection = None
    if remaining <= 0:
        projection = now
    elif rate > 0:
        projection = now + timedelta(days=int(remaining / rate))
    return {"year": year, "budget_id": budget.id, "allocated_won": budget.allocated_won,
            "committed_won": budget.committed_won, "paid_won": budget.paid_won, "remaining_won": remaining,
            "daily_rate_won": round(rate), "runs_out_on": projection, "points": points,
            "year_end": date(year, 12, 31)}


def participants_query():
    return (select(WalkingParticipant).join(WalkingParticipant.user)
            .order_by(WalkingParticipant.joined_at.desc(), WalkingParticipant.user_id.desc()))


def flagged_query():
    return select(StepRecord).where(StepRecord.review == ReviewStatus.FLAGGED).order_by(StepRecord.day, StepRecord.id)


def redemptions_query():
    return (select(Conversion).where(Conversion.status == ConversionStatus.REDEEMED)
            .order_by(Conversion.redeemed_at.desc()))


def export_rows():
    """One row per resident and day, for the CSV export (streamed)."""
    from app.auth.models import User

    return db.session.execute(
        select(User.email, WalkingDay.day, WalkingDay.steps, WalkingDay.reward_won, WalkingDay.credited_won,
               WalkingDay.pending)
        .join(User, User.id == WalkingDay.user_id).order_by(WalkingDay.day, User.email)
        .execution_options(yield_per=2000))
