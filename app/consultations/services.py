"""Consultation use cases. Services check the rules, change data, write audit rows and notifications and
flush; the page, API endpoint or CLI command commits once. ``now`` is the server's UTC clock unless a test
passes another instant: the deadline is never taken from the client."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union, update

from app import audit
from app.auth.models import User
from app.consultations import guests
from app.consultations.clock import seoul_date, seoul_day_bounds, seoul_minute, utc_to_seoul
from app.consultations.models import (
    STAFF_CHANNELS,
    Channel,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    HearingRegistration,
    Opinion,
    OpinionTheme,
    RegistrationStatus,
)
from app.core import DomainError, utcnow
from app.extensions import db
from app.channels.texts import TextMessage, send_text
from app.jobs import enqueue, job, queue_configured
from app.mail import send_mail
from app.phones.numbers import decrypt_phone
from app.notifications.services import notify_selected
from app.policies import attachments

from app.policies.models import Policy
from app.search import SearchDocument, add_to_index, remove_from_index
from app.storage import storage
from app.text import plain_text
from app.urls import public_url

UPLOAD_AREA = "consultations"
DOC_TYPE = "consultation"

def consultation_path(consultation_id: int) -> str:
    return f"/consultations/{consultation_id}"

def purpose_key(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}"

@dataclass
class ConsultationData:
    title: str
    purpose: str
    department: str
    deadline_date: date
    deadline_time: time
    body: str = ""
    contact: str = ""
    paper_address: str = ""
    policy_id: int | None = None
    hearing_date: date | None = None
    hearing_start: time | None = None
    hearing_end: time | None = None
    hearing_place: str | None = None
    hearing_url: str | None = None
    hearing_capacity: int | None = None

@dataclass
class OpinionData:
    name: str
    body: str
    phone: str = ""
    affiliation: str = ""
    position: str = ""

def consultation_data(form) -> ConsultationData:
    hearing = bool(form.has_hearing.data)
    return ConsultationData(
        title=form.title.data, purpose=form.purpose.data, body=form.body.data or "",
        department=form.department.data, contact=form.contact.data or "", paper_address=form.paper_address.data or "",
        deadline_date=form.deadline_date.data, deadline_time=form.deadline_time.data, policy_id=form.policy_id.data,
        hearing_date=form.hearing_date.data if hearing else None,
        hearing_start=form.hearing_start.data if hearing else None,
        hearing_end=form.hearing_end.data if hearing else None,
        hearing_place=(form.hearing_place.data or "").strip() or None if hearing else None,
        hearing_url=(form.hearing_url.data or "").strip() or None if hearing else None,
        hearing_capacity=form.hearing_capacity.data if hearing else None,
    )

def opinion_data(form) -> OpinionData:
    return OpinionData(name=form.name.data, body=form.body.data, phone=form.phone.data or "",
                       affiliation=form.affiliation.data or "", position=form.position.data or "")

# Writing: the consultation ---------------------------------------------------------------------------

def _apply(consultation: Consultation, data: ConsultationData) -> None:
    if data.policy_id is not None and db.session.get(Policy, data.policy_id) is None:
        raise DomainError(_l("Choose one of the policies."), field="policy_id", status=422)
    consultation.title = data.title.strip()
    consultation.purpose = data.purpose.strip()
    consultation.body = (data.body or "").strip()
    consultation.department = data.department.strip()
    consultation.contact = (data.contact or "").strip()
    consultation.paper_address = (data.paper_address or "").strip()
    consultation.deadline_at = seoul_minute(data.deadline_date, data.deadline_time)
    consultation.policy_id = data.policy_id
    if data.hearing_date is not None:
        if data.hearing_start is None or data.hearing_end is None or data.hearing_end <= data.hearing_start:
            raise DomainError(_l("The hearing must end after it starts."), field="hearing_end", status=422)
        if not (data.hearing_place or data.hearing_url):
            raise DomainError(_l("Give the hearing's place or an online link."), field="hearing_place", status=422)
        if not data.hearing_capacity or data.hearing_capacity < 1:
            raise DomainError(_l("Enter the number of seats."), field="hearing_capacity", status=422)
        if data.hearing_capacity < registered_count(consultation):
            raise DomainError(_l("There are already more registrations than that many seats."),
                              field="hearing_capacity", status=422)
        consultation.hearing_starts_at = seoul_minute(data.hearing_date, data.hearing_start)
        consultation.hearing_ends_at = seoul_minute(data.hearing_date, data.hearing_end)
        consultation.hearing_place = data.hearing_place
        consultation.hearing_url = data.hearing_url
        consultation.hearing_capacity = data.hearing_capacity
    else:
        if consultation.id is not None and registered_count(consultation):
            raise DomainError(_l("People have registered for the hearing; it cannot be removed."),
                              field="has_hearing", status=409)
        consultation.hearing_starts_at = consultation.hearing_ends_at = None
        consultation.hearing_place = consultation.hearing_url = None
        consultation.hearing_capacity = None

def create_consultation(actor: User, data: ConsultationData) -> Consultation:
    consultation = Consultation(created_by_id=actor.id, status=ConsultationStatus.DRAFT)
    _apply(consultation, data)
    db.session.add(consultation)
    db.session.flush()
    audit.record(actor, "consultation.create", "consultation", consultation.id, title=consultation.title)
    index_consultation(consultation)
    return consultation

def edit_consultation(consultation: Consultation, actor: User, data: ConsultationData, now=None) -> Consultation:
    now = now or utcnow()
    consultation.ensure_editable_results()
    was_deadline = consultation.deadline_at
    _apply(consultation, data)
    if consultation.status is ConsultationStatus.OPEN and consultation.deadline_at != was_deadline \
            and now > was_deadline:
        raise DomainError(_l("The deadline has passed; it can no longer be moved."), field="deadline_date",
                          status=409)
    db.session.flush()
    audit.record(actor, "consultation.edit", "consultation", consultation.id, title=consultation.title,
                 deadline_at=consultation.deadline_at.isoformat())
    index_consultation(consultation)
    return consultation

def open_consultation(consultation: Consultation, actor: User, now=None) -> None:
    consultation.open(now or utcnow())
    db.session.flush()
    audit.record(actor, "consultation.open", "consultation", consultation.id)
    index_consultation(consultation)
    _notify_interested(consultation, actor)


def _notify_interested(consultation: Consultation, actor: User) -> None:
    """Residents who follow the linked policy's field, or the topics and districts of its proposals."""
    if consultation.policy_id is None:
        return
    from app.interests.services import NEW_CONSULTATION, notify_interested
    from app.policies.models import policy_proposals
    from app.proposals.models import Proposal, proposal_topic_links

    linked = select(policy_proposals.c.proposal_id).where(policy_proposals.c.policy_id == consultation.policy_id)
    notify_interested(
        NEW_CONSULTATION, consultation_path(consultation.id),
        field_ids=select(Policy.field_id).where(Policy.id == consultation.policy_id),
        topic_ids=select(proposal_topic_links.c.topic_id).where(proposal_topic_links.c.proposal_id.in_(linked)),
        districts=select(Proposal.district).where(Proposal.id.in_(linked)),
        exclude_user_ids=[actor.id], title=consultation.title)

def add_document(consultation: Consultation, actor: User, upload) -> ConsultationDocument:
    consultation.ensure_editable_results()
    checked = attachments.check_upload(upload, allowed=attachments.PDF_ONLY, field="document")
    if checked is None:
        raise DomainError(_l("Choose a PDF file to upload."), field="document", status=422)
    document = ConsultationDocument(consultation_id=consultation.id, name=checked.name, key=checked.key,
                                    size=checked.size)
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "consultation.document_add", "consultation", consultation.id, document_id=document.id,
                 name=document.name)
    attachments.save(checked, UPLOAD_AREA)  # last: a refused upload leaves no file behind
    return document

def remove_document(document: ConsultationDocument, actor: User) -> None:
    document.consultation.ensure_editable_results()
    key = document.key
    audit.record(actor, "consultation.document_remove", "consultation", document.consultation_id,
                 document_id=document.id, name=document.name)
    db.session.delete(document)
    db.session.flush()
    attachments.delete(key, UPLOAD_AREA)

def send_document(document: ConsultationDocument):
    """The document as a download (404 when the file is gone)."""
    return storage().send(attachments.storage_key(document.key, UPLOAD_AREA), mimetype="application/pdf",
                          as_attachment=True, download_name=document.name, max_age=3600)

# Writing: opinions -------------------------------------------------------------------------------------

def _clean(data: OpinionData) -> dict:
    body = (data.body or "").strip()
    name = (data.name or "").strip()
    if not body:
        raise DomainError(_l("Write your opinion."), field="body", status=422)
    if not name:
        raise DomainError(_l("Enter your name."), field="name", status=422)
    return {"body": body, "name": name[:50], "phone": (data.phone or "").strip()[:30],
            "affiliation": (data.affiliation or "").strip()[:100], "position": (data.position or "").strip()[:50]}

def submit_opinion(consultation: Consultation, data: OpinionData, *, user: User | None = None,
                   guest_email: str | None = None, guest_phone: str | None = None, now=None) -> Opinion:
    """An opinion sent online by an account holder, or by a guest whose email or mobile number was confirmed
    by a code (the number is kept encrypted, to text the results, with its keyed hash; never in clear).

    The deadline is checked against the server clock here, so pages and the API refuse alike."""
    now = now or utcnow()
    consultation.ensure_accepting(now)
    who: dict = {"user_id": user.id} if user is not None else guests.guest_columns(
        purpose_key(consultation), guest_email, guest_phone, now)
    opinion = Opinion(consultation_id=consultation.id, channel=Channel.ONLINE, written_on=seoul_date(now),
                      created_at=now, **who, **_clean(data))
    if not opinion.phone:
        raise DomainError(_l("Enter a phone number the city can call back."), field="phone", status=422)
    db.session.add(opinion)
    db.session.flush()
    audit.record(user, "consultation.opinion", "consultation", consultation.id, opinion_id=opinion.id,
                 channel=opinion.channel.value, guest=user is None)
    return opinion

def enter_opinion(consultation: Consultation, actor: User, data: OpinionData, *, channel: Channel,
                  written_on: date, now=None) -> Opinion:
    """Staff type in an opinion that came on paper, by phone or at the hearing, dated as written.

    A paper opinion dated after the deadline is refused like a late online one."""
    now = now or utcnow()
    if consultation.status is not ConsultationStatus.OPEN:
        raise DomainError(_l("Opinions can be entered only while the consultation is open."), status=409)
    if channel not in STAFF_CHANNELS:
        raise DomainError(_l("Choose how the opinion arrived."), field="channel", status=422)
    if written_on > consultation.deadline_seoul.date():
        raise DomainError(_l("This opinion is dated after the deadline."), field="written_on", status=409)
    if written_on > seoul_date(now):
        raise DomainError(_l("The date cannot be in the future."), field="written_on", status=422)
    opinion = Opinion(consultation_id=consultation.id, channel=channel, entered_by_id=actor.id,
                      written_on=written_on, created_at=now, **_clean(data))
    db.session.add(opinion)
    db.session.flush()
    audit.record(actor, "consultation.opinion_entered", "consultation", consultation.id, opinion_id=opinion.id,
                 channel=channel.value)
    return opinion

# Writing: themes, responses and results -----------------------------------------------------------------

def _ensure_grouping(consultation: Consultation, now) -> None:
    consultation.ensure_editable_results()
    if not consultation.closed(now):
        raise DomainError(_l("Opinions are grouped after the deadline."), status=409)

def add_theme(consultation: Consultation, actor: User, title: str, response: str = "", now=None) -> OpinionTheme:
    _ensure_grouping(consultation, now or utcnow())
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Name the theme."), field="title", status=422)
    theme = OpinionTheme(consultation_id=consultation.id, title=title[:200], response=(response or "").strip(),
                         position=len(consultation.themes))
    consultation.themes.append(theme)
    db.session.flush()
    audit.record(actor, "consultation.theme_add", "consultation", consultation.id, theme_id=theme.id)
    return theme

def edit_theme(theme: OpinionTheme, actor: User, title: str, response: str, now=None) -> OpinionTheme:
    _ensure_grouping(theme.consultation, now or utcnow())
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Name the theme."), field="title", status=422)
    theme.title, theme.response = title[:200], (response or "").strip()
    db.session.flush()
    audit.record(actor, "consultation.theme_edit", "consultation", theme.consultation_id, theme_id=theme.id)
    return theme

def assign_opinions(consultation: Consultation, actor: User, opinion_ids, theme_id: int | None, now=None) -> int:
    """Put the chosen opinions under a theme (or take them out with None), in one UPDATE."""
    _ensure_grouping(consultation, now or utcnow())
    ids = sorted(set(opinion_ids or []))
    if not ids:
        raise DomainError(_l("Choose at least one opinion."), field="opinion_ids", status=422)
    if theme_id is not None and theme_id not in {t.id for t in consultation.themes}:
        raise DomainError(_l("Choose a theme of this consultation."), field="theme_id", status=422)
    known = db.session.scalar(select(func.count()).select_from(Opinion).where(
        Opinion.consultation_id == consultation.id, Opinion.id.in_(ids)))
    if known != len(ids):
        raise DomainError(_l("Choose opinions of this consultation."), field="opinion_ids", status=422)
    db.session.execute(update(Opinion).where(Opinion.consultation_id == consultation.id, Opinion.id.in_(ids))
                       .values(theme_id=theme_id).execution_options(synchronize_session=False))
    audit.record(actor, "consultation.assign", "consultation", consultation.id, opinion_ids=ids, theme_id=theme_id)
    return len(ids)

def unthemed_count(consultation: Consultation) -> int:
    return db.session.scalar(select(func.count()).select_from(Opinion).where(
        Opinion.consultation_id == consultation.id, Opinion.theme_id.is_(None)))

def participant_audience(consultation: Consultation):
    """Distinct ids of accounts that sent an opinion or registered for the hearing."""
    opinions = select(Opinion.user_id.label("user_id")).where(
        Opinion.consultation_id == consultation.id, Opinion.user_id.is_not(None))
    registrations = select(HearingRegistration.user_id.label("user_id")).where(
        HearingRegistration.consultation_id == consultation.id,
        HearingRegistration.status != RegistrationStatus.CANCELLED)
    audience = union(opinions, registrations).subquery()
    return select(audience.c.user_id).distinct()

def publish_results(consultation: Consultation, actor: User, summary: str, now=None) -> int:
    """Publish the themes and responses; notify every participating account in one INSERT … SELECT and
    mail every guest who confirmed an address. Returns how many people were told."""
    now = now or utcnow()
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_l("Write a short summary of the results."), field="results_summary", status=422)
    consultation.publish_results(now, unthemed=unthemed_count(consultation))
    consultation.results_summary = summary
    db.session.flush()
    audit.record(actor, "consultation.results", "consultation", consultation.id)
    audience = participant_audience(consultation)
    # Counted apart: psycopg reports no rowcount for this INSERT … SELECT.
    told = db.session.scalar(select(func.count()).select_from(audience.subquery()))
    notify_selected(audience, "consultation_results", f"{consultation_path(consultation.id)}#results",
                    title=consultation.title)
    guest_emails = list(db.session.scalars(select(Opinion.guest_email).where(
        Opinion.consultation_id == consultation.id, Opinion.guest_email.is_not(None)).distinct()))
    for email in guest_emails:
        send_mail(email, _("Results of the consultation “%(title)s”", title=consultation.title),
                  _("The city has published its responses to the opinions on “%(title)s”: %(url)s",
                    title=consultation.title, url=consultation_path(consultation.id)))
    texted = text_guest_phones(consultation)
    index_consultation(consultation)
    return told + len(guest_emails) + texted


def text_guest_phones(consultation: Consultation) -> int:
    """Text the results to each distinct mobile number a guest confirmed (one text per number, however many
    opinions). Queued with Redis (retried with back-off after the commit); sent at once without, where a
    failure is only logged: the publication never waits on the provider."""
    rows = db.session.execute(select(Opinion.guest_phone_lookup, func.min(Opinion.guest_phone_encrypted)).where(
        Opinion.consultation_id == consultation.id, Opinion.guest_phone_lookup.is_not(None),
        Opinion.guest_phone_encrypted.is_not(None))  # not numbers retention erased (results published late)
        .group_by(Opinion.guest_phone_lookup)).all()
    text = _("[Maeul] The city has published its responses to the opinions on “%(title)s”: %(url)s",
             title=consultation.title, url=public_url(consultation_path(consultation.id)))
    for lookup, encrypted in rows:
        reference = f"consultation-results-{consultation.id}-{lookup[:16]}"
        if queue_configured():
            enqueue("app.consultations.services:send_results_text", encrypted, text, reference, after_commit=True)
        else:
            send_results_text(encrypted, text, reference, retry=False)
    return len(rows)


@job
def send_results_text(phone_encrypted: str, text: str, reference: str, retry: bool = True) -> str:
    """Send one results text; a failure raises for the queue to try again (the same reference, which the
    provider uses as its Idempotency-Key), unless ``retry`` is off; a refusal is final and only logged."""
    result = send_text(TextMessage(to=decrypt_phone(phone_encrypted), text=text, reference=reference))
    if result.outcome != "sent":
        current_app.logger.warning("Results text %s: %s %s", result.outcome, result.error_code, result.detail)
        if result.outcome == "failed" and retry:
            raise ResultsTextNotSent(f"{result.error_code}: {result.detail}")
    return result.outcome


class ResultsTextNotSent(Exception):
    """The provider did not take a results text; the job queue tries again with back-off."""

# Hearing registration -------------------------------------------------------------------------------------

def registered_count(consultation: Consultation) -> int:
    if consultation.id is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(HearingRegistration).where(
        HearingRegistration.consultation_id == consultation.id,
        HearingRegistration.status == RegistrationStatus.REGISTERED))

def _lock(consultation: Consultation) -> None:
    """Serialise seat decisions per consultation (a PostgreSQL row lock; SQLite serialises writers)."""
    db.session.execute(select(Consultation.id).where(Consultation.id == consultation.id).with_for_update())

def registration_of(consultation: Consultation, user) -> HearingRegistration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(HearingRegistration).where(
        HearingRegistration.consultation_id == consultation.id, HearingRegistration.user_id == user.id))

def register_for_hearing(consultation: Consultation, user: User, now=None) -> HearingRegistration:
    """A seat while there is one, otherwise a place on the waitlist. Registering twice changes nothing."""
    now = now or utcnow()
    if not consultation.has_hearing:
        raise DomainError(_l("This consultation has no hearing."), status=404)
    if consultation.status is not ConsultationStatus.OPEN or now >= consultation.hearing_starts_at:
        raise DomainError(_l("Registration for this hearing is closed."), status=409)
    _lock(consultation)
    registration = registration_of(consultation, user)
    if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
        return registration
    seat = registered_count(consultation) < consultation.hearing_capacity
    status = RegistrationStatus.REGISTERED if seat else RegistrationStatus.WAITLISTED
    if registration is None:
        registration = HearingRegistration(consultation_id=consultation.id, user_id=user.id, created_at=now)
        db.session.add(registration)
    registration.status = status
    registration.waitlisted_at = None if seat else now
    registration.reminded_at = None
    db.session.flush()
    audit.record(user, "consultation.hearing_register", "consultation", consultation.id, status=status.value)
    return registration

def cancel_registration(consultation: Consultation, user: User, now=None) -> HearingRegistration | None:
    """Give up a seat (the first on the waitlist moves up and is told) or a waitlist place."""
    now = now or utcnow()
    _lock(consultation)
    registration = registration_of(consultation, user)
    if registration is None or registration.status is RegistrationStatus.CANCELLED:
        raise DomainError(_l("You are not registered for this hearing."), status=409)
    if now >= consultation.hearing_starts_at:
        raise DomainError(_l("The hearing has started; registrations no longer change."), status=409)
    had_seat = registration.status is RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlisted_at = None
    db.session.flush()
    audit.record(user, "consultation.hearing_cancel", "consultation", consultation.id)
    promoted = promote_waitlisted(consultation) if had_seat else None
    return promoted

def promote_waitlisted(consultation: Consultation) -> HearingRegistration | None:
    if registered_count(consultation) >= consultation.hearing_capacity:
        return None
    first = db.session.scalar(select(HearingRegistration).where(
        HearingRegistration.consultation_id == consultation.id,
        HearingRegistration.status == RegistrationStatus.WAITLISTED)
        .order_by(HearingRegistration.waitlisted_at, HearingRegistration.id).limit(1))
    if first is None:
        return None
    first.status = RegistrationStatus.REGISTERED
    first.waitlisted_at = None
    db.session.flush()
    notify_selected(select(HearingRegistration.user_id).where(HearingRegistration.id == first.id),
                    "hearing_seat", f"{consultation_path(consultation.id)}#hearing", title=consultation.title)
    return first

def send_hearing_reminders(now=None) -> int:
    """Remind everyone with a seat at a hearing that starts on the next Korean calendar day.

    Idempotent: each registration is claimed by one UPDATE … WHERE reminded_at IS NULL before its
    notification is written, so running the command twice (or on two machines) reminds nobody twice."""
    now = now or utcnow()
    start, end = seoul_day_bounds(seoul_date(now) + timedelta(days=1))
    hearings = list(db.session.scalars(select(Consultation).where(
        Consultation.status == ConsultationStatus.OPEN, Consultation.hearing_starts_at >= start,
        Consultation.hearing_starts_at < end).order_by(Consultation.id)))
    reminded = 0
    for consultation in hearings:
        due = select(HearingRegistration.id).where(
            HearingRegistration.consultation_id == consultation.id,
            HearingRegistration.status == RegistrationStatus.REGISTERED,
            HearingRegistration.reminded_at.is_(None))
        claimed = list(db.session.scalars(
            update(HearingRegistration)
            .where(HearingRegistration.id.in_(due), HearingRegistration.reminded_at.is_(None))
            .values(reminded_at=now).returning(HearingRegistration.user_id)
            .execution_options(synchronize_session=False)))
        if claimed:
            when = consultation.hearing_starts_at
            reminded += len(claimed)
            notify_selected(
                select(User.id).where(User.id.in_(claimed)), "hearing_reminder",
                f"{consultation_path(consultation.id)}#hearing", title=consultation.title,
                time=utc_to_seoul(when).strftime("%H:%M"),
                place=consultation.hearing_place or consultation.hearing_url or "")
    return reminded

# Search ------------------------------------------------------------------------------------------------------

def _document(consultation: Consultation) -> SearchDocument:
    return SearchDocument(type=DOC_TYPE, id=consultation.id, title=consultation.title,
                          body=f"{consultation.purpose}\n{plain_text(consultation.body)}\n{consultation.department}"
                               f"\n{consultation.results_summary}",
                          url=consultation_path(consultation.id))

def index_consultation(consultation: Consultation) -> None:
    """Drafts are not searchable; published consultations are."""
    if consultation.status is ConsultationStatus.DRAFT:
        remove_from_index(DOC_TYPE, consultation.id)
    else:
        add_to_index(_document(consultation))

def search_documents():
    for consultation in db.session.scalars(select(Consultation).where(
            Consultation.status != ConsultationStatus.DRAFT).order_by(Consultation.id)).yield_per(500):
        yield _document(consultation)

def count_searchable() -> int:
    return db.session.scalar(select(func.count()).select_from(Consultation).where(
        Consultation.status != ConsultationStatus.DRAFT))

