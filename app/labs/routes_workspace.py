"""The stage workspaces: problem cards, resources, plan, prototypes and feedback, data, texts, praise."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import int_arg, page_number
from app.extensions import db, limiter
from app.labs import bp
from app.labs import permissions as perm
from app.labs.services import workspace as ws
from app.labs.charts import bar_chart
from app.labs.csv_import import max_upload_bytes
from app.labs.forms import (
    DatasetForm,
    FeedbackForm,
    GoalForm,
    KpiForm,
    MemberRoleForm,
    PraiseForm,
    ProblemForm,
    PrototypeForm,
    ResourceForm,
    TaskForm,
    TestLogForm,
    TextForm,
)
from app.labs.models import LabMembership, MembershipStatus
from app.web import authorize, flash_form_errors, run_service
from app.labs.views import failed_status, load_child, load_lab, viewer_membership
from app.labs.models import DataSet, PlanTask, ProblemCard, Prototype, ResourceKind

TEXTS = {"findings": "write_findings", "retrospective": "write_retrospective",
         "results_summary": "write_results_summary"}


def _workspace_url(lab, anchor: str = ""):
    return url_for("labs.workspace", lab_id=lab.id) + (f"#{anchor}" if anchor else "")


def _people_choices(lab):
    return [("", _("Nobody yet"))] + [(str(u.id), u.display_name) for u in ws.participants(lab)]


@bp.route("/<int:lab_id>/workspace")
@login_required
def workspace(lab_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_view_workspace(current_user, lab, viewer_membership(lab)))
    return _render_workspace(lab)


def _render_workspace(lab, status: int = 200, text_forms: dict | None = None, **submitted):
    """The workspace; after a refused form, that form as submitted (input kept, errors beside its fields)."""
    membership = viewer_membership(lab)
    can = {feature: perm.can_use(feature, current_user, lab, membership) for feature in perm.WORKSPACE_RULES}
    reached = lab.stage.number or 6
    goals, tasks = ws.plan_of(lab)
    task_form = submitted.pop("task_form", None) or TaskForm()
    praise_form = submitted.pop("praise_form", None) or PraiseForm()
    task_form.owner_id.choices = _people_choices(lab)
    praise_form.to_user_id.choices = [(v, label) for v, label in _people_choices(lab)[1:]
                                      if v != str(current_user.id)]
    members = []
    if reached >= 2:
        members = list(db.session.scalars(
            select(LabMembership).where(LabMembership.lab_id == lab.id,
                                        LabMembership.status == MembershipStatus.ACCEPTED).order_by(LabMembership.id)))
    forms = {"problem_form": ProblemForm, "resource_form": ResourceForm, "goal_form": GoalForm,
             "role_form": MemberRoleForm, "prototype_form": PrototypeForm, "dataset_form": DatasetForm,
             "kpi_form": KpiForm}
    return render_template(
        "labs/workspace.html", lab=lab, can=can, reached=reached, membership=membership,
        cards=ws.problem_cards(lab, current_user), resources=ws.resources(lab), goals=goals, tasks=tasks,
        members=members, prototypes=ws.prototypes_with_feedback(lab), datasets=ws.datasets_of(lab),
        kpis=ws.kpis_of(lab), praise=ws.praise_of(lab), resource_kinds=list(ResourceKind),
        task_form=task_form, praise_form=praise_form,
        **{name: submitted.get(name) or form_class() for name, form_class in forms.items()},
        text_forms={which: TextForm(text=getattr(lab, which) or "") for which in TEXTS} | (text_forms or {}),
    ), status


def _guarded(lab_id: int, feature: str):
    lab = load_lab(lab_id)
    authorize(perm.can_use(feature, current_user, lab, viewer_membership(lab)))
    return lab


@bp.route("/<int:lab_id>/problems", methods=["POST"])
@login_required
def add_problem(lab_id: int):
    lab = _guarded(lab_id, "write_problem")
    form = ProblemForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.write_problem(lab, current_user, title=form.title.data, body=form.body.data),
            _("The problem card was added."), form=form):
        return redirect(_workspace_url(lab, "problems"))
    return _render_workspace(lab, status=failed_status(form), problem_form=form)


@bp.route("/<int:lab_id>/problems/<int:card_id>/empathy", methods=["POST"])
@login_required
def empathize(lab_id: int, card_id: int):
    lab = _guarded(lab_id, "empathize")
    card = load_child(ProblemCard, card_id, lab)
    on = request.form.get("empathize") == "1"
    run_service(lambda: ws.set_empathy(card, current_user, on),
        _("You feel this problem too.") if on else _("Your empathy was taken back."))
    return redirect(_workspace_url(lab, f"card-{card.id}"))


@bp.route("/<int:lab_id>/resources", methods=["POST"])
@login_required
def add_resource(lab_id: int):
    lab = _guarded(lab_id, "add_resource")
    form = ResourceForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.add_resource(lab, current_user, kind=ResourceKind(form.kind.data), name=form.name.data,
                                    description=form.description.data, url=form.url.data,
                                    latitude=form.latitude.data, longitude=form.longitude.data),
            _("The resource was added to the map."), form=form):
        return redirect(_workspace_url(lab, "resources"))
    return _render_workspace(lab, status=failed_status(form), resource_form=form)


@bp.route("/<int:lab_id>/goals", methods=["POST"])
@login_required
def add_goal(lab_id: int):
    lab = _guarded(lab_id, "edit_plan")
    form = GoalForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.add_goal(lab, current_user, form.text.data), _("The goal was added."), form=form):
        return redirect(_workspace_url(lab, "plan"))
    return _render_workspace(lab, status=failed_status(form), goal_form=form)


@bp.route("/<int:lab_id>/tasks", methods=["POST"])
@login_required
def add_task(lab_id: int):
    lab = _guarded(lab_id, "edit_plan")
    form = TaskForm()
    form.owner_id.choices = _people_choices(lab)
    if form.validate_on_submit() and run_service(
            lambda: ws.add_task(lab, current_user, title=form.title.data, owner_id=form.owner(),
                                due_on=form.due_on.data), _("The task was added."), form=form):
        return redirect(_workspace_url(lab, "plan"))
    return _render_workspace(lab, status=failed_status(form), task_form=form)


@bp.route("/<int:lab_id>/tasks/<int:task_id>/done", methods=["POST"])
@login_required
def task_done(lab_id: int, task_id: int):
    lab = _guarded(lab_id, "edit_plan")
    task = load_child(PlanTask, task_id, lab)
    run_service(lambda: ws.set_task_done(task, lab, request.form.get("done") == "1"), _("The task was updated."))
    return redirect(_workspace_url(lab, "plan"))


@bp.route("/<int:lab_id>/members/<int:membership_id>/role", methods=["POST"])
@login_required
def member_role(lab_id: int, membership_id: int):
    lab = _guarded(lab_id, "assign_roles")
    membership = load_child(LabMembership, membership_id, lab)
    form = MemberRoleForm()
    if form.validate_on_submit():
        run_service(lambda: ws.set_member_role(membership, current_user, form.role.data or ""),
                    _("The role was saved."))
    else:
        flash_form_errors(form)
    return redirect(_workspace_url(lab, "roles"))


@bp.route("/<int:lab_id>/prototypes", methods=["POST"])
@login_required
def add_prototype(lab_id: int):
    lab = _guarded(lab_id, "add_prototype")
    form = PrototypeForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.add_prototype(lab, current_user, title=form.title.data,
                                             description=form.description.data,
                                     test_log=form.test_log.data), _("The prototype was added."), form=form):
        return redirect(_workspace_url(lab, "prototypes"))
    return _render_workspace(lab, status=failed_status(form), prototype_form=form)


@bp.route("/<int:lab_id>/prototypes/<int:prototype_id>/log", methods=["POST"])
@login_required
def prototype_log(lab_id: int, prototype_id: int):
    lab = _guarded(lab_id, "add_prototype")
    prototype = load_child(Prototype, prototype_id, lab)
    form = TestLogForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.update_test_log(prototype, lab, current_user, form.test_log.data or ""),
            _("The test log was saved."), form=form):
        return redirect(url_for("labs.prototype", lab_id=lab.id, prototype_id=prototype.id))
    return _render_prototype(lab, prototype, status=failed_status(form), log_form=form)


@bp.route("/<int:lab_id>/prototypes/<int:prototype_id>")
def prototype(lab_id: int, prototype_id: int):
    """The public page of a prototype: anyone may give feedback while the lab is prototyping."""
    lab = load_lab(lab_id)
    item = load_child(Prototype, prototype_id, lab)
    return _render_prototype(lab, item)


def _render_prototype(lab, item, status: int = 200, form=None, log_form=None):
    membership = viewer_membership(lab)
    return render_template("labs/prototype.html", lab=lab, prototype=item, feedback=ws.feedback_of(item),
                           form=form or FeedbackForm(), log_form=log_form or TestLogForm(test_log=item.test_log or ""),
                           can_feedback=perm.can_use("give_feedback", current_user, lab, membership),
                           can_log=perm.can_use("add_prototype", current_user, lab, membership)), status


def _feedback_limit():
    return current_app.config["LAB_PUBLIC_FEEDBACK_LIMIT"]


@bp.route("/<int:lab_id>/prototypes/<int:prototype_id>/feedback", methods=["POST"])
@limiter.limit(_feedback_limit, exempt_when=lambda: current_user.is_authenticated)
def give_feedback(lab_id: int, prototype_id: int):
    lab = load_lab(lab_id)
    item = load_child(Prototype, prototype_id, lab)
    authorize(perm.can_use("give_feedback", current_user, lab, viewer_membership(lab)))
    form = FeedbackForm()
    user = current_user if current_user.is_authenticated else None
    if form.validate_on_submit() and run_service(
            lambda: ws.give_feedback(item, lab, user, rating=int(form.rating.data), comment=form.comment.data),
            _("Thank you for your feedback."), form=form):
        return redirect(url_for("labs.prototype", lab_id=lab.id, prototype_id=item.id))
    return _render_prototype(lab, item, status=failed_status(form), form=form)


@bp.route("/<int:lab_id>/datasets", methods=["POST"])
@login_required
def upload_dataset(lab_id: int):
    lab = _guarded(lab_id, "upload_dataset")
    form = DatasetForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.import_dataset(lab, current_user, name=form.name.data,
                                      filename=form.file.data.filename or "data.csv",
                                      data=form.file.data.read(max_upload_bytes() + 1)),
            _("The data set was imported."), form=form):
        return redirect(_workspace_url(lab, "data"))
    return _render_workspace(lab, status=failed_status(form), dataset_form=form)


@bp.route("/<int:lab_id>/datasets/<int:dataset_id>")
@login_required
def dataset(lab_id: int, dataset_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_view_workspace(current_user, lab, viewer_membership(lab)))
    item = load_child(DataSet, dataset_id, lab)
    chart = bar_chart(item, int_arg("column"), int_arg("label"))
    page = page_number()
    per_page = 50
    return render_template("labs/dataset.html", lab=lab, dataset=item, chart=chart, page=page,
                           rows=item.rows[(page - 1) * per_page:page * per_page],
                           pages=(item.row_count + per_page - 1) // per_page)


@bp.route("/<int:lab_id>/kpis", methods=["POST"])
@login_required
def record_kpi(lab_id: int):
    lab = _guarded(lab_id, "record_kpi")
    form = KpiForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.record_kpi(lab, current_user, name=form.name.data, unit=form.unit.data,
                                  target=form.target.data, actual=form.actual.data),
            _("The KPI value was recorded."), form=form):
        return redirect(_workspace_url(lab, "data"))
    return _render_workspace(lab, status=failed_status(form), kpi_form=form)


@bp.route("/<int:lab_id>/texts/<which>", methods=["POST"])
@login_required
def write_text(lab_id: int, which: str):
    if which not in TEXTS:
        return redirect(url_for("labs.workspace", lab_id=lab_id))
    lab = _guarded(lab_id, TEXTS[which])
    form = TextForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.write_text(lab, current_user, which, form.text.data), _("The text was saved."), form=form):
        return redirect(_workspace_url(lab, which))
    return _render_workspace(lab, status=failed_status(form), text_forms={which: form})


@bp.route("/<int:lab_id>/praise", methods=["POST"])
@login_required
def give_praise(lab_id: int):
    lab = _guarded(lab_id, "give_praise")
    form = PraiseForm()
    if form.validate_on_submit() and run_service(
            lambda: ws.give_praise(lab, current_user, to_user_id=int(form.to_user_id.data),
                                   message=form.message.data), _("Your praise was shared."), form=form):
        return redirect(_workspace_url(lab, "praise"))
    return _render_workspace(lab, status=failed_status(form), praise_form=form)

