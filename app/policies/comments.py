"""Residents' comments on progress updates, through the shared comments component.

Each update's full thread lives on the update's own page (the shared thread template is one thread per
page); the policy page shows every update's comment count and latest comments, loaded for the whole page
of updates in one query."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy import update as sa_update
from sqlalchemy.orm import aliased, joinedload

from app.comments.models import Comment
from app.extensions import db
from app.policies.models import PolicyUpdate

TARGET_TYPE = "policy_update"
PREVIEW_SIZE = 2


def update_path(update: PolicyUpdate) -> str:
    return f"/policies/{update.policy_id}/updates/{update.id}"


def count_changed(update: PolicyUpdate, delta: int) -> None:
    db.session.execute(sa_update(PolicyUpdate).where(PolicyUpdate.id == update.id)
                       .values(comment_count=PolicyUpdate.comment_count + delta))
    db.session.expire(update, ["comment_count"])


def latest_comments(update_ids: list[int]) -> dict[int, list[Comment]]:
    """The latest visible top-level comments of each of these updates (newest first), in one query."""
    latest_by_update: dict[int, list[Comment]] = {update_id: [] for update_id in update_ids}
    if not update_ids:
        return latest_by_update
    shown = (Comment.target_type == TARGET_TYPE, Comment.deleted_at.is_(None), Comment.hidden.is_(False))
    ranked = (
        select(Comment.id, func.row_number().over(partition_by=Comment.target_id, order_by=Comment.id.desc())
               .label("rank"))
        .where(*shown, Comment.parent_id.is_(None), Comment.target_id.in_(update_ids))
        .subquery()
    )
    latest = aliased(Comment)
    rows = db.session.scalars(
        select(latest).join(ranked, ranked.c.id == latest.id).where(ranked.c.rank <= PREVIEW_SIZE)
        .options(joinedload(latest.author, innerjoin=True)).order_by(latest.id.desc())
    )
    for comment in rows:
        latest_by_update[comment.target_id].append(comment)
    return latest_by_update
