import pytest
from flask_login import AnonymousUserMixin

from app.certificates.models import Certificate, CertificateStatus
from app.certificates.permissions import (
    can_issue_by_hand,
    can_manage_lab_certificates,
    can_revoke_certificate,
    can_view_certificate,
)

ACTORS = ["anonymous", "resident", "holder", "lab_facilitator", "other_facilitator", "staff", "admin",
          "deactivated_staff"]


@pytest.fixture
def world(make_lab, make_user):
    holder = make_user(display_name="홍길동")
    facilitator = make_user(roles=["facilitator"])
    lab = make_lab({holder: 5}, facilitator=facilitator)
    deactivated = make_user(roles=["staff"])
    deactivated.active = False
    actors = {
        "anonymous": AnonymousUserMixin(),
        "resident": make_user(),
        "holder": holder,
        "lab_facilitator": facilitator,
        "other_facilitator": make_user(roles=["facilitator"]),
        "staff": make_user(roles=["staff"]),
        "admin": make_user(roles=["admin"]),
        "deactivated_staff": deactivated,
    }
    certificate = Certificate(lab=lab, holder_id=holder.id, status=CertificateStatus.VALID)
    return lab, certificate, actors


EXPECTED = {
    # actor: (manage lab certificates, issue by hand, view certificate, revoke valid, revoke revoked)
    "anonymous": (False, False, False, False, False),
    "resident": (False, False, False, False, False),
    "holder": (False, False, True, False, False),
    "lab_facilitator": (True, False, True, False, False),
    "other_facilitator": (False, False, False, False, False),
    "staff": (True, True, True, True, False),
    "admin": (True, True, True, True, False),
    "deactivated_staff": (False, False, False, False, False),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(world, actor):
    lab, certificate, actors = world
    user = actors[actor]
    manage, by_hand, view, revoke_valid, revoke_revoked = EXPECTED[actor]
    assert can_manage_lab_certificates(user, lab) is manage
    assert can_issue_by_hand(user, lab) is by_hand
    assert can_view_certificate(user, certificate) is view
    assert can_revoke_certificate(user, certificate) is revoke_valid
    certificate.status = CertificateStatus.REVOKED
    assert can_revoke_certificate(user, certificate) is revoke_revoked
