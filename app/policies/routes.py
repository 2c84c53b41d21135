import os

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.comments.routes import comment_page_for_request
from app.core import page_number
from app.extensions import db
from app.web import flash_form_errors, run_service
from app.policies import attachments, bp, services
from app.policies.comments import TARGET_TYPE, latest_comments, update_path
from app.policies.forms import NewStepForm, PolicyForm, StatusForm, StepForm, UpdateForm
from app.policies.models import Horizon, Policy, PolicyStatus, PolicyStep, PolicyUpdate, StepState
from app.policies.permissions import (
    can_change_status,
    can_comment_on_update,
    can_create_policy,
    can_edit_policy,
    can_follow,
    can_manage_steps,
    can_post_update,
    can_start_policy_from,
)

PER_PAGE = 10
UPDATES_PER_PAGE = 5


def proposal_url(proposal) -> str:
    return url_for("proposals.detail", proposal_id=proposal.id)


@bp.context_processor
def policy_page_helpers():
    return {"proposal_url": proposal_url}


@bp.app_context_processor
def proposal_page_helpers():
    """For policies/_for_proposal.html, which the proposal page includes."""
    return {"policies_for_proposal": services.policies_for_proposal,
            "can_start_policy_from": can_start_policy_from}


def _enum_arg(enum_class, name: str):
    try:
        return enum_class(request.args.get(name, ""))
    except ValueError:
        return None


def _get_policy(policy_id: int) -> Policy:
    return services.load_policy(policy_id) or abort(404)


def _get_step(policy: Policy, step_id: int) -> PolicyStep:
    step = db.session.get(PolicyStep, step_id)
    if step is None or step.policy_id != policy.id:
        abort(404)
    return step


def _policy_form(formdata=None, policy=None, **data) -> PolicyForm:
    kwargs = {"staff": services.staff_users(), **services.form_choices(policy)}
    if formdata is None:
        return PolicyForm(**kwargs, **data)
    return PolicyForm(formdata, **kwargs)


@bp.route("")
def index():
    filters = {
        "field": request.args.get("field", "").strip() or None,
        "department": request.args.get("department", "").strip() or None,
        "status": _enum_arg(PolicyStatus, "status"),
        "horizon": _enum_arg(Horizon, "horizon"),
    }
    pagination = db.paginate(services.policies_query(**filters), page=page_number(), per_page=PER_PAGE,
                             error_out=False)
    return render_template(
        "policies/index.html", pagination=pagination, filters=filters, departments=services.departments(),
        fields=services.form_choices()["fields"], statuses=list(PolicyStatus), horizons=list(Horizon),
        can_create=can_create_policy(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(can_create_policy)
    form = _policy_form(request.form if request.method == "POST" else None,
                        proposal_ids=request.args.getlist("proposal", type=int))
    if form.validate_on_submit():
        outcome = run_service(lambda: services.create_policy(
            current_user, services.policy_data(form), field_slug=form.field.data,
            proposal_ids=form.proposal_ids.data), _("The policy was created. Add its steps next."), form=form)
        if outcome:
            return redirect(url_for("policies.manage", policy_id=outcome.value.id))
    return render_template("policies/form.html", form=form, policy=None)


@bp.route("/<int:policy_id>")
def detail(policy_id: int):
    policy = _get_policy(policy_id)
    updates = db.paginate(services.updates_query(policy), page=page_number(), per_page=UPDATES_PER_PAGE,
                          error_out=False)
    return render_template(
        "policies/detail.html", policy=policy, updates=updates,
        following=services.is_following(policy, current_user),
        can_follow=can_follow(current_user, policy),
        can_manage=can_edit_policy(current_user, policy),
        latest_comments=latest_comments([update.id for update in updates.items]),
    )


@bp.route("/<int:policy_id>/updates/<int:update_id>")
def update_detail(policy_id: int, update_id: int):
    policy = _get_policy(policy_id)
    update = db.session.get(PolicyUpdate, update_id)
    if update is None or update.policy_id != policy.id:
        abort(404)
    return render_template(
        "policies/update.html", policy=policy, update=update,
        comment_page=comment_page_for_request(TARGET_TYPE, update.id), comment_target_url=update_path(update),
        can_comment=can_comment_on_update(current_user, update),
    )


@bp.route("/<int:policy_id>/edit", methods=["GET", "POST"])
def edit(policy_id: int):
    policy = _get_policy(policy_id)
    require(can_edit_policy, policy)
    if request.method == "POST":
        form = _policy_form(request.form, policy)
    else:
        # Explicit values, not obj=policy: WTForms prefers an object's attribute (an enum, a Field row) to
        # the keyword, and selects compare by the codes below.
        form = _policy_form(
            None, policy, title=policy.title, summary=policy.summary, department=policy.department,
            official_id=policy.official_id, official_name=policy.official_name, field=services.field_slug(policy),
            horizon=policy.horizon.value if policy.horizon else "", starts_on=policy.starts_on,
            ends_on=policy.ends_on, budget_won=policy.budget_won,
            proposal_ids=[p.id for p in services.linked_proposals(policy)])
    if form.validate_on_submit():
        if run_service(lambda: services.edit_policy(
                policy, current_user, services.policy_data(form), field_slug=form.field.data,
                proposal_ids=form.proposal_ids.data), _("The policy was saved."), form=form):
            return redirect(url_for("policies.detail", policy_id=policy.id))
    return render_template("policies/form.html", form=form, policy=policy)


def _manage_page(policy: Policy, *, update_form=None, status_form=None, new_step_form=None, status=200):
    next_statuses = [s for s in PolicyStatus if policy.can_move_to(s)]
    status_form = status_form or StatusForm()
    status_form.status.choices = [(s.value, s.label) for s in next_statuses]
    return render_template(
        "policies/manage.html", policy=policy,
        update_form=update_form or UpdateForm(steps=policy.steps),
        status_form=status_form,
        new_step_form=new_step_form or NewStepForm(),
        step_forms={step.id: StepForm(prefix=f"step-{step.id}", title=step.title, weight=step.weight,
                                      state=step.state.value, percent=step.percent) for step in policy.steps},
        can_change_status=can_change_status(current_user, policy),
        can_manage_steps=can_manage_steps(current_user, policy),
        next_statuses=next_statuses,
    ), status


@bp.route("/<int:policy_id>/manage")
def manage(policy_id: int):
    policy = _get_policy(policy_id)
    require(can_edit_policy, policy)
    return _manage_page(policy)


@bp.route("/<int:policy_id>/steps", methods=["POST"])
def add_step(policy_id: int):
    policy = _get_policy(policy_id)
    require(can_manage_steps, policy)
    form = NewStepForm()
    if not form.validate_on_submit():
        return _manage_page(policy, new_step_form=form, status=422)
    run_service(lambda: services.add_step(policy, current_user, form.title.data, form.weight.data),
                _("The step was added."))
    return redirect(url_for("policies.manage", policy_id=policy.id, _anchor="steps"))


@bp.route("/<int:policy_id>/steps/<int:step_id>", methods=["POST"])
def edit_step(policy_id: int, step_id: int):
    policy = _get_policy(policy_id)
    require(can_manage_steps, policy)
    step = _get_step(policy, step_id)
    form = StepForm(prefix=f"step-{step.id}")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("policies.manage", policy_id=policy.id, _anchor=f"step-{step.id}"))
    run_service(lambda: services.edit_step(step, current_user, title=form.title.data, weight=form.weight.data,
                                    state=StepState(form.state.data), percent=form.percent.data),
         _("The step was saved."))
    return redirect(url_for("policies.manage", policy_id=policy.id, _anchor=f"step-{step.id}"))


@bp.route("/<int:policy_id>/steps/<int:step_id>/move", methods=["POST"])
def move_step(policy_id: int, step_id: int):
    policy = _get_policy(policy_id)
    require(can_manage_steps, policy)
    step = _get_step(policy, step_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    run_service(lambda: services.move_step(step, current_user, offset), _("The order of the steps was changed."))
    return redirect(url_for("policies.manage", policy_id=policy.id, _anchor="steps"))


@bp.route("/<int:policy_id>/status", methods=["POST"])
def change_status(policy_id: int):
    policy = _get_policy(policy_id)
    require(can_change_status, policy)
    form = StatusForm()
    if not form.validate_on_submit():
        return _manage_page(policy, status_form=form, status=422)
    if run_service(lambda: services.change_status(policy, current_user, PolicyStatus(form.status.data),
                                                  form.reason.data),
            _("The status was changed.")):
        return redirect(url_for("policies.detail", policy_id=policy.id, _anchor="timeline"))
    return redirect(url_for("policies.manage", policy_id=policy.id, _anchor="status"))


@bp.route("/<int:policy_id>/updates", methods=["POST"])
def post_update(policy_id: int):
    policy = _get_policy(policy_id)
    require(can_post_update, policy)
    form = UpdateForm(steps=policy.steps)
    if not form.validate_on_submit():
        return _manage_page(policy, update_form=form, status=422)
    outcome = run_service(lambda: services.post_update(
        policy, current_user, body=form.body.data, step_id=form.step_id.data,
        step_state=StepState(form.step_state.data) if form.step_state.data else None,
        step_percent=form.step_percent.data, upload=form.attachment.data,
    ), _("The update was posted and followers were notified."), form=form)
    if not outcome:
        return _manage_page(_get_policy(policy_id), update_form=form, status=422)
    return redirect(url_for("policies.detail", policy_id=policy.id, _anchor=f"update-{outcome.value.id}"))


@bp.route("/<int:policy_id>/updates/<int:update_id>/attachment")
def attachment(policy_id: int, update_id: int):
    update = db.session.get(PolicyUpdate, update_id)
    if update is None or update.policy_id != policy_id or not update.attachment_key:
        abort(404)
    path = attachments.stored_path(update.attachment_key)
    if not os.path.isfile(path):
        abort(404)
    # Images show inline on the policy page; documents are always downloaded, never rendered by the browser.
    return send_file(path, mimetype=update.attachment_mime, as_attachment=not update.attachment_is_image,
                     download_name=update.attachment_name, max_age=3600)


@bp.route("/<int:policy_id>/follow", methods=["POST"])
@login_required
def follow(policy_id: int):
    policy = _get_policy(policy_id)
    require(can_follow, policy)
    run_service(lambda: services.follow(policy, current_user),
                _("You follow this policy and will hear about its progress."))
    return redirect(url_for("policies.detail", policy_id=policy.id))


@bp.route("/<int:policy_id>/unfollow", methods=["POST"])
@login_required
def unfollow(policy_id: int):
    policy = _get_policy(policy_id)
    run_service(lambda: services.unfollow(policy, current_user), _("You no longer follow this policy."))
    return redirect(url_for("policies.detail", policy_id=policy.id))
