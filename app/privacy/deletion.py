"""Deleting an account (파기): a request, a cooling-off period the resident can cancel, then erasure.

Erasure keeps the account row as a tombstone without personal data ("탈퇴한 회원"), so that what
others did with the resident's contributions (supports counted, replies, ledger rows) stays whole.
Records the law requires (allowances paid, certificates issued) keep the least identity needed in a
separate ``RetainedRecord`` that ``flask privacy purge`` erases when its period ends."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app import audit, search
from app.auth.models import AccessLog, ApiToken, Consent, User, UserRole
from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import rowcount
from app.privacy.models import DeletionReason, DeletionRequest, DeletionStatus, RetainedRecord

ERASED_NAME = "탈퇴한 회원"
ERASED_TITLE = "삭제된 글"

# A domain that holds personal data of its own registers how to erase it: ``eraser(user, keep_content, now)``
# removes or anonymises the account's rows and returns what it did, counted, for the request's summary.
Eraser = Callable[[User, bool, datetime], dict[str, int]]
_ERASERS: dict[str, Eraser] = {}


def register_erasure(name: str, eraser: Eraser) -> None:
    _ERASERS[name] = eraser


def pending_request(user: User) -> DeletionRequest | None:
    return db.session.scalar(select(DeletionRequest).where(DeletionRequest.user_id == user.id,
                                                           DeletionRequest.status == DeletionStatus.PENDING))


def _unsettled_allowances(user: User) -> int:
    from app.ledger.models import Allowance
    from app.ledger.models.allowance import AllowanceStatus

    return db.session.scalar(select(func.count()).select_from(Allowance).where(
        Allowance.user_id == user.id,
        Allowance.status.in_([AllowanceStatus.PENDING, AllowanceStatus.CONFIRMED, AllowanceStatus.APPROVED])))


def request_deletion(user: User, *, keep_content: bool) -> DeletionRequest:
    if not user.active:
        raise DomainError(_l("This account is already deactivated."))
    # Lock the account row: two requests sent at once (two tabs, page and API) make one request.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if pending_request(user) is not None:
        raise DomainError(_l("You have already asked to delete your account."))
    if _unsettled_allowances(user):
        raise DomainError(_l("Some of your allowances are still being decided or paid. You can delete your "
                             "account once they are paid or refused."))
    now = utcnow()
    days = current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"]
    row = DeletionRequest(user_id=user.id, keep_content=keep_content, requested_at=now,
                          due_at=now + timedelta(days=days), reason=DeletionReason.RESIDENT)
    db.session.add(row)
    db.session.flush()
    audit.record(user, "privacy.deletion_request", "user", user.id, keep_content=keep_content,
                 due_at=row.due_at.isoformat())
    return row


def cancel_deletion(user: User) -> DeletionRequest:
    row = pending_request(user)
    if row is None:
        raise DomainError(_l("There is no deletion request to cancel."))
    row.cancel()
    audit.record(user, "privacy.deletion_cancel", "user", user.id)
    return row


def _retain(user: User, kind: str, count: int, now) -> None:
    if not count:
        return
    days = current_app.config["PRIVACY_RETENTION_DAYS"][kind]
    db.session.add(RetainedRecord(user_id=user.id, kind=kind, name=user.display_name, birth_year=user.birth_year,
                                  record_count=count, keep_until=now + timedelta(days=days)))


def _remove_content(user: User) -> dict:
    from app.comments.models import Comment
    from app.comments.services import delete_comment
    from app.labs.models import Praise, ProblemCard, PrototypeFeedback
    from app.proposals.models import Proposal, ProposalStatus

    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id, Comment.deleted_at.is_(None)))
    removed_comments = 0
    for comment in comments.all():
        delete_comment(user, comment)
        removed_comments += 1
    proposals = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id)).all()
    for proposal in proposals:
        if proposal.status in (ProposalStatus.OPEN, ProposalStatus.FORUM):
            proposal.withdraw()
        proposal.title, proposal.body = ERASED_TITLE, ""
        proposal.latitude = proposal.longitude = None
        search.remove_from_index("proposal", proposal.id)
    cards = rowcount(db.session.execute(delete(ProblemCard).where(ProblemCard.author_id == user.id)))
    feedback = rowcount(db.session.execute(delete(PrototypeFeedback).where(PrototypeFeedback.user_id == user.id)))
    praise = rowcount(db.session.execute(delete(Praise).where(Praise.from_user_id == user.id)))
    return {"comments_removed": removed_comments, "proposals_removed": len(proposals),
            "lab_contributions_removed": cards + feedback + praise}


def erase_account(request_row: DeletionRequest, now=None) -> dict:
    """Erase the personal data of the request's account. Returns what was removed and kept, counted."""
    from app.certificates.models import Certificate
    from app.labs.models import LabMembership, MembershipStatus, ProblemEmpathy, SessionRsvp
    from app.api.models import IdempotentResponse
    from app.ledger.models import Allowance, BankAccount
    from app.ledger.models.allowance import AllowanceStatus
    from app.notifications.models import Notification
    from app.channels.models import ChannelPreference, Delivery
    from app.phones.models import UserPhone
    from app.policies.models import PolicyFollow
    from app.proposals.models import Follow

    user = request_row.user
    now = now or utcnow()
    paid = db.session.scalar(select(func.count()).select_from(Allowance).where(
        Allowance.user_id == user.id, Allowance.status.in_([AllowanceStatus.PAID, AllowanceStatus.REVERSED])))
    certificates = db.session.scalar(select(func.count()).select_from(Certificate)
                                     .where(Certificate.holder_id == user.id))
    _retain(user, "payment_records", paid, now)
    _retain(user, "certificate_records", certificates, now)
    summary = {"kept_payment_records": paid, "kept_certificates": certificates}
    if not request_row.keep_content:
        summary.update(_remove_content(user))
    for eraser in _ERASERS.values():
        summary.update(eraser(user, request_row.keep_content, now))
    statements = {
        "bank_accounts": delete(BankAccount).where(BankAccount.user_id == user.id),
        "consents": delete(Consent).where(Consent.user_id == user.id),
        "api_tokens": delete(ApiToken).where(ApiToken.user_id == user.id),
        "notifications": delete(Notification).where(Notification.user_id == user.id),
        "phone": delete(UserPhone).where(UserPhone.user_id == user.id),
        "notification_preferences": delete(ChannelPreference).where(ChannelPreference.user_id == user.id),
        "notification_deliveries": delete(Delivery).where(Delivery.user_id == user.id),
        "sign_in_log": delete(AccessLog).where(AccessLog.user_id == user.id),
        "follows": delete(Follow).where(Follow.user_id == user.id),
        "policy_follows": delete(PolicyFollow).where(PolicyFollow.user_id == user.id),
        "rsvps": delete(SessionRsvp).where(SessionRsvp.user_id == user.id),
        "empathies": delete(ProblemEmpathy).where(ProblemEmpathy.user_id == user.id),
        "idempotent_responses": delete(IdempotentResponse).where(IdempotentResponse.user_id == user.id),
        "open_applications": delete(LabMembership).where(
            LabMembership.user_id == user.id,
            LabMembership.status.in_([MembershipStatus.APPLIED, MembershipStatus.WAITLISTED])),
        "roles": delete(UserRole).where(UserRole.user_id == user.id),
    }
    for name, statement in statements.items():
        summary[name] = rowcount(db.session.execute(statement))
    # Members stay in the lab's attendance (allowances and certificates rest on it), without their words.
    db.session.execute(update(LabMembership).where(LabMembership.user_id == user.id)
                       .values(motivation="", plan_role=None))
    db.session.expire(user, ["role_rows"])
    user.email = f"erased-{user.id}@invalid"
    user.password_hash = "!"  # matches no password
    user.display_name = ERASED_NAME
    user.district = ""
    user.birth_year = 0
    user.guardian_name = None
    user.locale = None
    user.text_size = None
    user.active = False
    user.deactivated_at = user.deactivated_at or now
    request_row.complete(summary, now)
    audit.record(None, "privacy.erase", "user", user.id, reason=request_row.reason.value,
                 keep_content=request_row.keep_content)
    db.session.flush()
    return summary


def is_erased(user: User) -> bool:
    return user.email == f"erased-{user.id}@invalid"


def pending_deletions(page: int, per_page: int = 30):
    return db.paginate(select(DeletionRequest).where(DeletionRequest.status == DeletionStatus.PENDING)
                       .order_by(DeletionRequest.due_at), page=page, per_page=per_page, error_out=False)


def retained_records(page: int, per_page: int = 30):
    return db.paginate(select(RetainedRecord).order_by(RetainedRecord.keep_until), page=page, per_page=per_page,
                       error_out=False)
