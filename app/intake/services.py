"""Taking part on a resident's behalf, and the resident claiming it later.

Phone numbers go through the phone-verification package (``app.phones``): the same normalising, keyed
lookup hash and encryption; a claim needs a number verified by a one-time code. Services flush; the
view commits.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import audit
from app.auth.models import Consent, ConsentItem, Role, User, UserRole
from app.auth.services import NO_PASSWORD, _policy_version, needs_guardian
from app.core import DomainError, NotAllowed, utcnow
from app.extensions import db
from app.intake.models import IntakeChannel, IntakeKind, IntakeRecord
from app.intake.permissions import can_enter
from app.sql import insert_unless_exists, rowcount

NOTHING_TO_CLAIM = _l("Nothing entered with this phone number is waiting to be claimed.")
NO_SUCH_CONSULTATION = _l("Choose the consultation.")
NO_SUCH_LAB = _l("Choose the living lab.")


@dataclass
class ResidentData:
    """Who gave the participation and what they agreed to, as the staff member took it down."""

    name: str
    phone: str
    district: str
    birth_year: int
    channel: IntakeChannel
    consent_privacy: bool
    consent_texts: bool = False
    consent_note: str = ""
    guardian_name: str | None = None
    guardian_consent: bool = False


def resident_data(form) -> ResidentData:
    return ResidentData(
        name=form.resident_name.data or "", phone=form.phone.data or "", district=form.district.data or "",
        birth_year=form.birth_year.data, channel=IntakeChannel(form.channel.data),
        consent_privacy=bool(form.consent_privacy.data), consent_texts=bool(form.consent_texts.data),
        consent_note=form.consent_note.data or "", guardian_name=form.guardian_name.data or None,
        guardian_consent=bool(form.guardian_consent.data))


def _phones():
    from app.phones import numbers

    return numbers


def _check(actor: User, kind: IntakeKind, resident: ResidentData) -> dict:
    if not can_enter(actor, kind):
        raise NotAllowed(_l("You may not enter this on a resident's behalf."))
    name = (resident.name or "").strip()
    if not name:
        raise DomainError(_l("Enter the resident's name."), field="resident_name", status=422)
    if not resident.consent_privacy:
        raise DomainError(_l("Without the resident's consent to the collection of their name and phone number, "
                             "nothing can be entered."), field="consent_privacy", status=422)
    guardian = (resident.guardian_name or "").strip() or None
    if needs_guardian(resident.birth_year):
        if not guardian or not resident.guardian_consent:
            raise DomainError(_l("Residents under 14 need a guardian's name and consent."), field="guardian_name",
                              status=422)
    else:
        guardian = None
    numbers = _phones()
    number = numbers.normalise_phone(resident.phone)
    return {"resident_name": name[:50], "phone_encrypted": numbers.encrypt_phone(number),
            "phone_lookup": numbers.phone_lookup(number), "birth_year": resident.birth_year,
            "guardian_name": guardian, "channel": resident.channel, "consent_privacy": True,
            "consent_texts": bool(resident.consent_texts), "consent_note": (resident.consent_note or "").strip()[:200],
            "policy_version": _policy_version(), "entered_by_id": actor.id}


def _holder(details: dict, district: str) -> User:
    """The account that holds a proposal or application until the resident claims it: it cannot log in
    (inactive, no password), is never notified or counted as a member of the public, and shows the
    name the resident agreed to."""
    holder = User(email=f"intake-{secrets.token_hex(12)}@intake.invalid", password_hash=NO_PASSWORD,
                  display_name=details["resident_name"][:30], district=district, birth_year=details["birth_year"],
                  guardian_name=details["guardian_name"], active=False, role_rows=[UserRole(role=Role.RESIDENT)])
    db.session.add(holder)
    db.session.flush()
    db.session.add(Consent(user_id=holder.id, item=ConsentItem.PRIVACY, granted=True,
                           policy_version=details["policy_version"]))
    if details["guardian_name"]:
        db.session.add(Consent(user_id=holder.id, item=ConsentItem.GUARDIAN, granted=True,
                               policy_version=details["policy_version"], guardian_name=details["guardian_name"]))
    return holder


def _record(actor: User, kind: IntakeKind, details: dict, **values) -> IntakeRecord:
    record = IntakeRecord(kind=kind, **details, **values)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "intake.enter", "intake_record", record.id, kind=kind.value, channel=record.channel.value)
    return record


def enter_proposal(actor: User, resident: ResidentData, *, title: str, body: str, field_slug: str,
                   topic_slugs: list[str] | None = None, district: str | None = None) -> IntakeRecord:
    from app.proposals.services import proposal_url, submit_proposal

    details = _check(actor, IntakeKind.PROPOSAL, resident)
    holder = _holder(details, resident.district)
    proposal = submit_proposal(holder, title=title, body=body, field_slug=field_slug, topic_slugs=topic_slugs,
                               district=district or None)
    return _record(actor, IntakeKind.PROPOSAL, details, holder_id=holder.id, proposal_id=proposal.id,
                   title=proposal.title, url=proposal_url(proposal))


CONSULTATION_CHANNELS = {IntakeChannel.PHONE: "phone", IntakeChannel.PAPER: "paper", IntakeChannel.IN_PERSON: "paper"}


def enter_opinion(actor: User, resident: ResidentData, consultation, *, body: str, written_on: date) -> IntakeRecord:
    """Consultations take opinions without an account: the opinion is the consultation's own staff-entered
    kind (name and phone for the city), and the claim later sets its author."""
    from app.consultations.models import Channel
    from app.consultations.services import OpinionData, consultation_path
    from app.consultations.services import enter_opinion as enter_consultation_opinion

    details = _check(actor, IntakeKind.OPINION, resident)
    numbers = _phones()
    number = numbers.normalise_phone(resident.phone)
    opinion = enter_consultation_opinion(
        consultation, actor, OpinionData(name=details["resident_name"], body=body, phone=numbers.format_phone(number)),
        channel=Channel(CONSULTATION_CHANNELS[resident.channel]), written_on=written_on)
    return _record(actor, IntakeKind.OPINION, details, opinion_id=opinion.id, title=consultation.title,
                   url=consultation_path(consultation.id))


def enter_lab_application(actor: User, resident: ResidentData, lab, *, motivation: str, group,
                          today: date) -> IntakeRecord:
    from app.labs.services import labs as lab_services

    details = _check(actor, IntakeKind.LAB_APPLICATION, resident)
    holder = _holder(details, resident.district)
    membership = lab_services.apply(lab, holder, motivation=motivation, group=group, today=today)
    return _record(actor, IntakeKind.LAB_APPLICATION, details, holder_id=holder.id, membership_id=membership.id,
                   title=lab.title, url=lab_services.lab_url(lab))


# --- claiming ----------------------------------------------------------------------------------------

def waiting_for(number: str) -> list[IntakeRecord]:
    """Unclaimed records entered with this (normalised, verified) number, oldest first."""
    lookup = _phones().phone_lookup(number)  # an erased record's lookup is ERASED_PHONE: never matched
    return list(db.session.scalars(select(IntakeRecord).where(
        IntakeRecord.phone_lookup == lookup, IntakeRecord.claimed_at.is_(None)).order_by(IntakeRecord.id)))


def claim(user: User, number: str) -> list[IntakeRecord]:
    """Move every unclaimed record of ``number`` (verified by the caller with a one-time code, or the
    account's verified number) to ``user``. Each record is claimed once: one conditional UPDATE per record
    decides, so two concurrent claims never both move it. The same UPDATE erases the record's number: it was
    kept only for this claim (the account keeps its own verified number)."""
    from app.phones.numbers import ERASED_PHONE

    now = utcnow()
    lookup = _phones().phone_lookup(number)
    claimed = []
    for record in waiting_for(number):
        # Re-checks the number too: a purge that erased it since (unclaimed too long) wins.
        won = rowcount(db.session.execute(
            update(IntakeRecord).where(IntakeRecord.id == record.id, IntakeRecord.claimed_at.is_(None),
                                       IntakeRecord.phone_lookup == lookup)
            .values(claimed_at=now, claimed_by_id=user.id, phone_encrypted=ERASED_PHONE, phone_lookup=ERASED_PHONE)
            .execution_options(synchronize_session=False)))
        if won != 1:
            continue
        _move(record, user)
        claimed.append(record)
    if not claimed:
        raise DomainError(nothing_to_claim(), field="phone", status=404)
    db.session.flush()
    for record in claimed:
        db.session.refresh(record)
    audit.record(user, "intake.claim", "user", user.id, record_ids=[r.id for r in claimed])
    return claimed


def nothing_to_claim():
    """The refusal of a claim that finds nothing, which also says why an old entry cannot be found: its number
    was erased (nothing of it can tell whether this number had one, so the message is the same for all)."""
    from flask import current_app
    from flask_babel import LazyString, gettext

    def text() -> str:
        days = current_app.config["PRIVACY_RETENTION_DAYS"]["intake_unclaimed"]
        return " ".join((str(NOTHING_TO_CLAIM), gettext(
            "Entries not claimed within %(days)s days no longer keep the phone number and cannot be claimed; "
            "the community centre can tell you about them.", days=days)))

    return LazyString(text)  # lazy like every DomainError message


def _move(record: IntakeRecord, user: User) -> None:
    if record.kind is IntakeKind.OPINION and record.opinion_id is not None:
        from app.consultations.models import Opinion

        db.session.execute(update(Opinion).where(Opinion.id == record.opinion_id, Opinion.user_id.is_(None))
                           .values(user_id=user.id).execution_options(synchronize_session=False))
    elif record.kind is IntakeKind.PROPOSAL and record.proposal_id is not None:
        _move_proposal(record, user)
    elif record.kind is IntakeKind.LAB_APPLICATION and record.membership_id is not None:
        _move_membership(record, user)


def _move_proposal(record: IntakeRecord, user: User) -> None:
    from app.proposals.models import Follow, Proposal
    from app.proposals.services import index_proposal

    db.session.execute(update(Proposal).where(Proposal.id == record.proposal_id, Proposal.author_id == record.holder_id)
                       .values(author_id=user.id).execution_options(synchronize_session=False))
    insert_unless_exists(Follow, proposal_id=record.proposal_id, user_id=user.id, created_at=utcnow())
    proposal = db.session.get(Proposal, record.proposal_id)
    if proposal is not None:
        db.session.refresh(proposal)
        index_proposal(proposal)


def _move_membership(record: IntakeRecord, user: User) -> None:
    """The application, with its attendance and answers, becomes the resident's, unless they already
    applied to (or facilitate) the same lab themselves: then theirs stays and the entered one is closed."""
    from app.labs.models import Attendance, Lab, LabMembership, MembershipStatus, SessionRsvp

    membership = db.session.get(LabMembership, record.membership_id)
    if membership is None or membership.user_id != record.holder_id:
        return
    lab = db.session.get(Lab, membership.lab_id)
    own = db.session.scalar(select(LabMembership.id).where(LabMembership.lab_id == membership.lab_id,
                                                           LabMembership.user_id == user.id))
    if own is not None or (lab is not None and lab.is_facilitator(user)):
        membership.status = MembershipStatus.LEFT
        return
    membership.user_id = user.id
    for model in (Attendance, SessionRsvp):
        db.session.execute(update(model).where(model.user_id == record.holder_id).values(user_id=user.id)
                           .execution_options(synchronize_session=False))


def verify_and_claim(user: User, phone: str, code: str) -> list[IntakeRecord]:
    """Check the one-time code sent to ``phone`` for claiming, make it the account's verified number and
    claim what was entered with it."""
    from app.phones.services import attach_verified_phone, verify_code

    number = verify_code(phone, "claim", code)  # first, before this transaction writes anything
    attach_verified_phone(user, number)
    return claim(user, number)


def claim_with_account_phone(user: User) -> list[IntakeRecord]:
    from app.phones.services import phone_number

    number = phone_number(user)
    if number is None:
        raise DomainError(_l("Verify your phone number first."), field="phone", status=409)
    return claim(user, number)


def send_claim_code(phone: str, ip: str | None) -> None:
    """Text a one-time code for claiming. The answer is the same whether or not anything waits for this
    number (no one learns from it whether a neighbour gave an opinion)."""
    from app.phones.services import request_code

    request_code(phone, "claim", ip=ip)


# --- lists ---------------------------------------------------------------------------------------------

def records_query(actor: User, *, everyone: bool):
    query = select(IntakeRecord).order_by(IntakeRecord.id.desc())
    if not everyone:
        query = query.where(IntakeRecord.entered_by_id == actor.id)
    return query


def phone_of(record: IntakeRecord) -> str | None:
    """The resident's number for staff, or None once erased (claimed, or unclaimed past its retention)."""
    numbers = _phones()
    if record.phone_erased or numbers.is_erased(record.phone_encrypted):
        return None
    return numbers.format_phone(numbers.decrypt_phone(record.phone_encrypted))
