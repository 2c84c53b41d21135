"""Forms for building surveys and polls. Answers are checked by the service against the survey's own
questions (see services._check), since each survey has its own fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.formfields import optional_int, title_field
from app.surveys.models import AUDIENCE_LABELS, DEMOGRAPHIC_LABELS, QUESTION_KIND_LABELS, Audience

MINUTE = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class SurveyForm(FlaskForm):
    title = title_field()
    description = TextAreaField(_l("What the survey is for"), validators=[
        Optional(), Length(max=5000, message=_l("The description is too long."))])
    opens_at = DateTimeLocalField(_l("Opens at (Korea time)"), format=MINUTE, validators=[
        DataRequired(message=_l("Enter when the survey opens."))])
    closes_at = DateTimeLocalField(_l("Closes at (Korea time)"), format=MINUTE, validators=[
        DataRequired(message=_l("Enter when the survey closes."))])
    audience = SelectField(_l("Who may answer"), choices=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
                           validators=[DataRequired(message=_l("Choose who may answer."))])
    lab_id = SelectField(_l("Living lab (when only its members answer)"), coerce=optional_int, choices=[],
                         validate_choice=False)
    consent_notice = TextAreaField(_l("Consent notice for the respondent questions"), validators=[
        Optional(), Length(max=3000, message=_l("The notice is too long."))])

    def __init__(self, *args, labs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lab_id.choices = [("", _l("No lab"))] + [(str(lab.id), lab.title) for lab in labs]
        self._lab_ids = {lab.id for lab in labs}

    def validate_lab_id(self, field):
        if field.data is not None and field.data not in self._lab_ids:
            raise ValidationError(_l("Choose one of the living labs."))
        if self.audience.data == Audience.LAB.value and field.data is None:
            raise ValidationError(_l("Choose the living lab whose members may answer."))

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The survey must close after it opens."))


class SectionForm(FlaskForm):
    title = StringField(_l("Section title"), validators=[
        DataRequired(message=_l("Name the section.")),
        Length(max=200, message=_l("A title has at most 200 characters."))])
    description = TextAreaField(_l("Section introduction (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("The introduction is too long."))])


class QuestionForm(FlaskForm):
    text = StringField(_l("Question"), validators=[
        DataRequired(message=_l("Write the question.")), Length(max=500, message=_l("At most 500 characters."))])
    kind = SelectField(_l("Kind of answer"), choices=[(k.value, label) for k, label in QUESTION_KIND_LABELS.items()],
                       validators=[DataRequired(message=_l("Choose the kind of answer."))])
    options = TextAreaField(_l("Options, one a line (choice questions)"), validators=[
        Optional(), Length(max=6000, message=_l("The options are too long."))])
    required = BooleanField(_l("An answer is required"))
    section_id = SelectField(_l("Section"), coerce=optional_int, choices=[], validate_choice=False)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section_id.choices = [("", _l("No section"))] + [(str(s.id), s.title) for s in sections]

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]


class DemographicForm(FlaskForm):
    demographic = SelectField(_l("Respondent question"),
                              choices=[(d.value, label) for d, label in DEMOGRAPHIC_LABELS.items()],
                              validators=[DataRequired(message=_l("Choose a respondent question."))])
    section_id = SelectField(_l("Section"), coerce=optional_int, choices=[], validate_choice=False)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section_id.choices = [("", _l("No section"))] + [(str(s.id), s.title) for s in sections]


class PollForm(FlaskForm):
    question = StringField(_l("Poll question"), validators=[
        DataRequired(message=_l("Write the question.")),
        Length(max=200, message=_l("A title has at most 200 characters."))])
    options = TextAreaField(_l("Options, one a line"), validators=[
        DataRequired(message=_l("Give at least two options, one a line.")),
        Length(max=3000, message=_l("The options are too long."))])
    closes_at = DateTimeLocalField(_l("Closes at (Korea time)"), format=MINUTE, validators=[
        DataRequired(message=_l("Enter when the survey closes."))])

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]
