"""Intake pages for community-centre staff, and the resident's claim page."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.consultations.models import Consultation
from app.auth.limits import login_limit
from app.core import page_number
from app.extensions import db, limiter
from app.intake import bp, permissions, queries, services
from app.intake.forms import ClaimCodeForm, ClaimForm, IntakeLabApplicationForm, IntakeOpinionForm, IntakeProposalForm
from app.intake.models import IntakeKind, IntakeRecord
from app.labs.models import Lab, MemberGroup
from app.labs.views import seoul_today
from app.privacy.access import record_view
from app.privacy.models import DataKind
from app.proposals.choices import all_fields, all_topics
from app.web import authorize, run_service

def _entered_message():
    return _("Entered. The resident can claim it later with their mobile number on their Maeul account.")


@bp.route("/")
@login_required
def index():
    authorize(permissions.can_use_intake(current_user))
    everyone = permissions.can_see_all_records(current_user)
    pagination = db.paginate(services.records_query(current_user, everyone=everyone), page=page_number(),
                             per_page=20, error_out=False)
    return render_template("intake/index.html", pagination=pagination, everyone=everyone,
                           kinds=[k for k in IntakeKind if permissions.can_enter(current_user, k)])


def _after(outcome):
    return redirect(url_for("intake.detail", record_id=outcome.value.id))


@bp.route("/proposal", methods=["GET", "POST"])
@login_required
def new_proposal():
    authorize(permissions.can_enter(current_user, IntakeKind.PROPOSAL))
    form = IntakeProposalForm(field_choices=all_fields(), topic_choices=all_topics())
    if form.validate_on_submit():
        outcome = run_service(lambda: services.enter_proposal(
            current_user, services.resident_data(form), title=form.title.data, body=form.body.data,
            field_slug=form.field.data, topic_slugs=form.topics.data, district=form.place.data or None),
            _entered_message(), form=form)
        if outcome:
            return _after(outcome)
    return render_template("intake/proposal.html", form=form), (422 if form.errors else 200)


@bp.route("/opinion", methods=["GET", "POST"])
@login_required
def new_opinion():
    authorize(permissions.can_enter(current_user, IntakeKind.OPINION))
    form = IntakeOpinionForm()
    consultations = queries.open_consultations()
    if form.validate_on_submit():
        consultation = db.session.get(Consultation, form.consultation_id.data)
        if consultation is None:
            form.consultation_id.errors = [_("Choose the consultation.")]
        else:
            outcome = run_service(lambda: services.enter_opinion(
                current_user, services.resident_data(form), consultation, body=form.body.data,
                written_on=form.written_on.data), _entered_message(), form=form)
            if outcome:
                return _after(outcome)
    return render_template("intake/opinion.html", form=form, consultations=consultations), \
        (422 if form.errors else 200)


@bp.route("/lab-application", methods=["GET", "POST"])
@login_required
def new_lab_application():
    authorize(permissions.can_enter(current_user, IntakeKind.LAB_APPLICATION))
    form = IntakeLabApplicationForm()
    today = seoul_today()
    labs = queries.recruiting_labs(today)
    if form.validate_on_submit():
        lab = db.session.get(Lab, form.lab_id.data)
        if lab is None:
            form.lab_id.errors = [_("Choose the living lab.")]
        else:
            outcome = run_service(lambda: services.enter_lab_application(
                current_user, services.resident_data(form), lab, motivation=form.motivation.data,
                group=MemberGroup(form.group.data), today=today), _entered_message(), form=form)
            if outcome:
                return _after(outcome)
    return render_template("intake/lab_application.html", form=form, labs=labs), (422 if form.errors else 200)


@bp.route("/<int:record_id>")
@login_required
def detail(record_id: int):
    record = db.session.get(IntakeRecord, record_id) or abort(404)
    authorize(permissions.can_view_record(current_user, record))
    record_view(current_user, [record.claimed_by_id or record.holder_id], DataKind.CONTACT,
                target_type="intake_record", target_id=record.id)
    return render_template("intake/detail.html", record=record, phone=services.phone_of(record),
                           unclaimed_days=current_app.config["PRIVACY_RETENTION_DAYS"]["intake_unclaimed"])


# --- the resident's claim -----------------------------------------------------------------------------

def _claim_page(code_form=None, claim_form=None, status: int = 200):
    from app.phones.services import masked_phone

    return render_template("intake/claim.html", masked=masked_phone(current_user),
                           code_form=code_form or ClaimCodeForm(),
                           claim_form=claim_form or ClaimForm(prefix="claim")), status


def _claimed_message(records) -> str:
    return ngettext("%(num)s contribution is now in your account.",
                    "%(num)s contributions are now in your account.", len(records))


@bp.route("/claim", methods=["GET"])
@login_required
def claim():
    return _claim_page()


@bp.route("/claim/account-phone", methods=["POST"])
@login_required
def claim_with_account_phone():
    from flask_wtf import FlaskForm

    form = FlaskForm()
    if form.validate_on_submit():
        run_service(lambda: services.claim_with_account_phone(current_user), _claimed_message)
    return redirect(url_for("intake.claim"))


@bp.route("/claim/code", methods=["POST"])
@login_required
@limiter.limit(login_limit)
def send_claim_code():
    form = ClaimCodeForm()
    if form.validate_on_submit():
        if run_service(lambda: services.send_claim_code(form.phone.data, request.remote_addr),
                       _("If the number can receive text messages, a code is on its way."), form=form):
            return _claim_page(claim_form=ClaimForm(prefix="claim", data={"phone": form.phone.data}))
    return _claim_page(code_form=form, status=422)


@bp.route("/claim", methods=["POST"])
@login_required
def claim_with_code():
    form = ClaimForm(prefix="claim")
    if form.validate_on_submit():
        if run_service(lambda: services.verify_and_claim(current_user, form.phone.data, form.code.data),
                       _claimed_message, form=form):
            return redirect(url_for("intake.claim"))
    return _claim_page(claim_form=form, status=422)
