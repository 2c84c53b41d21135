"""Staff review of counts above the plausibility limit: clearing lets the day earn, rejecting does not."""
from __future__ import annotations

from app import audit
from app.core import utcnow
from app.walking.models import ReviewStatus, StepRecord
from app.walking.services.crediting import credit_pending, recompute


def review_record(record: StepRecord, decision: ReviewStatus, *, actor) -> dict:
    record.review_to(decision, actor, utcnow())
    recompute([record.day], [record.user_id])
    result = credit_pending([record.day], [record.user_id], actor=actor)
    audit.record(actor, "walking_steps.reviewed", "walking_step_record", record.id, decision=decision.value)
    return result
