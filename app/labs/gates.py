"""What a lab must have before it leaves each stage. One table; each row is (check, what is missing)."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.labs.models import Lab, LabStage
from app.labs.models import (
    DataSet,
    KpiValue,
    PlanGoal,
    PlanTask,
    ProblemCard,
    ProblemEmpathy,
    Prototype,
    PrototypeFeedback,
    Resource,
)


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _problem_cards(lab: Lab) -> bool:
    return _count(ProblemCard, ProblemCard.lab_id == lab.id) >= 3


def _shared_problem(lab: Lab) -> bool:
    empathies = (
        select(ProblemEmpathy.card_id)
        .join(ProblemCard, ProblemCard.id == ProblemEmpathy.card_id)
        .where(ProblemCard.lab_id == lab.id)
        .group_by(ProblemEmpathy.card_id)
        .having(func.count() >= 2)
    )
    return db.session.scalar(select(func.count()).select_from(empathies.subquery())) > 0


def _resource(lab: Lab) -> bool:
    return _count(Resource, Resource.lab_id == lab.id) > 0


def _goal(lab: Lab) -> bool:
    return _count(PlanGoal, PlanGoal.lab_id == lab.id) > 0


def _owned_task(lab: Lab) -> bool:
    return _count(PlanTask, PlanTask.lab_id == lab.id, PlanTask.owner_id.is_not(None)) > 0


def _tested_prototype(lab: Lab) -> bool:
    per_prototype = (
        select(PrototypeFeedback.prototype_id)
        .join(Prototype, Prototype.id == PrototypeFeedback.prototype_id)
        .where(Prototype.lab_id == lab.id)
        .group_by(PrototypeFeedback.prototype_id)
        .having(func.count() >= 3)
    )
    return db.session.scalar(select(func.count()).select_from(per_prototype.subquery())) > 0


def _data(lab: Lab) -> bool:
    return _count(DataSet, DataSet.lab_id == lab.id) > 0 or _count(KpiValue, KpiValue.lab_id == lab.id) > 0


def _findings(lab: Lab) -> bool:
    return bool((lab.findings or "").strip())


def _retrospective(lab: Lab) -> bool:
    return bool((lab.retrospective or "").strip())


def _results_summary(lab: Lab) -> bool:
    return bool((lab.results_summary or "").strip())


# The stage a lab leaves -> the conditions it must meet.
GATES: dict[LabStage, list[tuple[Callable[[Lab], bool], object]]] = {
    LabStage.PROBLEM: [
        (_problem_cards, _l("At least 3 problem cards are needed.")),
        (_shared_problem, _l("At least one problem card needs empathy from 2 or more members.")),
        (_resource, _l("Add at least one resource to the resource map.")),
    ],
    LabStage.PLANNING: [
        (_goal, _l("The plan needs at least one goal.")),
        (_owned_task, _l("The plan needs at least one task with an owner.")),
    ],
    LabStage.PROTOTYPING: [
        (_tested_prototype, _l("At least one prototype needs 3 or more feedback entries.")),
    ],
    LabStage.REVIEW: [
        (_data, _l("Upload a data set or record a KPI value.")),
        (_findings, _l("Write the findings of the data review.")),
    ],
    LabStage.SHARING: [
        (_retrospective, _l("Write the retrospective.")),
        (_results_summary, _l("Write the public results summary.")),
    ],
}


def unmet_conditions(lab: Lab) -> list:
    """Translated messages for every condition the lab's current stage still misses (empty when met)."""
    return [message for check, message in GATES.get(lab.stage, []) if not check(lab)]
