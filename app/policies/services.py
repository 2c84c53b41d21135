"""Policy use cases. Services validate rules, change data, write audit rows, queue notifications and
flush; the caller (view, API, CLI) commits once."""
from __future__ import annotations

from collections.abc import Sequence

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, union
from sqlalchemy.orm import selectinload

from app import audit
from app.auth.models import Role, User, UserRole
from app.core import DomainError, utcnow
from app.extensions import db
from app.notifications.services import notify_selected
from app.policies import attachments
from app.policies.models import (
    Horizon,
    Policy,
    PolicyFollow,
    PolicyStatus,
    PolicyStatusChange,
    PolicyStep,
    PolicyUpdate,
    StepState,
    policy_proposals,
)
from app.proposals.choices import all_fields, field_by_slug
from app.proposals.models import Field, Proposal, ProposalStatus, Support, proposal_topic_links
from app.search import SearchDocument, add_to_index
from app.sql import rowcount
from app.text import plain_text

# Only these proposals can become (part of) a policy.
LINKABLE_STATUSES = (ProposalStatus.ADOPTED, ProposalStatus.PARTLY_ADOPTED)


@dataclass
class PolicyData:
    """What a staff member fills in for a policy (page form or API body)."""

    title: str
    summary: str
    department: str
    official_id: int | None = None
    official_name: str | None = None
    horizon: Horizon | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget_won: int | None = None


def policy_path(policy_id: int) -> str:
    return f"/policies/{policy_id}"


# Reading ------------------------------------------------------------------------------------------

def policies_query(*, field: str | None = None, department: str | None = None,
                   status: PolicyStatus | None = None, horizon: Horizon | None = None):
    """Every policy matching the filters, latest activity first, with what a list shows loaded up front."""
    query = (select(Policy).options(selectinload(Policy.steps), selectinload(Policy.field))
             .order_by(Policy.updated_at.desc(), Policy.id.desc()))
    if field:
        query = query.join(Policy.field).where(Field.slug == field)
    if department:
        query = query.where(Policy.department == department)
    if status is not None:
        query = query.where(Policy.status == status)
    if horizon is not None:
        query = query.where(Policy.horizon == horizon)
    return query


def home_section() -> dict | None:
    """The home page's three most recently active policies that are under way or planned."""
    policies = list(db.session.scalars(
        policies_query().where(Policy.status.in_([PolicyStatus.IN_PROGRESS, PolicyStatus.PLANNED])).limit(3)))
    return {"template": "policies/_home.html", "policies": policies} if policies else None


def departments() -> list[str]:
    return list(db.session.scalars(select(Policy.department).distinct().order_by(Policy.department)))


def load_policy(policy_id: int) -> Policy | None:
    return db.session.scalar(
        select(Policy).where(Policy.id == policy_id).options(
            selectinload(Policy.steps),
            selectinload(Policy.status_changes).joinedload(PolicyStatusChange.actor),
            selectinload(Policy.official),
            selectinload(Policy.field),
            selectinload(Policy.proposals),
        )
    )


def linked_proposals(policy: Policy) -> list[Proposal]:
    return list(policy.proposals)


def field_slug(policy: Policy) -> str:
    return policy.field.slug if policy.field is not None else ""


def linkable_proposals(policy: Policy | None = None) -> list[Proposal]:
    """Adopted or partly adopted proposals, plus those the policy already links whatever their status now."""
    condition = Proposal.status.in_(LINKABLE_STATUSES) & Proposal.hidden.is_(False)
    if policy is not None and policy.id is not None:
        linked = select(policy_proposals.c.proposal_id).where(policy_proposals.c.policy_id == policy.id)
        condition = condition | Proposal.id.in_(linked)
    return list(db.session.scalars(select(Proposal).where(condition).order_by(Proposal.id.desc())))


def form_choices(policy: Policy | None = None) -> dict:
    return {"fields": all_fields(), "proposals": linkable_proposals(policy)}


def policy_data(form) -> PolicyData:
    return PolicyData(
        title=form.title.data, summary=form.summary.data, department=form.department.data,
        official_id=form.official_id.data, official_name=form.official_name.data,
        horizon=Horizon(form.horizon.data) if form.horizon.data else None,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, budget_won=form.budget_won.data,
    )


def policies_for_proposal(proposal_id: int) -> list[Policy]:
    return list(db.session.scalars(
        select(Policy).join(policy_proposals, policy_proposals.c.policy_id == Policy.id)
        .where(policy_proposals.c.proposal_id == proposal_id).options(selectinload(Policy.steps))
        .order_by(Policy.id)
    ))


def updates_query(policy: Policy):
    return (select(PolicyUpdate).where(PolicyUpdate.policy_id == policy.id)
            .options(selectinload(PolicyUpdate.author), selectinload(PolicyUpdate.step))
            .order_by(PolicyUpdate.created_at.desc(), PolicyUpdate.id.desc()))


def is_following(policy: Policy, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(PolicyFollow, (user.id, policy.id)) is not None


def staff_users() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True))
        .distinct().order_by(User.display_name)
    ))


# Writing ------------------------------------------------------------------------------------------

def _apply_data(policy: Policy, data: PolicyData) -> None:
    if data.official_id is not None:
        official = db.session.get(User, data.official_id)
        if official is None or not official.is_staff:
            raise DomainError(_l("The responsible official must be a staff member."), field="official_id",
                              status=422)
    if data.horizon is None and data.starts_on is None:
        raise DomainError(_l("Choose a horizon or give a date range."), field="horizon", status=422)
    if (data.starts_on is None) != (data.ends_on is None):
        raise DomainError(_l("A date range needs both a start and an end."), field="ends_on", status=422)
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise DomainError(_l("The end date cannot be before the start date."), field="ends_on", status=422)
    if data.budget_won is not None and data.budget_won < 0:
        raise DomainError(_l("A budget cannot be negative."), field="budget_won", status=422)
    policy.title = data.title.strip()
    policy.summary = data.summary.strip()
    policy.department = data.department.strip()
    policy.official_id = data.official_id
    # A staff account, when chosen, names the official; the free-text name is only for people without one.
    policy.official_name = None if data.official_id is not None else ((data.official_name or "").strip() or None)
    # A date range alone still places the policy on the plan's roadmap, so the horizon filter finds it.
    policy.horizon = data.horizon or Horizon.for_year(data.starts_on.year)
    policy.starts_on = data.starts_on
    policy.ends_on = data.ends_on
    policy.budget_won = data.budget_won


def _index(policy: Policy) -> None:
    add_to_index(SearchDocument(
        type="policy", id=policy.id, title=policy.title,
        body=f"{plain_text(policy.summary)}\n{policy.department}", url=policy_path(policy.id),
    ))


def search_documents():
    for policy in db.session.scalars(select(Policy).order_by(Policy.id)).yield_per(500):
        yield SearchDocument(type="policy", id=policy.id, title=policy.title,
                             body=f"{plain_text(policy.summary)}\n{policy.department}", url=policy_path(policy.id))


def count_policies() -> int:
    return db.session.scalar(select(func.count()).select_from(Policy))


def _apply_links(policy: Policy, field_slug: str | None, proposal_ids) -> None:
    policy.field = None
    if field_slug:
        policy.field = field_by_slug(field_slug)
        if policy.field is None:
            raise DomainError(_l("Choose one of the fields."), field="field", status=422)
    wanted = set(proposal_ids or [])
    allowed = {p.id: p for p in linkable_proposals(policy)} if wanted else {}
    if wanted - set(allowed):
        raise DomainError(_l("Only adopted or partly adopted proposals can become a policy."),
                          field="proposal_ids", status=422)
    policy.proposals = [allowed[pid] for pid in sorted(wanted)]


def create_policy(actor: User, data: PolicyData, *, field_slug: str | None = None, proposal_ids=(),
                  steps: Sequence[tuple[str, int]] = ()) -> Policy:
    policy = Policy(created_by_id=actor.id, status=PolicyStatus.PLANNED)
    _apply_data(policy, data)
    _apply_links(policy, field_slug, proposal_ids)
    for position, (title, weight) in enumerate(steps):
        policy.steps.append(_new_step(position, title, weight))
    policy.status_changes.append(PolicyStatusChange(from_status=None, to_status=PolicyStatus.PLANNED,
                                                    actor_id=actor.id))
    db.session.add(policy)
    db.session.flush()
    audit.record(actor, "policy.create", "policy", policy.id, title=policy.title,
                 proposal_ids=[p.id for p in policy.proposals])
    _index(policy)
    return policy


def edit_policy(policy: Policy, actor: User, data: PolicyData, *, field_slug: str | None = None,
                proposal_ids=()) -> Policy:
    _apply_data(policy, data)
    _apply_links(policy, field_slug, proposal_ids)
    db.session.flush()
    audit.record(actor, "policy.edit", "policy", policy.id, title=policy.title,
                 proposal_ids=[p.id for p in policy.proposals])
    _index(policy)
    return policy


def _new_step(position: int, title: str, weight: int) -> PolicyStep:
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Give the step a title."), field="steps", status=422)
    if not isinstance(weight, int) or weight < 1:
        raise DomainError(_l("A step's weight is a whole number of at least 1."), field="steps", status=422)
    return PolicyStep(position=position, title=title[:200], weight=weight, state=StepState.PLANNED)


def add_step(policy: Policy, actor: User, title: str, weight: int) -> PolicyStep:
    policy.ensure_open()
    step = _new_step(len(policy.steps), title, weight)
    policy.steps.append(step)
    db.session.flush()
    audit.record(actor, "policy.step_add", "policy", policy.id, step_id=step.id, title=step.title)
    return step


def edit_step(step: PolicyStep, actor: User, *, title: str, weight: int, state: StepState,
              percent: int | None) -> PolicyStep:
    step.policy.ensure_open()
    edited = _new_step(step.position, title, weight)
    step.title, step.weight = edited.title, edited.weight
    step.set_state(state, percent)
    db.session.flush()
    audit.record(actor, "policy.step_edit", "policy", step.policy_id, step_id=step.id, state=state.value,
                 percent=step.percent)
    return step


def move_step(step: PolicyStep, actor: User, offset: int) -> None:
    """Swap the step with its neighbour above (offset -1) or below (+1)."""
    policy = step.policy
    policy.ensure_open()
    steps = list(policy.steps)
    index = steps.index(step)
    other_index = index + offset
    if not 0 <= other_index < len(steps):
        return
    other = steps[other_index]
    step.position, other.position = other.position, step.position
    db.session.flush()
    db.session.expire(policy, ["steps"])
    audit.record(actor, "policy.step_move", "policy", policy.id, step_id=step.id, position=step.position)


def change_status(policy: Policy, actor: User, new_status: PolicyStatus, reason: str | None = None) -> None:
    previous = policy.status
    policy.move_to(new_status, reason)
    reason = (reason or "").strip() or None
    policy.status_changes.append(PolicyStatusChange(from_status=previous, to_status=new_status, reason=reason,
                                                    actor_id=actor.id))
    db.session.flush()
    audit.record(actor, "policy.status", "policy", policy.id, old=previous.value, new=new_status.value,
                 reason=reason)


def post_update(policy: Policy, actor: User, *, body: str, step_id: int | None = None,
                step_state: StepState | None = None, step_percent: int | None = None,
                upload=None) -> PolicyUpdate:
    """Post a progress update, apply its step change, and notify everyone who cares, in one INSERT."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write what happened."), field="body", status=422)
    attachment = attachments.check_upload(upload)
    step = None
    if step_id is not None:
        step = db.session.get(PolicyStep, step_id)
        if step is None or step.policy_id != policy.id:
            raise DomainError(_l("Choose a step of this policy."), field="step_id", status=422)
        if step_state is None:
            raise DomainError(_l("Choose the step's new state."), field="step_state", status=422)
        policy.ensure_open()
        step.set_state(step_state, step_percent)
    elif step_state is not None or step_percent is not None:
        raise DomainError(_l("Choose which step changed."), field="step_id", status=422)
    update = PolicyUpdate(
        policy_id=policy.id, author_id=actor.id, body=body, step_id=step.id if step else None,
        step_state=step_state if step else None, step_percent=step.percent if step else None,
    )
    if attachment is not None:
        update.attachment_name = attachment.name
        update.attachment_key = attachment.key
        update.attachment_mime = attachment.mime
        update.attachment_size = attachment.size
    db.session.add(update)
    policy.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "policy.update", "policy", policy.id, update_id=update.id)
    notify_selected(update_audience(policy, exclude_user_id=actor.id), "policy_update",
                    f"{policy_path(policy.id)}#update-{update.id}", title=policy.title)
    if attachment is not None:
        # Written last, after every check passed, so a refused update leaves no file behind.
        attachments.save(attachment)
    return update


def update_audience(policy: Policy, *, exclude_user_id: int | None = None):
    """Distinct ids of followers, and of authors and supporters of the linked proposals."""
    from app.interests.services import audience as interested

    followers = select(PolicyFollow.user_id.label("user_id")).where(PolicyFollow.policy_id == policy.id)
    # Residents following the policy's field, or the topics and districts of its proposals, hear too;
    # the union keeps one message per person however many of these they follow.
    linked = select(policy_proposals.c.proposal_id).where(policy_proposals.c.policy_id == policy.id)
    interest_followers = interested(
        field_ids=[policy.field_id],
        topic_ids=select(proposal_topic_links.c.topic_id).where(proposal_topic_links.c.proposal_id.in_(linked)),
        districts=select(Proposal.district).where(Proposal.id.in_(linked)))
    parts = [followers, *_proposal_audience(policy), interest_followers]
    audience = union(*parts).subquery()
    query = select(audience.c.user_id).distinct()
    if exclude_user_id is not None:
        query = query.where(audience.c.user_id != exclude_user_id)
    return query


def _proposal_audience(policy: Policy) -> list:
    linked = select(policy_proposals.c.proposal_id).where(policy_proposals.c.policy_id == policy.id)
    authors = select(Proposal.author_id.label("user_id")).where(Proposal.id.in_(linked))
    supporters = select(Support.user_id.label("user_id")).where(Support.proposal_id.in_(linked))
    return [authors, supporters]


def follow(policy: Policy, user: User) -> bool:
    """Follow; returns False when already following."""
    if db.session.get(PolicyFollow, (user.id, policy.id)) is not None:
        return False
    db.session.add(PolicyFollow(user_id=user.id, policy_id=policy.id))
    db.session.flush()
    return True


def unfollow(policy: Policy, user: User) -> bool:
    result = db.session.execute(delete(PolicyFollow).where(PolicyFollow.user_id == user.id,
                                                           PolicyFollow.policy_id == policy.id))
    return rowcount(result) > 0
