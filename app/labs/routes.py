"""Lab pages: the list, overview, the public page, creating and editing, recruitment and stages."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import case, select

from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.auth.models import User
from app.core import DomainError, page_number, utcnow
from app.extensions import db
from app.labs import bp
from app.labs import permissions as perm
from app.labs import queries
from app.labs.forms import ApplicationForm, DecisionForm, EditLabForm, FacilitatorForm, LabForm, StageForm
from app.labs.gates import unmet_conditions
from app.labs.models import Lab, LabMembership, LabMode, LabStage, MemberGroup
from app.labs.queries import lab_kpis, proposals_of, recruiting_labs_from_proposal, with_membership_counts
from app.labs.services import labs as services
from app.labs.services.sessions import sessions_of
from app.web import authorize, flash_form_errors, run_service
from app.labs.views import failed_status, load_child, load_lab, seoul_today, viewer_membership
from app.labs.services.workspace import praise_of, prototypes_with_feedback

_STAGE_ORDER = case(*[(Lab.stage == stage, position) for position, stage in enumerate(LabStage)])


@bp.route("/")
def index():
    today = seoul_today()
    show = request.args.get("show", "active")
    if show not in queries.SHOWS:
        show = "active"
    pagination, rows = queries.list_labs(queries.LabFilters(show=show, sort="deadline"), today, page_number(), 12)
    return render_template("labs/index.html", pagination=pagination, rows=rows,
                           show=show, today=today,
                           can_create=perm.can_create_lab(current_user),
                           can_overview=perm.can_view_overview(current_user))


@bp.route("/overview")
@login_required
def overview():
    authorize(perm.can_view_overview(current_user))
    pagination = db.paginate(select(Lab).order_by(_STAGE_ORDER, Lab.recruitment_deadline, Lab.id),
                             page=page_number(), per_page=30, error_out=False)
    return render_template("labs/overview.html", pagination=pagination,
                           rows=with_membership_counts(pagination.items), today=seoul_today())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    authorize(perm.can_create_lab(current_user))
    form = LabForm(mode=request.args.get("mode", LabMode.RESIDENT_LED.value),
                   proposal_ids=request.args.get("proposal", ""))
    if form.validate_on_submit():
        outcome = run_service(lambda: services.create_lab(
            current_user, title=form.title.data, summary=form.summary.data, mode=LabMode(form.mode.data),
            district=form.district.data, capacity=form.capacity.data, budget_won=form.budget_won.data,
            recruitment_deadline=form.recruitment_deadline.data, starts_on=form.starts_on.data,
            ends_on=form.ends_on.data, proposal_ids=form.parsed_proposal_ids()), _("The lab was created."), form=form)
        if outcome:
            return redirect(url_for("labs.detail", lab_id=outcome.value.id))
    return render_template("labs/form.html", form=form, lab=None)


@bp.route("/<int:lab_id>")
def detail(lab_id: int):
    return _render_detail(load_lab(lab_id))


def _render_detail(lab: Lab, status: int = 200, application_form=None, stage_form=None, facilitator_form=None):
    """The lab's page; after a refused form, that form as submitted (input kept, errors beside its fields)."""
    membership = viewer_membership(lab)
    now = utcnow()
    return render_template(
        "labs/detail.html", lab=lab, membership=membership, kpis=lab_kpis(lab, now), now=now, today=seoul_today(),
        sessions=sessions_of(lab), timeline=services.timeline(lab), praise=praise_of(lab),
        proposals=proposals_of(lab), perm=perm, stages=[s for s in LabStage if s is not LabStage.CLOSED],
        application_form=application_form or ApplicationForm(), stage_form=stage_form or StageForm(),
        facilitator_form=facilitator_form or FacilitatorForm(),
        missing=unmet_conditions(lab) if perm.can_change_stage(current_user, lab) else [], groups=list(MemberGroup),
        prototypes=prototypes_with_feedback(lab) if lab.stage is LabStage.PROTOTYPING else [],
    ), status


@bp.route("/<int:lab_id>/edit", methods=["GET", "POST"])
@login_required
def edit(lab_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_edit_lab(current_user, lab))
    form = EditLabForm(obj=lab)
    if form.validate_on_submit():
        if run_service(lambda: services.update_lab(
                lab, current_user, title=form.title.data, summary=form.summary.data, district=form.district.data,
                capacity=form.capacity.data, budget_won=form.budget_won.data,
                recruitment_deadline=form.recruitment_deadline.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data), _("The lab was saved."), form=form):
            return redirect(url_for("labs.detail", lab_id=lab.id))
    return render_template("labs/form.html", form=form, lab=lab)


@bp.route("/<int:lab_id>/facilitators", methods=["POST"])
@login_required
def add_facilitator(lab_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_add_facilitator(current_user, lab))
    form = FacilitatorForm()

    def add():
        user = db.session.get(User, form.user_id.data)
        if user is None:
            raise DomainError(_("No account has this number."), field="user_id", status=422)
        return services.add_facilitator(lab, user, current_user)

    if form.validate_on_submit() and run_service(add, _("The facilitator was added."), form=form):
        return redirect(url_for("labs.detail", lab_id=lab.id))
    return _render_detail(lab, status=failed_status(form), facilitator_form=form)


@bp.route("/<int:lab_id>/apply", methods=["POST"])
@login_required
def apply(lab_id: int):
    lab = load_lab(lab_id)
    membership = viewer_membership(lab)
    authorize(perm.can_apply(current_user, lab, membership))
    form = ApplicationForm()
    if form.validate_on_submit() and run_service(
            lambda: services.apply(lab, current_user, motivation=form.motivation.data,
                                   group=MemberGroup(form.group.data), today=seoul_today()),
            _("Thank you for applying. The facilitators will let you know their decision."), form=form):
        return redirect(url_for("labs.detail", lab_id=lab.id))
    return _render_detail(lab, status=failed_status(form), application_form=form)


@bp.route("/<int:lab_id>/leave", methods=["POST"])
@login_required
def leave(lab_id: int):
    lab = load_lab(lab_id)
    membership = viewer_membership(lab)
    authorize(perm.can_leave(current_user, lab, membership))
    run_service(lambda: services.leave(membership, current_user), _("You left the lab."))
    return redirect(url_for("labs.detail", lab_id=lab.id))


@bp.route("/<int:lab_id>/members")
@login_required
def members(lab_id: int):
    lab = load_lab(lab_id)
    membership = viewer_membership(lab)
    authorize(perm.can_view_members(current_user, lab, membership))
    applications = perm.can_view_applications(current_user, lab)
    pagination = db.paginate(queries.members_query(lab, every_application=applications),
                             page=page_number(), per_page=50, error_out=False)
    html = render_template("labs/members.html", lab=lab, pagination=pagination,
                           manage=perm.can_manage_members(current_user, lab), show_applications=applications,
                           decision_form=DecisionForm(), accepted=services.accepted_count(lab))
    if applications:  # applications with their motivation
        record_view(current_user, [m.user_id for m in pagination.items], DataKind.APPLICATION, target_type="lab",
                    target_id=lab.id)
    return html


@bp.route("/<int:lab_id>/applications/<int:membership_id>", methods=["POST"])
@login_required
def decide(lab_id: int, membership_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_manage_members(current_user, lab))
    membership = load_child(LabMembership, membership_id, lab)
    form = DecisionForm()
    if form.validate_on_submit():
        run_service(lambda: services.decide_application(membership, current_user,
                                                        accept=form.decision.data == "accept"),
            _("The decision was saved and the applicant notified."))
    else:
        flash_form_errors(form)
    return redirect(url_for("labs.members", lab_id=lab.id))


@bp.route("/<int:lab_id>/stage", methods=["POST"])
@login_required
def change_stage(lab_id: int):
    lab = load_lab(lab_id)
    authorize(perm.can_change_stage(current_user, lab))
    form = StageForm()
    if form.validate_on_submit():
        if form.action.data == "advance":
            outcome = run_service(lambda: services.advance_stage(lab, current_user, form.reason.data),
                                  _("The lab moved on."), form=form)
        else:
            outcome = run_service(lambda: services.move_back(lab, current_user, form.reason.data),
                                  _("The lab moved back one stage."), form=form)
        if outcome:
            return redirect(url_for("labs.detail", lab_id=lab.id))
    return _render_detail(lab, status=failed_status(form), stage_form=form)


@bp.app_template_global("labs_recruiting_for_proposal")
def labs_recruiting_for_proposal(proposal_id: int) -> list[Lab]:
    return recruiting_labs_from_proposal(proposal_id, seoul_today())


@bp.app_template_global("labs_can_create_lab")
def labs_can_create_lab() -> bool:
    return perm.can_create_lab(current_user)
