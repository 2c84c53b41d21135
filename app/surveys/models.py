"""Surveys (설문) and quick polls: sections, questions of five kinds, optional demographic questions behind a
consent notice, one response per account (or per confirmed email) that can change until the survey closes.

A quick poll is a survey of kind ``poll`` with one single-choice question, attached to a proposal or a policy
progress update (``target_type``/``target_id``)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import DomainError, utcnow
from app.extensions import db
from app.sql import value_enum


class SurveyKind(enum.Enum):
    SURVEY = "survey"
    POLL = "poll"


class SurveyStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"  # answerable between opens_at and closes_at
    CLOSED = "closed"

    @property
    def label(self):
        return SURVEY_STATUS_LABELS[self]


SURVEY_STATUS_LABELS = {
    SurveyStatus.DRAFT: _l("Draft"),
    SurveyStatus.PUBLISHED: _l("Published"),
    SurveyStatus.CLOSED: _l("Closed"),
}


class Audience(enum.Enum):
    EVERYONE = "everyone"    # also people without an account, with an email code
    RESIDENTS = "residents"  # logged-in accounts
    LAB = "lab"              # accepted members of one living lab

    @property
    def label(self):
        return AUDIENCE_LABELS[self]


AUDIENCE_LABELS = {
    Audience.EVERYONE: _l("Everyone (people without an account confirm an email address)"),
    Audience.RESIDENTS: _l("Logged-in residents"),
    Audience.LAB: _l("Members of a living lab"),
}


class QuestionKind(enum.Enum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"  # 1 to 5
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"

    @property
    def label(self):
        return QUESTION_KIND_LABELS[self]

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

    @property
    def is_text(self) -> bool:
        return self in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


QUESTION_KIND_LABELS = {
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.SCALE: _l("Scale of 1 to 5"),
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
}
SCALE = range(1, 6)


class Demographic(enum.Enum):
    """The respondent questions of the Asan resident survey (003:375): district, years lived there, sex, age."""

    DISTRICT = "district"
    YEARS = "years"
    SEX = "sex"
    AGE = "age"

    @property
    def label(self):
        return DEMOGRAPHIC_LABELS[self]


DEMOGRAPHIC_LABELS = {
    Demographic.DISTRICT: _l("District"),
    Demographic.YEARS: _l("Years lived in the city"),
    Demographic.SEX: _l("Sex"),
    Demographic.AGE: _l("Age band"),
}


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("audience != 'lab' OR lab_id IS NOT NULL", name="lab_audience_has_lab"),
        Index("ix_surveys_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SurveyKind] = mapped_column(value_enum(SurveyKind), default=SurveyKind.SURVEY, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    consent_notice: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SurveyStatus] = mapped_column(value_enum(SurveyStatus), default=SurveyStatus.DRAFT, index=True)
    audience: Mapped[Audience] = mapped_column(value_enum(Audience), default=Audience.RESIDENTS)
    lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id", ondelete="SET NULL"), index=True)
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    target_type: Mapped[str | None] = mapped_column(String(30))  # quick polls: "proposal" or "policy_update"
    target_id: Mapped[int | None] = mapped_column(Integer)
    response_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    sections: Mapped[list["SurveySection"]] = relationship(
        back_populates="survey", order_by="SurveySection.position", cascade="all, delete-orphan")
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan")

    @property
    def has_demographics(self) -> bool:
        return any(q.demographic is not None for q in self.questions)

    def is_open(self, now: datetime) -> bool:
        return self.status is SurveyStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    def is_closed(self, now: datetime) -> bool:
        return self.status is SurveyStatus.CLOSED or (self.status is SurveyStatus.PUBLISHED and now >= self.closes_at)

    def ensure_open(self, now: datetime) -> None:
        if self.status is SurveyStatus.DRAFT or (self.status is SurveyStatus.PUBLISHED and now < self.opens_at):
            raise DomainError(_l("This survey is not open yet."), status=409)
        if self.is_closed(now):
            raise DomainError(_l("This survey is closed; answers can no longer be given or changed."), status=409)

    def ensure_draft(self) -> None:
        if self.status is not SurveyStatus.DRAFT:
            raise DomainError(_l("Questions can change only while the survey is a draft."), status=409)

    def publish(self, now: datetime) -> None:
        self.ensure_draft()
        if not self.questions:
            raise DomainError(_l("Add at least one question first."), status=409)
        if any(q.kind.has_options and len(q.options) < 2 for q in self.questions):
            raise DomainError(_l("Every choice question needs at least two options."), status=409)
        if self.has_demographics and not self.consent_notice.strip():
            raise DomainError(_l("Write the consent notice for the respondent questions first."),
                              field="consent_notice", status=409)
        if self.closes_at <= now:
            raise DomainError(_l("The closing time must be in the future."), field="closes_on", status=409)
        self.status = SurveyStatus.PUBLISHED

    def close(self, now: datetime) -> None:
        if self.status is not SurveyStatus.PUBLISHED:
            raise DomainError(_l("Only a published survey can be closed."), status=409)
        self.status = SurveyStatus.CLOSED
        self.closed_at = now
        self.closes_at = min(self.closes_at, now)


class SurveySection(db.Model):
    __tablename__ = "survey_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship(back_populates="sections")


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("survey_sections.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(value_enum(QuestionKind))
    text: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    demographic: Mapped[Demographic | None] = mapped_column(value_enum(Demographic))

    survey: Mapped[Survey] = relationship(back_populates="questions")
    section: Mapped[SurveySection | None] = relationship()
    options: Mapped[list["SurveyOption"]] = relationship(
        back_populates="question", order_by="SurveyOption.position", cascade="all, delete-orphan")


class SurveyOption(db.Model):
    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))

    question: Mapped[SurveyQuestion] = relationship(back_populates="options")


class SurveyResponse(db.Model):
    """One respondent's answers. Unique per account, per confirmed guest address and per confirmed guest phone."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        UniqueConstraint("survey_id", "guest_email"),
        UniqueConstraint("survey_id", "guest_phone_lookup"),
        CheckConstraint("user_id IS NOT NULL OR guest_email IS NOT NULL OR guest_phone_lookup IS NOT NULL",
                        name="response_has_respondent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    # A guest's mobile number confirmed by a texted code: never in clear, only encrypted and its keyed hash.
    guest_phone_encrypted: Mapped[str | None] = mapped_column(Text)
    guest_phone_lookup: Mapped[str | None] = mapped_column(String(64))
    consented_at: Mapped[datetime | None] = mapped_column(DateTime)  # consent to the respondent questions
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SurveyAnswer(db.Model):
    """One answer: an option (one row per chosen option), a scale value or a text."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        # Results count by question without touching the table: option/value counts and respondents per question.
        Index("ix_survey_answers_question_option", "question_id", "option_id", "value"),
        Index("ix_survey_answers_question_response", "question_id", "response_id"),
        CheckConstraint("value IS NULL OR (value >= 1 AND value <= 5)", name="scale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id", ondelete="CASCADE"))
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
