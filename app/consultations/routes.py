"""Consultation pages. Thin views: load or 404 → authorise → validate the form → service → commit → redirect."""

from functools import partial

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import require
from app.consultations import bp, guests, queries, services
from app.consultations.forms import (
    AssignForm,
    ConsultationForm,
    DocumentForm,
    EnteredOpinionForm,
    OpinionForm,
    ResultsForm,
    ThemeForm,
)
from app.consultations.models import Channel, Consultation, ConsultationDocument, OpinionTheme
from app.consultations.permissions import (
    can_create_consultation,
    can_edit_consultation,
    can_enter_opinion,
    can_group_opinions,
    can_manage_consultation,
    can_publish_results,
    can_register_for_hearing,
    can_see_private_fields,
    can_submit_opinion,
    can_view_consultation,
)
from app.consultations.clock import utc_to_seoul
from app.core import page_number, utcnow
from app.extensions import db
from app.phones.limits import phone_code_limited
from app.policies.models import Policy
from app.web import flash_form_errors, run_service

PER_PAGE = 10
OPINIONS_PER_PAGE = 30


@bp.app_context_processor
def policy_page_helpers():
    """For consultations/_for_policy.html, which the policy page's timeline includes."""
    return {"consultations_for_policy": queries.consultations_for_policy}


@bp.context_processor
def helpers():
    return {"seoul": utc_to_seoul, "channels": list(Channel)}


def _load(consultation_id: int) -> Consultation:
    consultation = queries.load_consultation(consultation_id)
    if consultation is None or not can_view_consultation(current_user, consultation):
        abort(404)
    return consultation


def _guest_email(consultation: Consultation) -> str | None:
    return guests.confirmed_email(services.purpose_key(consultation))


def _guest_phone(consultation: Consultation) -> str | None:
    return guests.confirmed_phone(services.purpose_key(consultation))


@bp.route("")
def index():
    phase = request.args.get("phase", "")
    phase = phase if phase in queries.PHASES else None
    query = queries.consultations_query(phase=phase, include_drafts=can_create_consultation(current_user),
                                        now=utcnow())
    pagination = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("consultations/index.html", pagination=pagination, phase=phase, now=utcnow(),
                           can_create=can_create_consultation(current_user))


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(can_create_consultation)
    form = ConsultationForm(policies=queries.policy_choices(), policy_id=request.args.get("policy", type=int))
    if form.validate_on_submit():
        outcome = run_service(lambda: services.create_consultation(current_user, services.consultation_data(form)),
                              _("The consultation was saved as a draft. Add its documents, then open it."), form=form)
        if outcome:
            return redirect(url_for("consultations.manage", consultation_id=outcome.value.id))
    return render_template("consultations/form.html", form=form, consultation=None), 422 if form.errors else 200


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
def edit(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_edit_consultation, consultation)
    if request.method == "POST":
        form = ConsultationForm(policies=queries.policy_choices())
    else:
        deadline = utc_to_seoul(consultation.deadline_at)
        hearing = {}
        if consultation.has_hearing:
            starts, ends = utc_to_seoul(consultation.hearing_starts_at), utc_to_seoul(consultation.hearing_ends_at)
            hearing = {"has_hearing": True, "hearing_date": starts.date(), "hearing_start": starts.time(),
                       "hearing_end": ends.time(), "hearing_place": consultation.hearing_place,
                       "hearing_url": consultation.hearing_url, "hearing_capacity": consultation.hearing_capacity}
        form = ConsultationForm(
            policies=queries.policy_choices(), title=consultation.title, purpose=consultation.purpose,
            body=consultation.body, department=consultation.department, contact=consultation.contact,
            paper_address=consultation.paper_address, deadline_date=deadline.date(), deadline_time=deadline.time(),
            policy_id=consultation.policy_id, **hearing)
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        if run_service(lambda: services.edit_consultation(consultation, current_user, services.consultation_data(form)),
                       _("The consultation was saved."), form=form):
            return redirect(url_for("consultations.detail", consultation_id=consultation.id))
        status = 409
    return render_template("consultations/form.html", form=form, consultation=consultation), status


def _detail_page(consultation: Consultation, *, opinion_form=None, status=200, **guest_forms):
    now = utcnow()
    purpose = services.purpose_key(consultation)
    guest_email, guest_phone = guests.confirmed_guest(purpose)
    show_numbers = consultation.closed(now) or can_manage_consultation(current_user, consultation)
    return render_template(
        "consultations/detail.html", consultation=consultation, now=now,
        opinion_form=opinion_form or OpinionForm(),
        **guests.page_context(purpose, guest_email, guest_phone, **guest_forms),
        numbers=queries.numbers(consultation) if show_numbers or consultation.has_hearing else None,
        show_numbers=show_numbers, theme_counts=queries.theme_counts(consultation),
        own_opinions=queries.own_opinions(consultation, current_user),
        registration=services.registration_of(consultation, current_user),
        policy=db.session.get(Policy, consultation.policy_id) if consultation.policy_id else None,
        can_submit=can_submit_opinion(current_user, consultation, now),
        can_register=can_register_for_hearing(current_user, consultation, now),
        can_manage=can_manage_consultation(current_user, consultation),
        can_edit=can_edit_consultation(current_user, consultation),
    ), status


@bp.route("/<int:consultation_id>")
def detail(consultation_id: int):
    return _detail_page(_load(consultation_id))


@bp.route("/<int:consultation_id>/opinions", methods=["POST"])
def submit_opinion(consultation_id: int):
    consultation = _load(consultation_id)
    form = OpinionForm()
    if not form.validate_on_submit():
        return _detail_page(consultation, opinion_form=form, status=422)
    user = current_user if current_user.is_authenticated else None
    if run_service(lambda: services.submit_opinion(consultation, services.opinion_data(form), user=user,
                                                   guest_email=None if user else _guest_email(consultation),
                                                   guest_phone=None if user else _guest_phone(consultation)),
                   _("Thank you. Your opinion was received; the city will answer it after the deadline."), form=form):
        return redirect(url_for("consultations.detail", consultation_id=consultation.id, _anchor="opinion"))
    return _detail_page(consultation, opinion_form=form, status=409)


def _guest_steps(consultation: Consultation) -> guests.GuestSteps:
    return guests.GuestSteps(services.purpose_key(consultation), page=partial(_detail_page, consultation),
                             back=url_for("consultations.detail", consultation_id=consultation.id, _anchor="opinion"))


@bp.route("/<int:consultation_id>/guest-code", methods=["POST"])
@guests.rate_limited
def guest_code(consultation_id: int):
    consultation = _load(consultation_id)
    return _guest_steps(consultation).send_email_code(consultation.title)


@bp.route("/<int:consultation_id>/guest-confirm", methods=["POST"])
@guests.rate_limited
def guest_confirm(consultation_id: int):
    return _guest_steps(_load(consultation_id)).confirm_email(
        _("Your email address is confirmed. Write your opinion below."))


@bp.route("/<int:consultation_id>/guest-phone-code", methods=["POST"])
@phone_code_limited
def guest_phone_code(consultation_id: int):
    return _guest_steps(_load(consultation_id)).send_phone_code()


@bp.route("/<int:consultation_id>/guest-phone-confirm", methods=["POST"])
@phone_code_limited
def guest_phone_confirm(consultation_id: int):
    return _guest_steps(_load(consultation_id)).confirm_phone(
        _("Your mobile phone is confirmed. Write your opinion below."))


@bp.route("/<int:consultation_id>/hearing/register", methods=["POST"])
def register(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_register_for_hearing, consultation, utcnow())
    run_service(lambda: services.register_for_hearing(consultation, current_user),
                lambda registration: registration.status.label)
    return redirect(url_for("consultations.detail", consultation_id=consultation.id, _anchor="hearing"))


@bp.route("/<int:consultation_id>/hearing/cancel", methods=["POST"])
def cancel_registration(consultation_id: int):
    consultation = _load(consultation_id)
    if not current_user.is_authenticated:
        abort(401)
    run_service(lambda: services.cancel_registration(consultation, current_user),
                _("Your registration was cancelled."))
    return redirect(url_for("consultations.detail", consultation_id=consultation.id, _anchor="hearing"))


@bp.route("/<int:consultation_id>/documents/<int:document_id>")
def document(consultation_id: int, document_id: int):
    consultation = _load(consultation_id)
    doc = db.session.get(ConsultationDocument, document_id)
    if doc is None or doc.consultation_id != consultation.id:
        abort(404)
    return services.send_document(doc)


# Staff ----------------------------------------------------------------------------------------------------

def _manage_page(consultation: Consultation, *, entered_form=None, theme_form=None, document_form=None,
                 results_form=None, status=200):
    now = utcnow()
    theme_filter = request.args.get("theme", "")
    opinions = db.paginate(queries.opinions_query(consultation, theme=theme_filter), page=page_number(),
                           per_page=OPINIONS_PER_PAGE, error_out=False)
    assign_form = AssignForm()
    assign_form.theme_id.choices = [("", _("No theme"))] + [(str(t.id), t.title) for t in consultation.themes]
    return render_template(
        "consultations/manage.html", consultation=consultation, now=now, opinions=opinions,
        theme_filter=theme_filter, numbers=queries.numbers(consultation),
        theme_counts=queries.theme_counts(consultation), unthemed=services.unthemed_count(consultation),
        entered_form=entered_form or EnteredOpinionForm(), theme_form=theme_form or ThemeForm(),
        document_form=document_form or DocumentForm(), results_form=results_form or ResultsForm(),
        assign_form=assign_form,
        theme_forms={t.id: ThemeForm(prefix=f"theme-{t.id}", title=t.title, response=t.response)
                     for t in consultation.themes},
        show_private=can_see_private_fields(current_user),
        can_edit=can_edit_consultation(current_user, consultation),
        can_enter=can_enter_opinion(current_user, consultation),
        can_group=can_group_opinions(current_user, consultation, now),
        can_publish=can_publish_results(current_user, consultation, now),
    ), status


@bp.route("/<int:consultation_id>/manage")
def manage(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_manage_consultation, consultation)
    return _manage_page(consultation)


def _back(consultation: Consultation, anchor: str):
    return redirect(url_for("consultations.manage", consultation_id=consultation.id, _anchor=anchor))


@bp.route("/<int:consultation_id>/open", methods=["POST"])
def open_consultation(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_edit_consultation, consultation)
    if run_service(lambda: services.open_consultation(consultation, current_user),
                   _("The consultation is open: everyone can read it and send opinions until the deadline.")):
        return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    return _back(consultation, "status")


@bp.route("/<int:consultation_id>/documents", methods=["POST"])
def add_document(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_edit_consultation, consultation)
    form = DocumentForm()
    if not form.validate_on_submit():
        return _manage_page(consultation, document_form=form, status=422)
    if run_service(lambda: services.add_document(consultation, current_user, form.document.data),
                   _("The document was added."), form=form):
        return _back(consultation, "documents")
    return _manage_page(consultation, document_form=form, status=422)


@bp.route("/<int:consultation_id>/documents/<int:document_id>/delete", methods=["POST"])
def remove_document(consultation_id: int, document_id: int):
    consultation = _load(consultation_id)
    require(can_edit_consultation, consultation)
    doc = db.session.get(ConsultationDocument, document_id)
    if doc is None or doc.consultation_id != consultation.id:
        abort(404)
    run_service(lambda: services.remove_document(doc, current_user), _("The document was removed."))
    return _back(consultation, "documents")


@bp.route("/<int:consultation_id>/entered-opinions", methods=["POST"])
def enter_opinion(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_enter_opinion, consultation)
    form = EnteredOpinionForm()
    if not form.validate_on_submit():
        return _manage_page(consultation, entered_form=form, status=422)
    if run_service(lambda: services.enter_opinion(consultation, current_user, services.opinion_data(form),
                                                  channel=Channel(form.channel.data), written_on=form.written_on.data),
                   _("The opinion was entered."), form=form):
        return _back(consultation, "enter")
    return _manage_page(consultation, entered_form=form, status=409)


@bp.route("/<int:consultation_id>/themes", methods=["POST"])
def add_theme(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_group_opinions, consultation, utcnow())
    form = ThemeForm()
    if not form.validate_on_submit():
        return _manage_page(consultation, theme_form=form, status=422)
    run_service(lambda: services.add_theme(consultation, current_user, form.title.data, form.response.data),
                _("The theme was added."))
    return _back(consultation, "themes")


@bp.route("/<int:consultation_id>/themes/<int:theme_id>", methods=["POST"])
def edit_theme(consultation_id: int, theme_id: int):
    consultation = _load(consultation_id)
    require(can_group_opinions, consultation, utcnow())
    theme = db.session.get(OpinionTheme, theme_id)
    if theme is None or theme.consultation_id != consultation.id:
        abort(404)
    form = ThemeForm(prefix=f"theme-{theme.id}")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(consultation, f"theme-{theme.id}")
    run_service(lambda: services.edit_theme(theme, current_user, form.title.data, form.response.data),
                _("The theme and its response were saved."))
    return _back(consultation, f"theme-{theme.id}")


@bp.route("/<int:consultation_id>/assign", methods=["POST"])
def assign(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_group_opinions, consultation, utcnow())
    form = AssignForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(consultation, "opinions")
    run_service(lambda: services.assign_opinions(consultation, current_user, form.opinion_ids.data,
                                                 form.theme_id.data), _("The opinions were grouped."))
    return redirect(url_for("consultations.manage", consultation_id=consultation.id,
                            theme=request.args.get("theme", ""), _anchor="opinions"))


@bp.route("/<int:consultation_id>/results", methods=["POST"])
def publish_results(consultation_id: int):
    consultation = _load(consultation_id)
    require(can_publish_results, consultation, utcnow())
    form = ResultsForm()
    if not form.validate_on_submit():
        return _manage_page(consultation, results_form=form, status=422)
    if run_service(lambda: services.publish_results(consultation, current_user, form.results_summary.data),
                   _("The results were published and every participant was told."), form=form):
        return redirect(url_for("consultations.detail", consultation_id=consultation.id, _anchor="results"))
    return _manage_page(consultation, results_form=form, status=409)
