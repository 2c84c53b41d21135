"""The built-in open data sets: proposals, comments, official answers, policies with their progress
and steps, living labs with their stages and KPIs. Hidden and deleted content is left out."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core import iso
from app.extensions import db
from app.opendata.registry import Column, Dataset, pseudonym, register_dataset

BATCH = 2000


def _proposals():
    from app.proposals.models import Field, Proposal, Topic, proposal_topic_links

    topics: dict[int, list[str]] = {}
    for proposal_id, slug in db.session.execute(select(proposal_topic_links.c.proposal_id, Topic.slug)
                                                .join(Topic, Topic.id == proposal_topic_links.c.topic_id)):
        topics.setdefault(proposal_id, []).append(slug)
    query = (select(Proposal.id, Proposal.title, Proposal.body, Field.slug, Proposal.status, Proposal.district,
                    Proposal.support_count, Proposal.comment_count, Proposal.created_at, Proposal.answered_at,
                    Proposal.author_id)
             .join(Field, Field.id == Proposal.field_id).where(Proposal.hidden.is_(False)).order_by(Proposal.id))
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        yield (row.id, row.title, row.body, row.slug, ";".join(sorted(topics.get(row.id, []))), row.status.value,
               row.district, row.support_count, row.comment_count, iso(row.created_at), iso(row.answered_at),
               pseudonym(row.author_id))


def _comments():
    from app.comments.models import Comment

    query = (select(Comment.id, Comment.target_type, Comment.target_id, Comment.parent_id, Comment.body,
                    Comment.stance, Comment.created_at, Comment.author_id)
             .where(Comment.hidden.is_(False), Comment.deleted_at.is_(None)).order_by(Comment.id))
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        yield (row.id, row.target_type, row.target_id, row.parent_id, row.body,
               row.stance.value if row.stance else None, iso(row.created_at), pseudonym(row.author_id))


def _answers():
    from app.proposals.models import OfficialAnswer, Proposal

    query = (select(OfficialAnswer).join(Proposal, Proposal.id == OfficialAnswer.proposal_id)
             .where(Proposal.hidden.is_(False)).order_by(OfficialAnswer.id))
    for a in db.session.scalars(query):
        yield (a.proposal_id, a.department, a.status.value, a.body, a.reason, iso(a.created_at), iso(a.updated_at))


def _policies():
    from app.policies.models import Policy, policy_proposals

    linked: dict[int, list[str]] = {}
    for policy_id, proposal_id in db.session.execute(select(policy_proposals.c.policy_id,
                                                            policy_proposals.c.proposal_id)):
        linked.setdefault(policy_id, []).append(str(proposal_id))
    for p in db.session.scalars(select(Policy).options(selectinload(Policy.steps), selectinload(Policy.field))
                                .order_by(Policy.id)):
        yield (p.id, p.title, p.summary, p.department, p.field.slug if p.field else None,
               p.horizon.value if p.horizon else None, p.status.value, p.progress,
               p.starts_on.isoformat() if p.starts_on else None, p.ends_on.isoformat() if p.ends_on else None,
               p.budget_won, ";".join(sorted(linked.get(p.id, []), key=int)), iso(p.updated_at))


def _policy_steps():
    from app.policies.models import PolicyStep

    for s in db.session.scalars(select(PolicyStep).order_by(PolicyStep.policy_id, PolicyStep.position)):
        yield (s.policy_id, s.position, s.title, s.weight, s.state.value, s.percent)


def _labs():
    from app.labs.models import Lab, LabMembership, MembershipStatus

    members: dict[int, int] = dict(db.session.execute(  # type: ignore[arg-type]
        select(LabMembership.lab_id, func.count()).where(
        LabMembership.status == MembershipStatus.ACCEPTED).group_by(LabMembership.lab_id)).all())
    for lab in db.session.scalars(select(Lab).order_by(Lab.id)):
        yield (lab.id, lab.title, lab.summary, lab.mode.value, lab.district, lab.stage.value,
               lab.starts_on.isoformat(), lab.ends_on.isoformat(), lab.capacity, members.get(lab.id, 0),
               lab.results_summary, iso(lab.closed_at))


def _lab_stages():
    from app.labs.models import LabStageChange

    for c in db.session.scalars(select(LabStageChange).order_by(LabStageChange.id)):
        yield (c.lab_id, c.from_stage.value if c.from_stage else None, c.to_stage.value, iso(c.at))


def _lab_kpis():
    from app.labs.models import KpiValue

    for k in db.session.scalars(select(KpiValue).order_by(KpiValue.id)):
        yield (k.lab_id, k.name, k.unit, k.target, k.actual, k.recorded_at.year, iso(k.recorded_at))


AUTHOR = Column("author", "string", _l("The author as a stable code (the same person always has the same code)"))
CREATED = Column("created_at", "datetime", _l("When it was written (UTC)"))


def register() -> None:
    register_dataset(Dataset("proposals", _l("Residents' proposals"), _l("Every proposal that is not hidden."), (
        Column("id", "integer", _l("Proposal number")), Column("title", "string", _l("Title")),
        Column("body", "string", _l("Text (Markdown)")), Column("field", "string", _l("Field code")),
        Column("topics", "string", _l("Topic codes, separated by ;")),
        Column("status", "string",
               _l("open, forum, under_review, adopted, partly_adopted, not_adopted, done, withdrawn")),
        Column("district", "string", _l("District code")), Column("supports", "integer", _l("Number of supports")),
        Column("comments", "integer", _l("Number of comments")), CREATED,
        Column("answered_at", "datetime", _l("When the official answer came (UTC)")), AUTHOR), _proposals))
    register_dataset(Dataset("comments", _l("Comments"), _l("Comments on proposals, policies and labs, "
                                                              "without hidden or deleted ones."), (
        Column("id", "integer", _l("Comment number")), Column("on", "string", _l("What it comments on")),
        Column("on_id", "integer", _l("Number of what it comments on")),
        Column("parent_id", "integer", _l("The comment it answers")), Column("body", "string", _l("Text (Markdown)")),
        Column("stance", "string", _l("for, against or neutral")), CREATED, AUTHOR), _comments))
    register_dataset(Dataset("answers", _l("Official answers"), _l("The city's answers to proposals."), (
        Column("proposal_id", "integer", _l("Proposal number")), Column("department", "string", _l("Department")),
        Column("status", "string", _l("The decision")), Column("body", "string", _l("Text (Markdown)")),
        Column("reason", "string", _l("Reason")), CREATED,
        Column("updated_at", "datetime", _l("Last change (UTC)"))), _answers))
    register_dataset(Dataset("policies", _l("Policies and their progress"), _l("Projects and policies born from "
                                                                                  "proposals."), (
        Column("id", "integer", _l("Policy number")), Column("title", "string", _l("Title")),
        Column("summary", "string", _l("Summary")), Column("department", "string", _l("Department")),
        Column("field", "string", _l("Field code")), Column("horizon", "string", _l("near, mid or far future")),
        Column("status", "string", _l("Status")), Column("progress", "integer", _l("Progress in percent (0-100)")),
        Column("starts_on", "date", _l("Start date")), Column("ends_on", "date", _l("End date")),
        Column("budget_won", "integer", _l("Budget in won")),
        Column("proposals", "string", _l("Proposal numbers it came from, separated by ;")),
        Column("updated_at", "datetime", _l("Last change (UTC)"))), _policies))
    register_dataset(Dataset("policy_steps", _l("Policy steps"), _l("The steps of each policy."), (
        Column("policy_id", "integer", _l("Policy number")), Column("position", "integer", _l("Order")),
        Column("title", "string", _l("Title")), Column("weight", "integer", _l("Weight in the progress")),
        Column("state", "string", _l("Status")), Column("percent", "integer", _l("Progress in percent (0-100)"))),
        _policy_steps))
    register_dataset(Dataset("labs", _l("Living labs"), _l("Living labs with their current stage."), (
        Column("id", "integer", _l("Lab number")), Column("title", "string", _l("Title")),
        Column("summary", "string", _l("Summary")), Column("mode", "string", _l("resident_led or city_commissioned")),
        Column("district", "string", _l("District code")),
        Column("stage", "string", _l("problem, planning, prototyping, review, sharing or closed")),
        Column("starts_on", "date", _l("Start date")), Column("ends_on", "date", _l("End date")),
        Column("capacity", "integer", _l("Places")), Column("members", "integer", _l("Accepted members")),
        Column("results", "string", _l("Results summary")), Column("closed_at", "datetime", _l("Closed (UTC)"))),
        _labs))
    register_dataset(Dataset("lab_stages", _l("Living lab stages"), _l("Every stage change of every lab."), (
        Column("lab_id", "integer", _l("Lab number")), Column("from_stage", "string", _l("From stage")),
        Column("to_stage", "string", _l("To stage")), Column("at", "datetime", _l("When (UTC)"))), _lab_stages))
    register_dataset(Dataset("lab_kpis", _l("Living lab KPIs"), _l("Key performance indicators per lab and year."), (
        Column("lab_id", "integer", _l("Lab number")), Column("name", "string", _l("Indicator")),
        Column("unit", "string", _l("Unit")), Column("target", "number", _l("Target")),
        Column("actual", "number", _l("Value reached")), Column("year", "integer", _l("Year")),
        Column("recorded_at", "datetime", _l("When it was recorded (UTC)"))), _lab_kpis))
