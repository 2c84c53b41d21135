"""Demo certificates: completion for the eligible members of each closed demo lab, one of them revoked,
and a participation certificate for a member who fell short. Safe to run twice."""
from sqlalchemy import exists, select

from app.auth.services import find_user_by_email
from app.certificates import services
from app.certificates.models import Certificate
from app.extensions import db
from app.labs.models import Lab, LabStage

DEMO_STAFF_EMAIL = "staff@maeul.kr"
REVOCATION_REASON = "출석 기록을 정정한 결과 수료 기준에 미달하여 취소합니다."


def seed_demo() -> None:
    staff = find_user_by_email(DEMO_STAFF_EMAIL)
    closed_labs = db.session.scalars(select(Lab).where(Lab.stage == LabStage.CLOSED).order_by(Lab.id)).all()
    for lab in closed_labs:
        if not lab.facilitators or db.session.scalar(select(exists().where(Certificate.lab_id == lab.id))):
            continue
        facilitator = lab.facilitators[0]
        result = services.issue_to_eligible(lab, facilitator)
        short = next((standing for standing in result.not_issued if standing.attended), None)
        if short is not None:
            services.issue_participation(lab, short.member, facilitator)
        if staff is not None and len(result.issued) > 1:
            services.revoke_certificate(result.issued[-1], staff, REVOCATION_REASON)
        db.session.flush()
