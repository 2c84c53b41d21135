from importlib import import_module

from sqlalchemy import func, select

from app.extensions import db
from app.walking.models import Conversion, Mission, ReviewStatus, StepRecord, WalkingDay, WalkingParticipant


def test_demo_walking_programme_is_complete_reconciles_and_is_idempotent(runner):
    for _ in range(2):
        for name in ("app.auth.demo", "app.ledger.demo", "app.walking.demo"):
            import_module(name).seed_demo()
            db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WalkingParticipant)) == 3
    assert db.session.scalar(select(func.count()).select_from(WalkingDay)) == 90
    assert db.session.scalar(select(func.count()).select_from(StepRecord).where(
        StepRecord.review == ReviewStatus.FLAGGED)) == 1
    assert db.session.scalar(select(func.count()).select_from(Mission)) == 2
    coupon = db.session.scalar(select(Conversion))
    assert coupon.amount_won == 1000 and coupon.coupon_number
    result = runner.invoke(args=["ledger", "reconcile"])
    assert result.exit_code == 0, result.output
