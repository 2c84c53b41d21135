"""Certificate use cases: eligibility, issuing, revoking and verifying. Services flush; callers commit."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import exists, select

from app import audit
from app.auth.models import User
from app.certificates.font import build_font_in_background
from app.certificates.models import (
    DEFAULT_MIN_ATTENDANCE_PERCENT,
    Certificate,
    CertificateKind,
    CertificateStatus,
    CompletionRule,
    grouped_code,
    normalize_code,
)
from app.core import DomainError, utcnow
from app.extensions import db
from app.labs.models import Attendance, Lab, LabMembership, LabSession, LabStage, LabStageChange, MembershipStatus
from app.notifications.services import notify
from app.urls import public_url

MY_CERTIFICATES_URL = "/me/certificates"


# --- the completion rule -----------------------------------------------------------------------

def completion_rule(lab: Lab) -> CompletionRule:
    """The lab's rule, or an unsaved one with the defaults."""
    rule = db.session.scalar(select(CompletionRule).where(CompletionRule.lab_id == lab.id))
    return rule or CompletionRule(lab_id=lab.id, min_attendance_percent=DEFAULT_MIN_ATTENDANCE_PERCENT,
                                  require_closed=True)


def set_completion_rule(lab: Lab, actor: User, *, min_attendance_percent: int, require_closed: bool) -> CompletionRule:
    if not 0 <= min_attendance_percent <= 100:
        raise DomainError(_l("The attendance share must be between 0 and 100 percent."),
                          field="min_attendance_percent", status=422)
    rule = completion_rule(lab)
    rule.min_attendance_percent, rule.require_closed = min_attendance_percent, require_closed
    rule.updated_by_id, rule.updated_at = actor.id, utcnow()
    db.session.add(rule)
    audit.record(actor, "certificate.rule", "lab", lab.id, min_attendance_percent=min_attendance_percent,
                 require_closed=require_closed)
    db.session.flush()
    return rule


def closed_after_final_stage(lab: Lab) -> bool:
    if lab.stage is not LabStage.CLOSED:
        return False
    return bool(db.session.scalar(select(exists().where(
        LabStageChange.lab_id == lab.id, LabStageChange.from_stage == LabStage.SHARING,
        LabStageChange.to_stage == LabStage.CLOSED))))


# --- attendance and eligibility ----------------------------------------------------------------

@dataclass
class MemberStanding:
    """One accepted member's attendance in the lab's sessions held so far, and their certificate."""

    member: User
    held: int
    attended: int = 0
    attended_minutes: int = 0
    first_attended: datetime | None = None
    last_attended: datetime | None = None
    reasons: list = field(default_factory=list)  # why no certificate of completion; empty when eligible
    completion: Certificate | None = None
    participation: Certificate | None = None
    # The newest certificate of completion staff revoked, when the member holds no valid one: the batch
    # never replaces it (only staff, by hand and saying why).
    revoked_completion: Certificate | None = None

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def attendance_percent(self) -> int:
        return self.attended * 100 // self.held if self.held else 0

    @property
    def hours(self) -> float:
        return round(self.attended_minutes / 60, 1)


def _accepted_members(lab: Lab) -> list[User]:
    return list(db.session.scalars(
        select(User).join(LabMembership, LabMembership.user_id == User.id)
        .where(LabMembership.lab_id == lab.id, LabMembership.status == MembershipStatus.ACCEPTED)
        .order_by(User.display_name, User.id)))


def _standing_certificates(lab: Lab) -> list[Certificate]:
    """The lab's valid certificates and its revoked certificates of completion, oldest first."""
    return list(db.session.scalars(select(Certificate).where(
        Certificate.lab_id == lab.id,
        (Certificate.status == CertificateStatus.VALID) | (Certificate.kind == CertificateKind.COMPLETION))
        .order_by(Certificate.issued_at, Certificate.id)))


def standings(lab: Lab, now: datetime | None = None, rule: CompletionRule | None = None) -> list[MemberStanding]:
    """Every accepted member's attendance and eligibility, in a fixed number of queries."""
    now = now or utcnow()
    rule = rule or completion_rule(lab)
    closed_ok = not rule.require_closed or closed_after_final_stage(lab)
    held_sessions = {s.id: s for s in db.session.scalars(
        select(LabSession).where(LabSession.lab_id == lab.id, LabSession.ends_at <= now))}
    by_member = {user.id: MemberStanding(member=user, held=len(held_sessions)) for user in _accepted_members(lab)}
    if held_sessions and by_member:
        rows = db.session.execute(select(Attendance.user_id, Attendance.session_id).where(
            Attendance.session_id.in_(list(held_sessions)), Attendance.user_id.in_(list(by_member))))
        for user_id, session_id in rows:
            standing, session = by_member[user_id], held_sessions[session_id]
            standing.attended += 1
            standing.attended_minutes += session.duration_minutes
            if standing.first_attended is None or session.starts_at < standing.first_attended:
                standing.first_attended = session.starts_at
            if standing.last_attended is None or session.starts_at > standing.last_attended:
                standing.last_attended = session.starts_at
    for certificate in _standing_certificates(lab):
        standing = by_member.get(certificate.holder_id)
        if standing is None:
            continue
        if certificate.status is CertificateStatus.VALID:
            setattr(standing, certificate.kind.value, certificate)
        else:
            standing.revoked_completion = certificate
    for standing in by_member.values():
        if standing.completion is not None:
            standing.revoked_completion = None
    for standing in by_member.values():
        standing.reasons = _missing_for_completion(rule, closed_ok, standing)
    return list(by_member.values())


def _missing_for_completion(rule: CompletionRule, closed_ok: bool, standing: MemberStanding) -> list:
    if standing.completion is not None:
        return [_l("Already holds a certificate of completion for this lab.")]
    if standing.revoked_completion is not None:
        return [_l("Their certificate of completion was revoked; only staff can issue a new one, by hand.")]
    reasons = []
    if not closed_ok:
        reasons.append(_l("The lab has not been closed after its fifth stage."))
    if standing.held == 0:
        if rule.min_attendance_percent > 0:
            reasons.append(_l("No session of the lab has been held yet."))
    elif standing.attended * 100 < rule.min_attendance_percent * standing.held:
        reasons.append(_l("Attended %(attended)d of %(held)d sessions (%(percent)d%%); the rule asks for at least "
                          "%(required)d%%.", attended=standing.attended, held=standing.held,
                          percent=standing.attendance_percent, required=rule.min_attendance_percent))
    return reasons


def standing_of(lab: Lab, user: User, now: datetime | None = None) -> MemberStanding:
    for standing in standings(lab, now):
        if standing.member.id == user.id:
            return standing
    raise DomainError(_l("Only accepted members of the lab can receive its certificates."), field="user_id",
                      status=422)


def invite_facilitators_to_issue(lab: Lab, **_) -> None:
    """When a lab closes (signal ``lab_closed``), tell its facilitators how many members can receive a certificate."""
    eligible = sum(1 for standing in standings(lab) if standing.eligible)
    notify([facilitator.id for facilitator in lab.facilitators], "certificates_ready_to_issue",
           f"/labs/{lab.id}/certificates", lab=lab.title, count=eligible)


# --- issuing -----------------------------------------------------------------------------------

def _lock_lab(lab: Lab) -> None:
    """Serialise issuing per lab (PostgreSQL row lock); the partial unique index is the last guard."""
    db.session.execute(select(Lab.id).where(Lab.id == lab.id).with_for_update())


def _local_date(moment: datetime) -> date:
    return to_user_timezone(moment).date()


def issuer_organisation() -> str:
    return current_app.config["CERTIFICATE_ISSUER"]


def _issue(lab: Lab, standing: MemberStanding, kind: CertificateKind, actor: User,
           manual_reason: str | None = None) -> Certificate:
    if kind is CertificateKind.COMPLETION:
        period = (lab.starts_on, lab.ends_on)
    else:
        period = (_local_date(standing.first_attended), _local_date(standing.last_attended))
    certificate = Certificate(
        kind=kind, status=CertificateStatus.VALID, lab_id=lab.id, holder_id=standing.member.id,
        holder_name=standing.member.display_name, lab_title=lab.title, period_start=period[0],
        period_end=period[1], attended_minutes=standing.attended_minutes, issuer_id=actor.id,
        issuer_organisation=issuer_organisation(), manual_reason=manual_reason, issued_at=utcnow(),
    )
    db.session.add(certificate)
    db.session.flush()
    setattr(standing, kind.value, certificate)
    audit.record(actor, "certificate.issue", "certificate", certificate.id, kind=kind.value, lab_id=lab.id,
                 holder_id=standing.member.id, manual_reason=manual_reason)
    notify([standing.member.id], f"certificate_{kind.value}_issued", MY_CERTIFICATES_URL, lab=lab.title)
    build_font_in_background()
    return certificate


@dataclass
class BatchResult:
    issued: list[Certificate]
    not_issued: list[MemberStanding]

    @property
    def skipped_revoked(self) -> list[MemberStanding]:
        """Members skipped because staff revoked their certificate of completion."""
        return [standing for standing in self.not_issued
                if standing.completion is None and standing.revoked_completion is not None]


def issue_to_eligible(lab: Lab, actor: User, now: datetime | None = None) -> BatchResult:
    """Issue a certificate of completion to every eligible member; running it again issues nothing twice."""
    _lock_lab(lab)
    issued, not_issued = [], []
    for standing in standings(lab, now):
        if standing.eligible:
            issued.append(_issue(lab, standing, CertificateKind.COMPLETION, actor))
        else:
            not_issued.append(standing)
    audit.record(actor, "certificate.issue_batch", "lab", lab.id, issued=len(issued), not_issued=len(not_issued))
    return BatchResult(issued=issued, not_issued=not_issued)


def issue_by_hand(lab: Lab, holder: User, actor: User, reason: str, now: datetime | None = None) -> Certificate:
    """Staff issue a certificate of completion outside the rule, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why this certificate is issued by hand."), field="reason", status=422)
    _lock_lab(lab)
    standing = standing_of(lab, holder, now)
    if standing.completion is not None:
        raise DomainError(_l("This member already holds a certificate of completion for this lab."),
                          field="user_id", status=409)
    return _issue(lab, standing, CertificateKind.COMPLETION, actor, manual_reason=reason)


def issue_participation(lab: Lab, holder: User, actor: User, now: datetime | None = None) -> Certificate:
    """A certificate of participation with the member's hours so far; a newer one replaces an older one."""
    _lock_lab(lab)
    standing = standing_of(lab, holder, now)
    if standing.attended == 0:
        raise DomainError(_l("This member has not attended any session yet."), field="user_id", status=409)
    previous = standing.participation
    if previous is not None:
        if previous.attended_minutes == standing.attended_minutes:
            raise DomainError(_l("This member's certificate of participation is already up to date."),
                              field="user_id", status=409)
        previous.revoke(actor, _("Replaced by a newer certificate of participation."), utcnow())
        audit.record(actor, "certificate.revoke", "certificate", previous.id, reason="superseded")
        db.session.flush()
    return _issue(lab, standing, CertificateKind.PARTICIPATION, actor)


def revoke_certificate(certificate: Certificate, actor: User, reason: str) -> Certificate:
    certificate.revoke(actor, reason, utcnow())
    audit.record(actor, "certificate.revoke", "certificate", certificate.id, reason=certificate.revoked_reason)
    notify([certificate.holder_id], "certificate_revoked", MY_CERTIFICATES_URL, lab=certificate.lab_title,
           reason=certificate.revoked_reason)
    db.session.flush()
    return certificate


# --- reading and verifying ---------------------------------------------------------------------

def find_by_code(typed_code: str) -> Certificate | None:
    code = normalize_code(typed_code)
    if not code:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def certificates_of(user: User, page: int, per_page: int = 20):
    return db.paginate(
        select(Certificate).where(Certificate.holder_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc()),
        page=page, per_page=per_page, error_out=False)


def lab_certificates(lab: Lab) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.lab_id == lab.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def verification_url(certificate: Certificate) -> str:
    return public_url(f"/certificates/verify/{grouped_code(certificate.verification_code)}")


def mask_name(name: str) -> str:
    """Keep the first and last letter of each word: 홍길동 → 홍*동, 김철 → 김*, 남궁민수 → 남**수."""
    return " ".join(_mask_word(word) for word in (name or "").split())


def _mask_word(word: str) -> str:
    if len(word) <= 1:
        return word
    if len(word) == 2:
        return word[0] + "*"
    return word[0] + "*" * (len(word) - 2) + word[-1]
