"""Use cases of the stage workspaces. Each checks that its feature is open in the lab's stage."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app import audit
from app.auth.models import User
from app.core import DomainError
from app.extensions import db
from app.labs.csv_import import parse_csv
from app.labs.models import Lab, LabMembership, MembershipStatus
from app.labs.permissions import WORKSPACE_RULES
from app.labs.search import index_lab
from app.labs.models import (
    DataSet,
    KpiValue,
    PlanGoal,
    PlanTask,
    Praise,
    ProblemCard,
    ProblemEmpathy,
    Prototype,
    PrototypeFeedback,
    Resource,
    ResourceKind,
)


def _ensure_open(lab: Lab, feature: str) -> None:
    stages, _ = WORKSPACE_RULES[feature]
    if lab.stage not in stages:
        raise DomainError(_l("This is not possible in the lab's current stage."))


def _is_participant(lab: Lab, user_id: int) -> bool:
    """An accepted member or a facilitator: the people a task or praise can go to."""
    if any(f.id == user_id for f in lab.facilitators):
        return True
    return db.session.scalar(select(LabMembership.id).where(
        LabMembership.lab_id == lab.id, LabMembership.user_id == user_id,
        LabMembership.status == MembershipStatus.ACCEPTED)) is not None


# --- stage 1: problems and resources ------------------------------------------------------------

def write_problem(lab: Lab, author: User, *, title: str, body: str) -> ProblemCard:
    _ensure_open(lab, "write_problem")
    card = ProblemCard(lab_id=lab.id, author_id=author.id, title=title.strip(), body=body.strip())
    db.session.add(card)
    db.session.flush()
    return card


def set_empathy(card: ProblemCard, user: User, empathize: bool) -> int:
    """Add or take back the user's one vote of empathy; returns the card's count."""
    _ensure_open(db.session.get(Lab, card.lab_id), "empathize")
    existing = db.session.scalar(select(ProblemEmpathy).where(ProblemEmpathy.card_id == card.id,
                                                              ProblemEmpathy.user_id == user.id))
    if empathize and existing is None:
        db.session.add(ProblemEmpathy(card_id=card.id, user_id=user.id))
    elif not empathize and existing is not None:
        db.session.execute(delete(ProblemEmpathy).where(ProblemEmpathy.id == existing.id))
    db.session.flush()
    return db.session.scalar(select(func.count()).select_from(ProblemEmpathy).where(ProblemEmpathy.card_id == card.id))


def problem_cards(lab: Lab, viewer: User | None = None) -> list[tuple[ProblemCard, int, bool]]:
    """Cards with their empathy count and whether the viewer empathized, most shared first."""
    counts = (select(ProblemEmpathy.card_id, func.count().label("n"))
              .group_by(ProblemEmpathy.card_id).subquery())
    count = func.coalesce(counts.c.n, 0)
    rows = db.session.execute(
        select(ProblemCard, count).outerjoin(counts, counts.c.card_id == ProblemCard.id)
        .where(ProblemCard.lab_id == lab.id).order_by(count.desc(), ProblemCard.id)).all()
    mine: set[int] = set()
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        mine = set(db.session.scalars(
            select(ProblemEmpathy.card_id).join(ProblemCard, ProblemCard.id == ProblemEmpathy.card_id)
            .where(ProblemCard.lab_id == lab.id, ProblemEmpathy.user_id == viewer.id)))
    return [(card, n, card.id in mine) for card, n in rows]


def add_resource(lab: Lab, user: User, *, kind: ResourceKind, name: str, description: str | None = None,
                 url: str | None = None, latitude: float | None = None, longitude: float | None = None) -> Resource:
    _ensure_open(lab, "add_resource")
    if (latitude is None) != (longitude is None):
        raise DomainError(_l("Give both latitude and longitude, or neither."), field="latitude", status=422)
    resource = Resource(lab_id=lab.id, kind=kind, name=name.strip(), description=(description or "").strip() or None,
                        url=(url or "").strip() or None, latitude=latitude, longitude=longitude, added_by_id=user.id)
    db.session.add(resource)
    db.session.flush()
    return resource


def resources(lab: Lab) -> list[Resource]:
    return list(db.session.scalars(select(Resource).where(Resource.lab_id == lab.id).order_by(Resource.kind,
                                                                                              Resource.id)))


# --- stage 2: plan --------------------------------------------------------------------------------

def add_goal(lab: Lab, user: User, text: str) -> PlanGoal:
    _ensure_open(lab, "edit_plan")
    goal = PlanGoal(lab_id=lab.id, text=text.strip())
    db.session.add(goal)
    db.session.flush()
    return goal


def add_task(lab: Lab, user: User, *, title: str, owner_id: int | None, due_on: date | None) -> PlanTask:
    _ensure_open(lab, "edit_plan")
    if owner_id is not None and not _is_participant(lab, owner_id):
        raise DomainError(_l("A task's owner must be a member or facilitator of the lab."), field="owner_id",
                          status=422)
    task = PlanTask(lab_id=lab.id, title=title.strip(), owner_id=owner_id, due_on=due_on)
    db.session.add(task)
    db.session.flush()
    return task


def set_task_done(task: PlanTask, lab: Lab, done: bool) -> PlanTask:
    _ensure_open(lab, "edit_plan")
    task.done = done
    db.session.flush()
    return task


def set_member_role(membership: LabMembership, actor: User, role: str) -> LabMembership:
    _ensure_open(membership.lab, "assign_roles")
    if membership.status is not MembershipStatus.ACCEPTED:
        raise DomainError(_l("Only accepted members have a role in the plan."))
    membership.plan_role = role.strip() or None
    audit.record(actor, "lab.member_role", "lab_membership", membership.id, role=membership.plan_role)
    db.session.flush()
    return membership


def plan_of(lab: Lab) -> tuple[list[PlanGoal], list[PlanTask]]:
    goals = list(db.session.scalars(select(PlanGoal).where(PlanGoal.lab_id == lab.id).order_by(PlanGoal.id)))
    tasks = list(db.session.scalars(select(PlanTask).where(PlanTask.lab_id == lab.id)
                                    .order_by(PlanTask.due_on.is_(None), PlanTask.due_on, PlanTask.id)))
    return goals, tasks


# --- stage 3: prototypes and feedback ---------------------------------------------------------------

def add_prototype(lab: Lab, user: User, *, title: str, description: str, test_log: str | None = None) -> Prototype:
    _ensure_open(lab, "add_prototype")
    prototype = Prototype(lab_id=lab.id, title=title.strip(), description=description.strip(),
                          test_log=(test_log or "").strip() or None, created_by_id=user.id)
    db.session.add(prototype)
    db.session.flush()
    return prototype


def update_test_log(prototype: Prototype, lab: Lab, user: User, test_log: str) -> Prototype:
    _ensure_open(lab, "add_prototype")
    prototype.test_log = test_log.strip() or None
    db.session.flush()
    return prototype


def give_feedback(prototype: Prototype, lab: Lab, user: User | None, *, rating: int, comment: str) -> PrototypeFeedback:
    """Feedback from a member or, with ``user`` None, from the public. The comment is stored as plain
    text and always shown escaped, so markup in it stays inert."""
    _ensure_open(lab, "give_feedback")
    if not 1 <= rating <= 5:
        raise DomainError(_l("Give a rating from 1 to 5."), field="rating", status=422)
    feedback = PrototypeFeedback(prototype_id=prototype.id, user_id=user.id if user else None, rating=rating,
                                 comment=comment.strip())
    db.session.add(feedback)
    db.session.flush()
    return feedback


def prototypes_with_feedback(lab: Lab) -> list[tuple[Prototype, int, float | None]]:
    """Prototypes with their feedback count and average rating, in one grouped query."""
    stats = (select(PrototypeFeedback.prototype_id, func.count().label("n"),
                    func.avg(PrototypeFeedback.rating).label("average"))
             .group_by(PrototypeFeedback.prototype_id).subquery())
    rows = db.session.execute(
        select(Prototype, func.coalesce(stats.c.n, 0), stats.c.average)
        .outerjoin(stats, stats.c.prototype_id == Prototype.id)
        .where(Prototype.lab_id == lab.id).order_by(Prototype.id))
    return [(p, count, round(float(avg), 1) if avg is not None else None) for p, count, avg in rows]


def feedback_of(prototype: Prototype, limit: int = 50) -> list[PrototypeFeedback]:
    return list(db.session.scalars(select(PrototypeFeedback).where(PrototypeFeedback.prototype_id == prototype.id)
                                   .order_by(PrototypeFeedback.id.desc()).limit(limit)))


# --- stage 4: data review -------------------------------------------------------------------------

def import_dataset(lab: Lab, user: User, *, name: str, filename: str, data: bytes) -> DataSet:
    """Parse the whole file first; a single bad row rejects it and nothing is stored."""
    _ensure_open(lab, "upload_dataset")
    parsed = parse_csv(data)
    dataset = DataSet(lab_id=lab.id, name=name.strip(), filename=filename[:200], encoding=parsed.encoding,
                      columns=parsed.columns, rows=parsed.rows, row_count=len(parsed.rows), uploaded_by_id=user.id)
    db.session.add(dataset)
    db.session.flush()
    audit.record(user, "lab.dataset.import", "lab_dataset", dataset.id, lab_id=lab.id, rows=dataset.row_count)
    return dataset


def datasets_of(lab: Lab) -> list[tuple[int, str, str, int]]:
    """(id, name, filename, row count) without loading the rows."""
    return list(db.session.execute(select(DataSet.id, DataSet.name, DataSet.filename, DataSet.row_count)
                                   .where(DataSet.lab_id == lab.id).order_by(DataSet.id)).tuples().all())


def record_kpi(lab: Lab, user: User, *, name: str, unit: str, target: float, actual: float) -> KpiValue:
    _ensure_open(lab, "record_kpi")
    kpi = KpiValue(lab_id=lab.id, name=name.strip(), unit=unit.strip(), target=target, actual=actual,
                   recorded_by_id=user.id)
    db.session.add(kpi)
    db.session.flush()
    return kpi


def kpis_of(lab: Lab) -> list[KpiValue]:
    return list(db.session.scalars(select(KpiValue).where(KpiValue.lab_id == lab.id).order_by(KpiValue.id)))


# --- texts of stages 4 and 5 ------------------------------------------------------------------------

_TEXT_FEATURES = {"findings": "write_findings", "retrospective": "write_retrospective",
                  "results_summary": "write_results_summary"}


def write_text(lab: Lab, actor: User, which: str, text: str) -> Lab:
    """Write the findings (stage 4), the retrospective or the public results summary (stage 5)."""
    _ensure_open(lab, _TEXT_FEATURES[which])
    setattr(lab, which, text.strip() or None)
    audit.record(actor, f"lab.{which}", "lab", lab.id)
    if which == "results_summary":
        index_lab(lab)
    db.session.flush()
    return lab


# --- stage 5: praise ------------------------------------------------------------------------------

def give_praise(lab: Lab, author: User, *, to_user_id: int, message: str) -> Praise:
    _ensure_open(lab, "give_praise")
    if to_user_id == author.id:
        raise DomainError(_l("Praise someone other than yourself."), field="to_user_id", status=422)
    if not _is_participant(lab, to_user_id):
        raise DomainError(_l("Praise goes to a member or facilitator of the lab."), field="to_user_id", status=422)
    praise = Praise(lab_id=lab.id, from_user_id=author.id, to_user_id=to_user_id, message=message.strip())
    db.session.add(praise)
    db.session.flush()
    return praise


def praise_of(lab: Lab) -> list[Praise]:
    return list(db.session.scalars(select(Praise).where(Praise.lab_id == lab.id).order_by(Praise.id.desc())))


def participants(lab: Lab) -> list[User]:
    """Facilitators and accepted members: who tasks and praise can go to."""
    members = db.session.scalars(select(User).join(LabMembership, LabMembership.user_id == User.id).where(
        LabMembership.lab_id == lab.id, LabMembership.status == MembershipStatus.ACCEPTED).order_by(User.display_name))
    return list(lab.facilitators) + list(members)
