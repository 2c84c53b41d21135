from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.auth.models import User
from app.auth.permissions import require
from app.certificates import bp, services
from app.certificates.forms import CompletionRuleForm, ManualIssueForm, ParticipationForm, RevokeForm, VerifyForm
from app.certificates.models import Certificate
from app.certificates.pdf import certificate_pdf, hours_text, period_text
from app.certificates.permissions import (
    can_issue_by_hand,
    can_manage_lab_certificates,
    can_revoke_certificate,
    can_view_certificate,
)
from app.core import DomainError, page_number
from app.extensions import db, limiter
from app.labs.models import Lab
from app.web import run_service


def verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATELIMIT"]


# The page and the API share one budget per client, so switching between them gains nothing.
verify_rate_limit = limiter.shared_limit(verify_limit, scope="certificate-verify")


@bp.app_template_global()
def certificate_hours(certificate: Certificate) -> str:
    return hours_text(certificate)


@bp.app_template_global()
def certificate_period(certificate: Certificate) -> str:
    return period_text(certificate)




# --- a lab's certificates (facilitators and staff) ---------------------------------------------

def _render_lab_page(lab: Lab, *, rule_form=None, participation_form=None, manual_form=None, status=200):
    rule = services.completion_rule(lab)
    standings = services.standings(lab, rule=rule)
    members = [standing.member for standing in standings]
    participation_form = participation_form or ParticipationForm()
    participation_form.set_members(members)
    manual_form = manual_form or ManualIssueForm()
    manual_form.set_members(members)
    rule_form = rule_form or CompletionRuleForm(data={"min_attendance_percent": rule.min_attendance_percent,
                                                      "require_closed": rule.require_closed})
    return render_template(
        "certificates/lab.html", lab=lab, standings=standings, rule=rule, rule_form=rule_form,
        closed_ok=services.closed_after_final_stage(lab) if rule.require_closed else None,
        participation_form=participation_form,
        manual_form=manual_form, may_issue_by_hand=can_issue_by_hand(current_user, lab),
        certificates=services.lab_certificates(lab),
    ), status


@bp.route("/labs/<int:lab_id>/certificates")
@login_required
def lab_certificates(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    require(can_manage_lab_certificates, lab)
    return _render_lab_page(lab)


@bp.route("/labs/<int:lab_id>/certificates/rule", methods=["POST"])
@login_required
def update_rule(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    require(can_manage_lab_certificates, lab)
    form = CompletionRuleForm()
    if not form.validate_on_submit():
        return _render_lab_page(lab, rule_form=form, status=422)
    run_service(lambda: services.set_completion_rule(
        lab, current_user, min_attendance_percent=form.min_attendance_percent.data,
        require_closed=form.require_closed.data), _("The completion rule was saved."))
    return redirect(url_for("certificates.lab_certificates", lab_id=lab.id))


@bp.route("/labs/<int:lab_id>/certificates/issue", methods=["POST"])
@login_required
def issue_to_eligible(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    require(can_manage_lab_certificates, lab)
    outcome = run_service(lambda: services.issue_to_eligible(lab, current_user),
                          lambda result: _("Certificates of completion issued: %(num)d.", num=len(result.issued)))
    if outcome and outcome.value.skipped_revoked:
        skipped = outcome.value.skipped_revoked
        flash(ngettext("Skipped %(num)d member whose certificate of completion was revoked: %(names)s.",
                       "Skipped %(num)d members whose certificate of completion was revoked: %(names)s.",
                       len(skipped), names=", ".join(s.member.display_name for s in skipped)), "info")
    if outcome and outcome.value.not_issued:
        flash(_("Members without a new certificate: %(num)d. The table below says why.",
                num=len(outcome.value.not_issued)), "info")
    return redirect(url_for("certificates.lab_certificates", lab_id=lab.id))


@bp.route("/labs/<int:lab_id>/certificates/participation", methods=["POST"])
@login_required
def issue_participation(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    require(can_manage_lab_certificates, lab)
    form = ParticipationForm()
    if not form.validate_on_submit():
        return _render_lab_page(lab, participation_form=form, status=422)
    return _issue_for_member(lab, form, lambda holder: services.issue_participation(lab, holder, current_user))


@bp.route("/labs/<int:lab_id>/certificates/manual", methods=["POST"])
@login_required
def issue_by_hand(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    require(can_issue_by_hand, lab)
    form = ManualIssueForm()
    if not form.validate_on_submit():
        return _render_lab_page(lab, manual_form=form, status=422)
    return _issue_for_member(
        lab, form, lambda holder: services.issue_by_hand(lab, holder, current_user, form.reason.data))


def _issue_for_member(lab: Lab, form, issue):
    holder = db.session.get(User, form.user_id.data)

    def issue_to_holder():
        if holder is None:
            raise DomainError(_("Only accepted members of the lab can receive its certificates."))
        return issue(holder)

    run_service(issue_to_holder, lambda certificate: _(
        "%(kind)s issued to %(name)s.", kind=certificate.kind.label, name=certificate.holder_name))
    return redirect(url_for("certificates.lab_certificates", lab_id=lab.id))


# --- one certificate ---------------------------------------------------------------------------

@bp.route("/certificates/<int:certificate_id>")
@login_required
def detail(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    require(can_view_certificate, certificate)
    return render_template("certificates/detail.html", certificate=certificate, revoke_form=RevokeForm(),
                           verification_url=services.verification_url(certificate),
                           may_revoke=can_revoke_certificate(current_user, certificate))


@bp.route("/certificates/<int:certificate_id>/pdf")
@login_required
def download(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    require(can_view_certificate, certificate)
    return pdf_response(certificate)


def pdf_response(certificate: Certificate) -> Response:
    filename = f"certificate-{certificate.id}-{certificate.kind.value}.pdf"
    response = Response(certificate_pdf(certificate), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@login_required
def revoke(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    require(can_view_certificate, certificate)
    if not can_revoke_certificate(current_user, certificate):
        abort(403)
    form = RevokeForm()
    if not form.validate_on_submit():
        return render_template("certificates/detail.html", certificate=certificate, revoke_form=form,
                               verification_url=services.verification_url(certificate), may_revoke=True), 422
    run_service(lambda: services.revoke_certificate(certificate, current_user, form.reason.data),
                _("The certificate was revoked and its holder notified."))
    return redirect(url_for("certificates.detail", certificate_id=certificate.id))


# --- the holder's list -------------------------------------------------------------------------

@bp.route("/me/certificates")
@login_required
def mine():
    pagination = services.certificates_of(current_user, page_number())
    return render_template("certificates/mine.html", pagination=pagination)


# --- public verification -----------------------------------------------------------------------

@bp.route("/certificates/verify")
def verify_form():
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip()))
    return render_template("certificates/verify_form.html", form=form), (422 if form.errors else 200)


@bp.route("/certificates/verify/<code>")
@verify_rate_limit
def verify(code: str):
    certificate = services.find_by_code(code)
    form = VerifyForm(data={"code": code})
    if certificate is None:
        response = make_response(render_template("certificates/verify.html", certificate=None, form=form), 404)
    else:
        response = make_response(render_template("certificates/verify.html", certificate=certificate, form=form,
                                                 masked_name=services.mask_name(certificate.holder_name)))
    # A verification page is for the person holding the code, not for search engines.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
