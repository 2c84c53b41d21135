"""Certificates in the API: public verification, the holder's list and PDFs, issuing and revoking."""
from flask import jsonify
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from app.api import bp
from app.api.auth import api_user, require_api, token_required
from app.api.helpers import json_body, page_arg, paginated, per_page_arg, validate
from app.api.spec import ERROR, documented, query_param
from app.auth.models import User
from app.auth.permissions import is_staff
from app.certificates import services
from app.certificates.forms import CompletionRuleForm, ManualIssueForm, ParticipationForm, RevokeForm
from app.certificates.models import Certificate
from app.certificates.permissions import (
    can_issue_by_hand,
    can_manage_lab_certificates,
    can_revoke_certificate,
    can_view_certificate,
)
from app.certificates.routes import pdf_response, verify_rate_limit
from app.core import DomainError, iso
from app.extensions import db
from app.labs.models import Lab

KINDS = ["completion", "participation"]
PERIOD = {"type": "object", "properties": {"start": {"type": "string", "format": "date"},
                                           "end": {"type": "string", "format": "date"}}}
PUBLIC_CERTIFICATE = {
    "type": "object",
    "properties": {
        "code": {"type": "string"}, "status": {"type": "string", "enum": ["valid", "revoked"]},
        "kind": {"type": "string", "enum": KINDS}, "holder": {"type": "string", "description": "masked name"},
        "lab_title": {"type": "string"}, "period": PERIOD, "hours": {"type": "number"},
        "issued_on": {"type": "string", "format": "date"}, "issuer": {"type": "string"},
        "revoked_on": {"type": "string", "format": "date", "nullable": True},
        "revoked_reason": {"type": "string", "nullable": True},
    },
}
CERTIFICATE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": KINDS},
        "status": {"type": "string", "enum": ["valid", "revoked"]}, "code": {"type": "string"},
        "verification_url": {"type": "string"}, "pdf_url": {"type": "string"},
        "holder": {"type": "object"}, "lab": {"type": "object"}, "period": PERIOD,
        "attended_minutes": {"type": "integer"}, "hours": {"type": "number"}, "issuer": {"type": "object"},
        "issued_at": {"type": "string", "format": "date-time"}, "manual_reason": {"type": "string", "nullable": True},
        "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
        "revoked_reason": {"type": "string", "nullable": True},
    },
}
MEMBER_BODY = {"type": "object", "required": ["user_id"], "properties": {"user_id": {"type": "integer"}}}
REASON = {"type": "string", "maxLength": 500}


def _period(certificate: Certificate) -> dict:
    return {"start": certificate.period_start.isoformat(), "end": certificate.period_end.isoformat()}


def _local_day(moment) -> str:
    """The calendar day in the city's time zone, as printed on the certificate."""
    return to_user_timezone(moment).date().isoformat()


def public_certificate_json(certificate: Certificate) -> dict:
    return {
        "code": certificate.display_code, "status": certificate.status.value, "kind": certificate.kind.value,
        "holder": services.mask_name(certificate.holder_name), "lab_title": certificate.lab_title,
        "period": _period(certificate), "hours": certificate.hours,
        "issued_on": _local_day(certificate.issued_at), "issuer": certificate.issuer_organisation,
        "revoked_on": _local_day(certificate.revoked_at) if certificate.revoked_at else None,
        "revoked_reason": certificate.revoked_reason,
    }


def certificate_json(certificate: Certificate) -> dict:
    return {
        "id": certificate.id, "kind": certificate.kind.value, "status": certificate.status.value,
        "code": certificate.display_code, "verification_url": services.verification_url(certificate),
        "pdf_url": f"/api/v1/certificates/{certificate.id}/pdf",
        "holder": {"id": certificate.holder_id, "name": certificate.holder_name},
        "lab": {"id": certificate.lab_id, "title": certificate.lab_title},
        "period": _period(certificate), "attended_minutes": certificate.attended_minutes,
        "hours": certificate.hours,
        "issuer": {"id": certificate.issuer_id, "organisation": certificate.issuer_organisation},
        "issued_at": iso(certificate.issued_at), "manual_reason": certificate.manual_reason,
        "revoked_at": iso(certificate.revoked_at), "revoked_reason": certificate.revoked_reason,
    }




def _member(user_id: int) -> User:
    holder = db.session.get(User, user_id)
    if holder is None:
        raise DomainError(_("Only accepted members of the lab can receive its certificates."), field="user_id",
                          status=422)
    return holder


@bp.route("/certificates/<code>", methods=["GET"])
@verify_rate_limit
@documented("Verify a certificate by its code (masked holder name)", tag="certificates", auth=False,
            responses={200: ("Valid or revoked", PUBLIC_CERTIFICATE), 404: ("No certificate has this code", ERROR),
                       429: ("Too many lookups", ERROR)})
def verify_certificate(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        return jsonify({"error": {"code": 404, "message": _("No certificate has this code.")}}), 404
    return jsonify(public_certificate_json(certificate))


@bp.route("/me/certificates", methods=["GET"])
@token_required
@documented("The current user's certificates", tag="certificates",
            query=[query_param("page", "integer"), query_param("per_page", "integer", "at most 100")],
            responses={200: ("A page of certificates", {"type": "object", "properties": {
                "items": {"type": "array", "items": CERTIFICATE}, "total": {"type": "integer"},
                "page": {"type": "integer"}, "per_page": {"type": "integer"}}})})
def my_certificates():
    return jsonify(paginated(services.certificates_of(api_user(), page_arg(), per_page_arg()), certificate_json))


@bp.route("/certificates/<int:certificate_id>/pdf", methods=["GET"])
@documented("A certificate as an A4 PDF (holder, the lab's facilitators, staff)", tag="certificates",
            responses={200: ("application/pdf", None), 403: ("Not allowed", ERROR), 404: ("Not found", ERROR)})
def certificate_pdf(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    require_api(can_view_certificate, certificate)
    return pdf_response(certificate)


RULE = {"type": "object", "properties": {"min_attendance_percent": {"type": "integer", "minimum": 0, "maximum": 100},
                                         "require_closed": {"type": "boolean"}}}
STANDINGS = {"type": "object", "properties": {
    "rule": RULE, "closed_after_final_stage": {"type": "boolean"},
    "members": {"type": "array", "items": {"type": "object", "properties": {
        "user_id": {"type": "integer"}, "name": {"type": "string"}, "sessions_held": {"type": "integer"},
        "sessions_attended": {"type": "integer"}, "attendance_percent": {"type": "integer"},
        "attended_minutes": {"type": "integer"}, "eligible": {"type": "boolean"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "completion_certificate_id": {"type": "integer", "nullable": True},
        "participation_certificate_id": {"type": "integer", "nullable": True}}}}}}


def _rule_json(rule) -> dict:
    return {"min_attendance_percent": rule.min_attendance_percent, "require_closed": rule.require_closed}


@bp.route("/labs/<int:lab_id>/certificates", methods=["GET"])
@documented("Each accepted member's attendance, eligibility and certificates (facilitators, staff)",
            tag="certificates", responses={200: ("The lab's standings", STANDINGS), 403: ("Not allowed", ERROR),
                                           404: ("No such lab", ERROR)})
def lab_standings(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    require_api(can_manage_lab_certificates, lab)
    rule = services.completion_rule(lab)
    return jsonify({
        "rule": _rule_json(rule), "closed_after_final_stage": services.closed_after_final_stage(lab),
        "members": [{
            "user_id": s.member.id, "name": s.member.display_name, "sessions_held": s.held,
            "sessions_attended": s.attended, "attendance_percent": s.attendance_percent,
            "attended_minutes": s.attended_minutes, "eligible": s.eligible,
            "reasons": [str(reason) for reason in s.reasons],
            "completion_certificate_id": s.completion.id if s.completion else None,
            "participation_certificate_id": s.participation.id if s.participation else None,
        } for s in services.standings(lab, rule=rule)],
    })


@bp.route("/labs/<int:lab_id>/certificates/rule", methods=["PUT"])
@documented("Set the lab's completion rule (facilitators, staff)", tag="certificates", body=RULE,
            responses={200: ("The saved rule", RULE), 403: ("Not allowed", ERROR), 404: ("No such lab", ERROR)})
def set_lab_rule(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    actor = require_api(can_manage_lab_certificates, lab)
    form = validate(CompletionRuleForm, json_body())
    rule = services.set_completion_rule(lab, actor, min_attendance_percent=form.min_attendance_percent.data,
                                        require_closed=form.require_closed.data)
    db.session.commit()
    return jsonify(_rule_json(rule))


@bp.route("/labs/<int:lab_id>/certificates", methods=["POST"])
@documented("Issue certificates of completion to every eligible member of a lab", tag="certificates",
            responses={200: ("Who got one, and why the others did not", {"type": "object", "properties": {
                "issued": {"type": "array", "items": CERTIFICATE},
                "not_issued": {"type": "array", "items": {"type": "object", "properties": {
                    "user_id": {"type": "integer"}, "name": {"type": "string"},
                    "reasons": {"type": "array", "items": {"type": "string"}}}}},
                "skipped_revoked": {"type": "array", "description": "members whose certificate of completion staff "
                                    "revoked: never reissued by this call (also listed in not_issued)",
                                    "items": {"type": "object", "properties": {
                                        "user_id": {"type": "integer"}, "name": {"type": "string"},
                                        "revoked_certificate_id": {"type": "integer"}}}}}}),
                       403: ("Not a facilitator of the lab or staff", ERROR), 404: ("No such lab", ERROR)})
def issue_lab_certificates(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    actor = require_api(can_manage_lab_certificates, lab)
    result = services.issue_to_eligible(lab, actor)
    db.session.commit()
    return jsonify({
        "issued": [certificate_json(c) for c in result.issued],
        "not_issued": [{"user_id": s.member.id, "name": s.member.display_name,
                        "reasons": [str(reason) for reason in s.reasons]} for s in result.not_issued],
        "skipped_revoked": [{"user_id": s.member.id, "name": s.member.display_name,
                             "revoked_certificate_id": s.revoked_completion.id if s.revoked_completion else None}
                            for s in result.skipped_revoked],
    })


@bp.route("/labs/<int:lab_id>/certificates/participation", methods=["POST"])
@documented("Issue a certificate of participation with the member's hours", tag="certificates", body=MEMBER_BODY,
            responses={201: ("Issued", CERTIFICATE), 403: ("Not allowed", ERROR), 409: ("Refused", ERROR)})
def issue_participation_certificate(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    actor = require_api(can_manage_lab_certificates, lab)
    form = validate(ParticipationForm, json_body())
    certificate = services.issue_participation(lab, _member(form.user_id.data), actor)
    db.session.commit()
    return jsonify(certificate_json(certificate)), 201


@bp.route("/labs/<int:lab_id>/certificates/manual", methods=["POST"])
@documented("Staff: issue a certificate of completion outside the rule, with a reason", tag="certificates",
            body={"type": "object", "required": ["user_id", "reason"],
                  "properties": {"user_id": {"type": "integer"}, "reason": REASON}},
            responses={201: ("Issued", CERTIFICATE), 403: ("Staff only", ERROR), 409: ("Refused", ERROR)})
def issue_certificate_by_hand(lab_id: int):
    lab = db.get_or_404(Lab, lab_id)
    actor = require_api(can_issue_by_hand, lab)
    form = validate(ManualIssueForm, json_body())
    certificate = services.issue_by_hand(lab, _member(form.user_id.data), actor, form.reason.data)
    db.session.commit()
    return jsonify(certificate_json(certificate)), 201


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@documented("Staff: revoke a certificate with a reason (the holder is notified)", tag="certificates",
            body={"type": "object", "required": ["reason"], "properties": {"reason": REASON}},
            responses={200: ("Revoked", CERTIFICATE), 403: ("Staff only", ERROR), 409: ("Already revoked", ERROR)})
def revoke_certificate(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    actor = require_api(is_staff)
    form = validate(RevokeForm, json_body())
    if not can_revoke_certificate(actor, certificate):
        raise DomainError(_("This certificate is already revoked."))
    services.revoke_certificate(certificate, actor, form.reason.data)
    db.session.commit()
    return jsonify(certificate_json(certificate))
