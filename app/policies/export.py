"""Policies' sections of the resident's data export: policies followed, progress updates written."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso, register_export
from app.extensions import db
from app.policies.models import Policy, PolicyFollow, PolicyUpdate


def _follows(user) -> list[dict]:
    rows = db.session.execute(select(PolicyFollow.policy_id, Policy.title, PolicyFollow.created_at)
                              .join(Policy, Policy.id == PolicyFollow.policy_id)
                              .where(PolicyFollow.user_id == user.id).order_by(PolicyFollow.created_at))
    return [{"policy_id": pid, "policy_title": title, "at": iso(at)} for pid, title, at in rows]


def _updates(user) -> list[dict]:
    rows = db.session.scalars(select(PolicyUpdate).where(PolicyUpdate.author_id == user.id).order_by(PolicyUpdate.id))
    return [{"policy_id": u.policy_id, "body": u.body, "attachment_name": u.attachment_name,
             "created_at": iso(u.created_at)} for u in rows]


def register() -> None:
    register_export("policies_followed", _follows)
    register_export("policy_updates_written", _updates)
