"""Survey and quick-poll pages. Thin views: load or 404 → authorise → validate → service → commit → redirect."""
from functools import partial

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import require
from app.consultations import guests
from app.consultations.clock import seoul_to_utc, utc_to_seoul
from app.core import DomainError, ValidationFailed, page_number, utcnow
from app.extensions import db
from app.phones.limits import phone_code_limited
from app.surveys import bp, queries, results, services
from app.surveys.forms import DemographicForm, PollForm, QuestionForm, SectionForm, SurveyForm
from app.surveys.models import Audience, Demographic, QuestionKind, Survey, SurveyQuestion
from app.surveys.permissions import (
    can_answer,
    can_close_survey,
    can_create_survey,
    can_edit_questions,
    can_export,
    can_manage_survey,
    can_read_text_answers,
    can_view_results,
    can_view_survey,
)
from app.web import run_service

PER_PAGE = 10


@bp.app_context_processor
def poll_helpers():
    """For surveys/_polls.html, which proposal and policy-update pages include."""
    return {"polls_for": services.polls_for, "poll_state": _poll_state, "survey_chart": results, "now_utc": utcnow}


@bp.context_processor
def helpers():
    return {"seoul": utc_to_seoul, "QuestionKind": QuestionKind}


def _load(survey_id: int) -> Survey:
    survey = queries.load_survey(survey_id)
    if survey is None or not can_view_survey(current_user, survey):
        abort(404)
    return survey


def _user():
    return current_user if current_user.is_authenticated else None


def _poll_state(poll: Survey) -> dict:
    now = utcnow()
    member = False
    response = services.response_of(poll, _user())
    return {"can_answer": can_answer(_user(), poll, now, member), "answers": services.answers_of(response),
            "results": results.question_results(poll)[0] if can_view_results(_user(), poll, now) else None}


@bp.route("")
def index():
    query = queries.surveys_query(include_drafts=can_create_survey(current_user), now=utcnow())
    pagination = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("surveys/index.html", pagination=pagination, now=utcnow(),
                           can_create=can_create_survey(current_user))


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(can_create_survey)
    from app.surveys.demographics import DEFAULT_CONSENT_NOTICE

    form = SurveyForm(labs=queries.lab_choices(), consent_notice=DEFAULT_CONSENT_NOTICE)
    if form.validate_on_submit():
        outcome = run_service(lambda: services.create_survey(current_user, services.survey_data(form)),
                              _("The survey was saved as a draft. Add its questions next."), form=form)
        if outcome:
            return redirect(url_for("surveys.manage", survey_id=outcome.value.id))
    return render_template("surveys/form.html", form=form, survey=None), 422 if form.errors else 200


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
def edit(survey_id: int):
    survey = _load(survey_id)
    require(can_manage_survey, survey)
    if request.method == "POST":
        form = SurveyForm(labs=queries.lab_choices())
    else:
        form = SurveyForm(labs=queries.lab_choices(), title=survey.title, description=survey.description,
                          consent_notice=survey.consent_notice, audience=survey.audience.value, lab_id=survey.lab_id,
                          opens_at=utc_to_seoul(survey.opens_at), closes_at=utc_to_seoul(survey.closes_at))
    if form.validate_on_submit():
        if run_service(lambda: services.edit_survey(survey, current_user, services.survey_data(form)),
                       _("The survey was saved."), form=form):
            return redirect(url_for("surveys.manage", survey_id=survey.id))
    return render_template("surveys/form.html", form=form, survey=survey), 422 if form.errors else 200


def _answer_page(survey: Survey, *, values=None, errors=None, consent=None, status=200, **guest_forms):
    now = utcnow()
    user = _user()
    purpose = services.purpose_key(survey)
    guest_email, guest_phone = guests.confirmed_guest(purpose)
    member = services.is_lab_member(survey, user)
    response = services.response_of(survey, user, guest_email, guest_phone)
    return render_template(
        "surveys/detail.html", survey=survey, now=now,
        values=values if values is not None else services.answers_of(response),
        errors=errors or {}, consent=consent if consent is not None else bool(response and response.consented_at),
        response=response, **guests.page_context(purpose, guest_email, guest_phone, **guest_forms),
        can_answer=can_answer(user, survey, now, member),
        needs_code=(survey.audience is Audience.EVERYONE and user is None and guest_email is None
                    and guest_phone is None),
        can_view_results=can_view_results(user, survey, now),
        can_manage=can_manage_survey(user, survey),
    ), status


@bp.route("/<int:survey_id>")
def detail(survey_id: int):
    return _answer_page(_load(survey_id))


def _form_answers(survey: Survey) -> dict:
    return {q.id: request.form.getlist(f"q{q.id}") for q in survey.questions}


@bp.route("/<int:survey_id>/answer", methods=["POST"])
def answer(survey_id: int):
    survey = _load(survey_id)
    raw, consent = _form_answers(survey), request.form.get("consent") == "y"
    user = _user()
    back = request.form.get("next", "")
    guest_email, guest_phone = guests.confirmed_guest(services.purpose_key(survey))
    try:
        services.submit_response(survey, raw, user=user, guest_email=guest_email,
                                 guest_phone=guest_phone, consent=consent,
                                 lab_member=services.is_lab_member(survey, user))
    except ValidationFailed as failed:
        db.session.rollback()
        if back.startswith("/") and not back.startswith("//"):
            for messages in failed.errors.values():
                for message in messages:
                    flash(str(message), "error")
            return redirect(back)
        return _answer_page(survey, values=raw, errors={k: [str(m) for m in v] for k, v in failed.errors.items()},
                            consent=consent, status=422)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return _answer_page(survey, values=raw, consent=consent, status=error.status)
    db.session.commit()
    flash(_("Thank you. Your answers were saved; you can change them until the survey closes."), "success")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("surveys.detail", survey_id=survey.id))


def _guest_steps(survey: Survey) -> guests.GuestSteps:
    return guests.GuestSteps(services.purpose_key(survey), page=partial(_answer_page, survey),
                             back=url_for("surveys.detail", survey_id=survey.id))


def _open_to_guests(survey: Survey) -> Survey:
    """Only a survey open to everyone sends codes to guests; the others need an account (403)."""
    if survey.audience is not Audience.EVERYONE:
        abort(403)
    return survey


@bp.route("/<int:survey_id>/guest-code", methods=["POST"])
@guests.rate_limited
def guest_code(survey_id: int):
    survey = _open_to_guests(_load(survey_id))
    # A refused code (too many sent) is flashed on the page, not kept beside the field.
    return _guest_steps(survey).send_email_code(survey.title, refusal_on_page=False)


@bp.route("/<int:survey_id>/guest-confirm", methods=["POST"])
@guests.rate_limited
def guest_confirm(survey_id: int):
    # No audience check: a code can only have been sent for a survey open to everyone.
    return _guest_steps(_load(survey_id)).confirm_email(_("Your email address is confirmed. You can answer now."))


@bp.route("/<int:survey_id>/guest-phone-code", methods=["POST"])
@phone_code_limited
def guest_phone_code(survey_id: int):
    return _guest_steps(_open_to_guests(_load(survey_id))).send_phone_code()


@bp.route("/<int:survey_id>/guest-phone-confirm", methods=["POST"])
@phone_code_limited
def guest_phone_confirm(survey_id: int):
    return _guest_steps(_open_to_guests(_load(survey_id))).confirm_phone(
        _("Your mobile phone is confirmed. You can answer now."))


@bp.route("/<int:survey_id>/results")
def results_page(survey_id: int):
    survey = _load(survey_id)
    now = utcnow()
    if not can_view_results(current_user, survey, now):
        abort(403)
    demographic_questions = [q for q in survey.questions if q.demographic is not None]
    by = next((q for q in demographic_questions if str(q.id) == request.args.get("by")), None)
    question = next((q for q in survey.questions if str(q.id) == request.args.get("q") and not q.kind.is_text
                     and q.demographic is None), None)
    table = results.crosstab(survey, question, by) if by and question else None
    return render_template(
        "surveys/results.html", survey=survey, now=now,
        results=results.question_results(survey, with_texts=can_read_text_answers(current_user, survey)),
        demographic_questions=demographic_questions, by=by, question=question, table=table,
        crosstab_questions=[q for q in survey.questions if not q.kind.is_text and q.demographic is None],
        min_group=results.MIN_GROUP, can_export=can_export(current_user, survey),
        show_texts=can_read_text_answers(current_user, survey))


@bp.route("/<int:survey_id>/export.csv")
def export(survey_id: int):
    survey = _load(survey_id)
    require(can_export, survey)
    return Response(stream_with_context(results.csv_rows(survey)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=survey-{survey.id}.csv"})


# Building (staff) --------------------------------------------------------------------------------------------

def _manage_page(survey: Survey, *, section_form=None, question_form=None, demographic_form=None, status=200):
    return render_template(
        "surveys/manage.html", survey=survey, now=utcnow(),
        section_form=section_form or SectionForm(),
        question_form=question_form or QuestionForm(sections=survey.sections),
        demographic_form=demographic_form or DemographicForm(sections=survey.sections),
        can_edit=can_edit_questions(current_user, survey), can_close=can_close_survey(current_user, survey),
    ), status


@bp.route("/<int:survey_id>/manage")
def manage(survey_id: int):
    survey = _load(survey_id)
    require(can_manage_survey, survey)
    return _manage_page(survey)


def _back(survey: Survey, anchor: str = "questions"):
    return redirect(url_for("surveys.manage", survey_id=survey.id, _anchor=anchor))


@bp.route("/<int:survey_id>/sections", methods=["POST"])
def add_section(survey_id: int):
    survey = _load(survey_id)
    require(can_edit_questions, survey)
    form = SectionForm()
    if not form.validate_on_submit():
        return _manage_page(survey, section_form=form, status=422)
    run_service(lambda: services.add_section(survey, current_user, form.title.data, form.description.data),
                _("The section was added."))
    return _back(survey)


@bp.route("/<int:survey_id>/questions", methods=["POST"])
def add_question(survey_id: int):
    survey = _load(survey_id)
    require(can_edit_questions, survey)
    form = QuestionForm(sections=survey.sections)
    if not form.validate_on_submit():
        return _manage_page(survey, question_form=form, status=422)
    if run_service(lambda: services.add_question(survey, current_user, kind=QuestionKind(form.kind.data),
                                                 text=form.text.data, required=form.required.data,
                                                 options=form.option_lines(), section_id=form.section_id.data),
                   _("The question was added."), form=form):
        return _back(survey)
    return _manage_page(_load(survey_id), question_form=form, status=422)


@bp.route("/<int:survey_id>/demographics", methods=["POST"])
def add_demographic(survey_id: int):
    survey = _load(survey_id)
    require(can_edit_questions, survey)
    form = DemographicForm(sections=survey.sections)
    if not form.validate_on_submit():
        return _manage_page(survey, demographic_form=form, status=422)
    run_service(lambda: services.add_demographic(survey, current_user, Demographic(form.demographic.data),
                                                 form.section_id.data), _("The respondent question was added."))
    return _back(survey)


@bp.route("/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
def remove_question(survey_id: int, question_id: int):
    survey = _load(survey_id)
    require(can_edit_questions, survey)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    run_service(lambda: services.remove_question(question, current_user), _("The question was removed."))
    return _back(survey)


@bp.route("/<int:survey_id>/publish", methods=["POST"])
def publish(survey_id: int):
    survey = _load(survey_id)
    require(can_edit_questions, survey)
    if run_service(lambda: services.publish_survey(survey, current_user), _("The survey is published.")):
        return redirect(url_for("surveys.detail", survey_id=survey.id))
    return _back(survey, "status")


@bp.route("/<int:survey_id>/close", methods=["POST"])
def close(survey_id: int):
    survey = _load(survey_id)
    require(can_close_survey, survey)
    run_service(lambda: services.close_survey(survey, current_user), _("The survey is closed."))
    return redirect(url_for("surveys.results_page", survey_id=survey.id))


@bp.route("/polls/new", methods=["GET", "POST"])
def create_poll():
    require(can_create_survey)
    target_type = request.args.get("target_type", "")
    target_id = request.args.get("target_id", type=int)
    target = services.load_target(target_type, target_id) if target_id else None
    if target is None:
        abort(404)
    form = PollForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: services.create_poll(
            current_user, target_type=target_type, target_id=target_id, question=form.question.data,
            options=form.option_lines(), closes_at=seoul_to_utc(form.closes_at.data)),
            _("The poll is open."), form=form)
        if outcome:
            return redirect(services.target_url(outcome.value) or url_for("surveys.index"))
    return render_template("surveys/poll_form.html", form=form, target=target, target_type=target_type), \
        422 if form.errors else 200

