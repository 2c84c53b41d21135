"""Survey use cases: building (sections, questions, respondent questions), publishing and closing, answering
(one response per account or confirmed email, changeable until the close), quick polls. Services flush; the
caller commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from app import audit
from app.auth.models import User
from app.consultations import guests
from app.consultations.clock import seoul_to_utc
from app.phones.numbers import normalise_phone, phone_lookup
from app.core import DomainError, ValidationFailed, utcnow
from app.extensions import db
from app.search import SearchDocument, add_to_index, remove_from_index
from app.sql import insert_unless_exists
from app.surveys.demographics import QUESTIONS
from app.surveys.models import (
    Audience,
    Demographic,
    QuestionKind,
    SCALE,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
    SurveyStatus,
)

DOC_TYPE = "survey"
SHORT_TEXT_MAX, LONG_TEXT_MAX = 200, 5000
POLL_TARGETS = ("proposal", "policy_update")


def survey_path(survey_id: int) -> str:
    return f"/surveys/{survey_id}"


def purpose_key(survey: Survey) -> str:
    return f"survey:{survey.id}"


@dataclass
class SurveyData:
    title: str
    opens_at: datetime  # naive UTC
    closes_at: datetime
    description: str = ""
    consent_notice: str = ""
    audience: Audience = Audience.RESIDENTS
    lab_id: int | None = None


def survey_data(form) -> SurveyData:
    """A SurveyForm's input (dates in Korea time) as SurveyData (UTC), for the page and the API alike."""
    return SurveyData(
        title=form.title.data, description=form.description.data or "", consent_notice=form.consent_notice.data or "",
        audience=Audience(form.audience.data), lab_id=form.lab_id.data,
        opens_at=seoul_to_utc(form.opens_at.data), closes_at=seoul_to_utc(form.closes_at.data))


# Building -------------------------------------------------------------------------------------------------

def _apply(survey: Survey, data: SurveyData) -> None:
    from app.labs.models import Lab

    title = (data.title or "").strip()
    if not title:
        raise DomainError(_l("Enter a title."), field="title", status=422)
    if data.closes_at <= data.opens_at:
        raise DomainError(_l("The survey must close after it opens."), field="closes_at", status=422)
    if data.audience is Audience.LAB:
        if data.lab_id is None or db.session.get(Lab, data.lab_id) is None:
            raise DomainError(_l("Choose the living lab whose members may answer."), field="lab_id", status=422)
    survey.title = title[:200]
    survey.description = (data.description or "").strip()
    survey.consent_notice = (data.consent_notice or "").strip()
    survey.audience = data.audience
    survey.lab_id = data.lab_id if data.audience is Audience.LAB else None
    survey.opens_at, survey.closes_at = data.opens_at, data.closes_at


def create_survey(actor: User, data: SurveyData) -> Survey:
    survey = Survey(kind=SurveyKind.SURVEY, status=SurveyStatus.DRAFT, created_by_id=actor.id, response_count=0)
    _apply(survey, data)
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.create", "survey", survey.id, title=survey.title)
    return survey


def edit_survey(survey: Survey, actor: User, data: SurveyData) -> Survey:
    if survey.status is SurveyStatus.CLOSED:
        raise DomainError(_l("A closed survey can no longer change."), status=409)
    changes_audience = data.audience is not survey.audience or data.lab_id != survey.lab_id
    if survey.status is SurveyStatus.PUBLISHED and changes_audience:
        raise DomainError(_l("Who may answer cannot change once the survey is published."), field="audience",
                          status=409)
    _apply(survey, data)
    db.session.flush()
    audit.record(actor, "survey.edit", "survey", survey.id)
    index_survey(survey)
    return survey


def add_section(survey: Survey, actor: User, title: str, description: str = "") -> SurveySection:
    survey.ensure_draft()
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Name the section."), field="title", status=422)
    section = SurveySection(title=title[:200], description=(description or "").strip(), position=len(survey.sections))
    survey.sections.append(section)
    db.session.flush()
    audit.record(actor, "survey.section_add", "survey", survey.id, section_id=section.id)
    return section


def add_question(survey: Survey, actor: User, *, kind: QuestionKind, text: str, required: bool = False,
                 options=(), section_id: int | None = None, demographic: Demographic | None = None) -> SurveyQuestion:
    survey.ensure_draft()
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write the question."), field="text", status=422)
    if section_id is not None and section_id not in {s.id for s in survey.sections}:
        raise DomainError(_l("Choose a section of this survey."), field="section_id", status=422)
    labels = [label.strip()[:200] for label in options if label and label.strip()]
    if kind.has_options:
        if len(labels) < 2:
            raise DomainError(_l("Give at least two options, one a line."), field="options", status=422)
        if len(set(labels)) != len(labels):
            raise DomainError(_l("Two options have the same text."), field="options", status=422)
        if len(labels) > 30:
            raise DomainError(_l("At most 30 options."), field="options", status=422)
    else:
        labels = []
    question = SurveyQuestion(kind=kind, text=text[:500], required=bool(required) and demographic is None,
                              section_id=section_id, demographic=demographic, position=len(survey.questions))
    question.options = [SurveyOption(position=i, label=label) for i, label in enumerate(labels)]
    survey.questions.append(question)
    db.session.flush()
    audit.record(actor, "survey.question_add", "survey", survey.id, question_id=question.id, kind=kind.value)
    return question


def add_demographic(survey: Survey, actor: User, demographic: Demographic,
                    section_id: int | None = None) -> SurveyQuestion:
    """Add one of the respondent questions with its fixed options; always optional, behind the consent notice."""
    if any(q.demographic is demographic for q in survey.questions):
        raise DomainError(_l("This respondent question is already in the survey."), field="demographic", status=409)
    text, options = QUESTIONS[demographic]
    return add_question(survey, actor, kind=QuestionKind.SINGLE, text=text, options=options, section_id=section_id,
                        demographic=demographic)


def remove_question(question: SurveyQuestion, actor: User) -> None:
    survey = question.survey
    survey.ensure_draft()
    survey.questions.remove(question)
    for position, remaining in enumerate(survey.questions):
        remaining.position = position
    db.session.flush()
    audit.record(actor, "survey.question_remove", "survey", survey.id, question_id=question.id)


def publish_survey(survey: Survey, actor: User, now=None) -> None:
    survey.publish(now or utcnow())
    db.session.flush()
    audit.record(actor, "survey.publish", "survey", survey.id)
    index_survey(survey)


def close_survey(survey: Survey, actor: User, now=None) -> None:
    survey.close(now or utcnow())
    db.session.flush()
    audit.record(actor, "survey.close", "survey", survey.id)


# Quick polls ----------------------------------------------------------------------------------------------

def create_poll(actor: User, *, target_type: str, target_id: int, question: str, options, closes_at: datetime,
                now=None) -> Survey:
    """A one-question poll on a proposal or a policy update, open at once to logged-in residents."""
    now = now or utcnow()
    if target_type not in POLL_TARGETS or load_target(target_type, target_id) is None:
        raise DomainError(_l("A poll belongs to a proposal or a policy update."), field="target_id", status=422)
    poll = Survey(kind=SurveyKind.POLL, status=SurveyStatus.DRAFT, created_by_id=actor.id, response_count=0,
                  target_type=target_type, target_id=target_id)
    _apply(poll, SurveyData(title=question, opens_at=now, closes_at=closes_at, audience=Audience.RESIDENTS))
    db.session.add(poll)
    db.session.flush()
    add_question(poll, actor, kind=QuestionKind.SINGLE, text=question, required=True, options=options)
    publish_survey(poll, actor, now)
    return poll


def load_target(target_type: str, target_id: int):
    from app.policies.models import PolicyUpdate
    from app.proposals.models import Proposal

    model = {"proposal": Proposal, "policy_update": PolicyUpdate}.get(target_type)
    return db.session.get(model, target_id) if model else None


def target_url(survey: Survey) -> str | None:
    target = load_target(survey.target_type, survey.target_id) if survey.target_type else None
    if target is None:
        return None
    if survey.target_type == "proposal":
        return f"/proposals/{target.id}"
    return f"/policies/{target.policy_id}/updates/{target.id}"


def polls_for(target_type: str, target_id: int) -> list[Survey]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(select(Survey).where(
        Survey.kind == SurveyKind.POLL, Survey.target_type == target_type, Survey.target_id == target_id,
        Survey.status != SurveyStatus.DRAFT)
        .options(selectinload(Survey.questions).selectinload(SurveyQuestion.options))
        .order_by(Survey.id)))


# Answering ------------------------------------------------------------------------------------------------

def normalise_answers(raw: dict) -> dict[int, list[str]]:
    """{question id: value(s)} from a form or JSON into {int id: [strings]}; malformed keys are refused."""
    answers: dict[int, list[str]] = {}
    for key, value in (raw or {}).items():
        key = str(key).removeprefix("q")
        if not key.isdigit():
            raise ValidationFailed({"answers": [_l("Answers are keyed by question id.")]})
        values = value if isinstance(value, list) else [value]
        answers[int(key)] = [str(v).strip() for v in values if v is not None and not isinstance(v, (dict, list))
                             and str(v).strip() != ""]
    return answers


def _check(survey: Survey, answers: dict[int, list[str]], consent: bool) -> list[dict]:
    """Check every answer against its question; returns answer rows or raises every error at once."""
    questions = {q.id: q for q in survey.questions}
    errors: dict[str, list] = {}
    rows: list[dict] = []
    for qid in answers:
        if qid not in questions:
            errors[f"q{qid}"] = [_l("There is no such question in this survey.")]
    for question in survey.questions:
        values = answers.get(question.id, [])
        key = f"q{question.id}"
        if not values:
            if question.required:
                errors[key] = [_l("Answer this question.")]
            continue
        if question.demographic is not None and not consent:
            errors["consent"] = [_l("Agree to the notice to answer the respondent questions, or leave them blank.")]
            continue
        if question.kind.has_options:
            option_ids = {str(o.id): o.id for o in question.options}
            if any(v not in option_ids for v in values) or len(set(values)) != len(values):
                errors[key] = [_l("Choose one of the options.")]
            elif question.kind is QuestionKind.SINGLE and len(values) > 1:
                errors[key] = [_l("Choose only one option.")]
            else:
                rows.extend({"question_id": question.id, "option_id": option_ids[v]} for v in values)
        elif question.kind is QuestionKind.SCALE:
            if len(values) != 1 or not values[0].isdigit() or int(values[0]) not in SCALE:
                errors[key] = [_l("Choose a number from 1 to 5.")]
            else:
                rows.append({"question_id": question.id, "value": int(values[0])})
        else:
            limit = SHORT_TEXT_MAX if question.kind is QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
            text = "\n".join(values)
            if len(text) > limit:
                errors[key] = [_l("At most %(count)s characters.", count=limit)]
            else:
                rows.append({"question_id": question.id, "text": text})
    if errors:
        raise ValidationFailed(errors)
    return rows


def ensure_respondent(survey: Survey, user, guest_email: str | None, lab_member: bool, now,
                      guest_phone: str | None = None) -> dict:
    """Refuse a respondent the survey's audience does not allow; the respondent's columns otherwise."""
    from app.surveys.permissions import ANSWER_RULES, GUEST, respondent_kinds

    survey.ensure_open(now)
    kinds = respondent_kinds(user, lab_member)
    if not ANSWER_RULES[survey.audience] & kinds:
        if survey.audience is Audience.LAB:
            raise DomainError(_l("Only members of the living lab can answer this survey."), status=403)
        raise DomainError(_l("Log in to answer this survey."), status=403)
    if GUEST in kinds:
        return guests.guest_columns(purpose_key(survey), guest_email, guest_phone, now)
    return {"user_id": user.id}


def submit_response(survey: Survey, raw_answers: dict, *, user: User | None = None, guest_email: str | None = None,
                    guest_phone: str | None = None, consent: bool = False, lab_member: bool = False,
                    now=None) -> SurveyResponse:
    """Save the respondent's answers, replacing earlier ones: one response per account, confirmed email or
    confirmed mobile number (kept only encrypted, found by its keyed hash).

    The response row is claimed with INSERT … ON CONFLICT DO NOTHING on the unique (survey, respondent), so two
    concurrent first answers cannot make two responses, and ``response_count`` rises only for a new one."""
    now = now or utcnow()
    who = ensure_respondent(survey, user, guest_email, lab_member, now, guest_phone)
    rows = _check(survey, normalise_answers(raw_answers), consent)
    if not rows:
        raise ValidationFailed({"answers": [_l("Answer at least one question.")]})
    created = insert_unless_exists(SurveyResponse, survey_id=survey.id, created_at=now, updated_at=now, **who)
    key = {k: v for k, v in who.items() if k != "guest_phone_encrypted"}  # Fernet text differs each time
    response = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, *[
        getattr(SurveyResponse, k) == v for k, v in key.items()]).with_for_update())
    if created:
        db.session.execute(update(Survey).where(Survey.id == survey.id)
                           .values(response_count=Survey.response_count + 1)
                           .execution_options(synchronize_session=False))
        db.session.expire(survey, ["response_count"])
    db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    db.session.execute(insert(SurveyAnswer), [{"response_id": response.id, "option_id": None, "value": None,
                                               "text": None, **row} for row in rows])
    response.updated_at = now
    response.consented_at = (response.consented_at or now) if consent and survey.has_demographics else None
    db.session.flush()
    return response


def response_of(survey: Survey, user=None, guest_email: str | None = None,
                guest_phone: str | None = None) -> SurveyResponse | None:
    if user is not None and getattr(user, "is_authenticated", False):
        condition = SurveyResponse.user_id == user.id
    elif guest_email:
        condition = SurveyResponse.guest_email == guests.normalise_email(guest_email)
    elif guest_phone:
        condition = SurveyResponse.guest_phone_lookup == phone_lookup(normalise_phone(guest_phone))
    else:
        return None
    return db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, condition))


def answers_of(response: SurveyResponse | None) -> dict[int, list[str]]:
    """The respondent's current answers as form values, to fill the form when they come back to change them."""
    if response is None:
        return {}
    current: dict[int, list[str]] = {}
    for answer in db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
                                     .order_by(SurveyAnswer.id)):
        value = answer.option_id if answer.option_id is not None else answer.value if answer.value is not None \
            else answer.text
        current.setdefault(answer.question_id, []).append(str(value))
    return current


def is_lab_member(survey: Survey, user) -> bool:
    from app.labs.models import LabMembership, MembershipStatus

    if survey.lab_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(func.count()).select_from(LabMembership).where(
        LabMembership.lab_id == survey.lab_id, LabMembership.user_id == user.id,
        LabMembership.status == MembershipStatus.ACCEPTED)) > 0


# Search ---------------------------------------------------------------------------------------------------

def _document(survey: Survey) -> SearchDocument:
    return SearchDocument(type=DOC_TYPE, id=survey.id, title=survey.title,
                          body=f"{survey.description}\n" + "\n".join(q.text for q in survey.questions),
                          url=survey_path(survey.id))


def index_survey(survey: Survey) -> None:
    if survey.status is SurveyStatus.DRAFT or survey.kind is SurveyKind.POLL:
        remove_from_index(DOC_TYPE, survey.id)
    else:
        add_to_index(_document(survey))


def _searchable():
    return select(Survey).where(Survey.status != SurveyStatus.DRAFT, Survey.kind == SurveyKind.SURVEY)


def search_documents():
    for survey in db.session.scalars(_searchable().order_by(Survey.id)).yield_per(200):
        yield _document(survey)


def count_searchable() -> int:
    return db.session.scalar(select(func.count()).select_from(_searchable().subquery()))
