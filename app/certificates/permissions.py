"""Who may do what with certificates. Pure predicates: no queries beyond ``lab.facilitators``."""
from __future__ import annotations

from app.auth.permissions import signed_in
from app.certificates.models import Certificate
from app.labs.models import Lab


def _staff(user) -> bool:
    return signed_in(user) and user.is_staff


def _runs(user, lab: Lab) -> bool:
    return signed_in(user) and (user.is_staff or lab.is_facilitator(user))


def can_manage_lab_certificates(user, lab: Lab) -> bool:
    """See members' standing, set the completion rule, issue to the eligible and issue participation."""
    return _runs(user, lab)


def can_issue_by_hand(user, lab: Lab) -> bool:
    return _staff(user)


def can_view_certificate(user, certificate: Certificate) -> bool:
    """The full certificate and its PDF: the holder, the lab's facilitators and staff."""
    if not signed_in(user):
        return False
    return user.id == certificate.holder_id or user.is_staff or certificate.lab.is_facilitator(user)


def can_revoke_certificate(user, certificate: Certificate) -> bool:
    return _staff(user) and certificate.is_valid
