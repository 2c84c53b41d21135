"""Residents' comments on progress updates, through the shared comments component.

Each update's full thread lives on the update's own page (the shared thread template is one thread per
page); the policy page shows every update's comment count and latest comments, loaded for the whole page
of updates in two queries."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from app.comments.models import Comment
from app.comments.registry import register_comment_target
from app.extensions import db
from app.policies.models import PolicyUpdate
from app.policies.permissions import can_comment_on_update, can_view_policy

TARGET_TYPE = "policy_update"
PREVIEW_SIZE = 2


def update_path(update: PolicyUpdate) -> str:
    return f"/policies/{update.policy_id}/updates/{update.id}"


def register() -> None:
    register_comment_target(
        TARGET_TYPE,
        load=lambda update_id: db.session.get(PolicyUpdate, update_id),
        can_view=lambda user, update: can_view_policy(user, update.policy),
        can_comment=can_comment_on_update,
        url=update_path,
        title=lambda update: update.policy.title,
    )


@dataclass
class CommentSummary:
    count: int = 0
    latest: list[Comment] = field(default_factory=list)  # newest first


def _shown():
    return (Comment.target_type == TARGET_TYPE, Comment.deleted_at.is_(None), Comment.hidden.is_(False))


def comment_summaries(update_ids: list[int]) -> dict[int, CommentSummary]:
    """Visible comment counts and the latest top-level comments of these updates, in two queries."""
    summaries = {update_id: CommentSummary() for update_id in update_ids}
    if not update_ids:
        return summaries
    counts = db.session.execute(
        select(Comment.target_id, func.count()).where(*_shown(), Comment.target_id.in_(update_ids))
        .group_by(Comment.target_id)
    )
    for update_id, count in counts:
        summaries[update_id].count = count
    ranked = (
        select(Comment.id, func.row_number().over(partition_by=Comment.target_id, order_by=Comment.id.desc())
               .label("rank"))
        .where(*_shown(), Comment.parent_id.is_(None), Comment.target_id.in_(update_ids))
        .subquery()
    )
    latest = aliased(Comment)
    rows = db.session.scalars(
        select(latest).join(ranked, ranked.c.id == latest.id).where(ranked.c.rank <= PREVIEW_SIZE)
        .options(joinedload(latest.author, innerjoin=True)).order_by(latest.id.desc())
    )
    for comment in rows:
        summaries[comment.target_id].latest.append(comment)
    return summaries
