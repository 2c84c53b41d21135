"""`flask ledger reconcile` for walking: every cached total equals the sum of the rows it caches."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import Budget, LedgerEntry, LedgerEntryType, ProgrammeType
from app.walking.models import Conversion, ConversionStatus, MileageEntry, MileageKind, WalkingDay, WalkingParticipant


def walking_differences() -> list[str]:
    problems = []
    sums: dict[int, int | None] = {user_id: total for user_id, total in db.session.execute(
        select(MileageEntry.user_id, func.sum(MileageEntry.amount_won)).group_by(MileageEntry.user_id))}
    for user_id, balance in db.session.execute(select(WalkingParticipant.user_id, WalkingParticipant.balance_won)):
        if int(sums.get(user_id) or 0) != balance:
            problems.append(f"walking participant {user_id}: cached balance={balance}, "
                            f"mileage ledger={int(sums.get(user_id) or 0)}")
    credited: dict[int, int | None] = {user_id: total for user_id, total in db.session.execute(
        select(MileageEntry.user_id, func.sum(MileageEntry.amount_won)).where(MileageEntry.kind == MileageKind.DAY)
        .group_by(MileageEntry.user_id))}
    day_totals: dict[int, int | None] = {user_id: total for user_id, total in db.session.execute(
        select(WalkingDay.user_id, func.sum(WalkingDay.credited_won)).group_by(WalkingDay.user_id))}
    for user_id in credited.keys() | day_totals.keys():
        if int(credited.get(user_id) or 0) != int(day_totals.get(user_id) or 0):
            problems.append(f"walking participant {user_id}: days credited={int(day_totals.get(user_id) or 0)}, "
                            f"day entries={int(credited.get(user_id) or 0)}")
    walking = select(Budget.id).where(Budget.programme_type == ProgrammeType.WALKING)
    earned = int(db.session.scalar(select(func.coalesce(func.sum(MileageEntry.amount_won), 0)).where(
        MileageEntry.kind.in_([MileageKind.DAY, MileageKind.BONUS]))))
    committed_rows = int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_won), 0)).where(
        LedgerEntry.budget_id.in_(walking),
        LedgerEntry.entry_type.in_([LedgerEntryType.COMMIT, LedgerEntryType.RELEASE]))))
    if earned != committed_rows:
        problems.append(f"walking: mileage earned={earned}, budget commitments={committed_rows}")
    paid = int(db.session.scalar(select(func.coalesce(func.sum(Conversion.amount_won), 0)).where(
        Conversion.status.in_([ConversionStatus.REDEEMED, ConversionStatus.PAID]))))
    paid_rows = int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_won), 0)).where(
        LedgerEntry.budget_id.in_(walking), LedgerEntry.entry_type == LedgerEntryType.PAYOUT)))
    if paid != paid_rows:
        problems.append(f"walking: conversions paid={paid}, budget payouts={paid_rows}")
    return problems
