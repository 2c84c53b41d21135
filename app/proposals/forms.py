from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.districts import DISTRICT_CODES, district_choices
from app.proposals.models import AnswerStatus

MAX_TOPICS = 5


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Enter a title.")),
        Length(min=5, max=120, message=_l("A title has 5 to 120 characters.")),
    ])
    body = TextAreaField(_l("Your proposal"), validators=[
        DataRequired(message=_l("Describe your proposal.")),
        Length(min=20, max=10000, message=_l("A proposal has 20 to 10,000 characters.")),
    ])
    field = SelectField(_l("Field"), choices=[], validate_choice=False,
                        validators=[DataRequired(message=_l("Choose a field."))])
    topics = SelectMultipleField(_l("Topics (up to 5)"), choices=[], validate_choice=False)
    district = SelectField(_l("District (optional)"), choices=[], validate_choice=False, validators=[Optional()])
    latitude = FloatField(_l("Latitude (optional)"), validators=[Optional()])
    longitude = FloatField(_l("Longitude (optional)"), validators=[Optional()])

    def __init__(self, *args, field_choices=(), topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.field.choices = [("", _l("Choose a field"))] + [(f.slug, f.name) for f in field_choices]
        self.topics.choices = [(t.slug, t.name) for t in topic_choices]
        self.district.choices = [("", _l("No district"))] + district_choices()

    def validate_topics(self, field):
        if len(set(field.data or [])) > MAX_TOPICS:
            raise ValidationError(_l("Choose at most 5 topics."))

    def validate_district(self, field):
        if field.data and field.data not in DISTRICT_CODES:
            raise ValidationError(_l("Choose a district from the list."))


def answer_status_choices():
    return [(s.value, s.label) for s in AnswerStatus]


class AnswerForm(FlaskForm):
    status = SelectField(_l("Status"), choices=answer_status_choices, validate_choice=False,
                         validators=[DataRequired(message=_l("Choose a status."))])
    department = StringField(_l("Department"), validators=[
        Optional(), Length(max=100, message=_l("A department name has at most 100 characters."))])
    body = TextAreaField(_l("Answer"), validators=[
        DataRequired(message=_l("Write the answer.")),
        Length(min=10, max=10000, message=_l("An answer has 10 to 10,000 characters.")),
    ])
    reason = TextAreaField(_l("Reason (required when not adopted)"), validators=[
        Optional(), Length(max=5000, message=_l("A reason has at most 5,000 characters."))])

    def validate_status(self, field):
        if field.data not in {s.value for s in AnswerStatus}:
            raise ValidationError(_l("Choose one of: under review, adopted, partly adopted, not adopted, done."))


class ChoiceForm(FlaskForm):
    slug = StringField(_l("Short name (letters, digits and hyphens)"), validators=[
        DataRequired(message=_l("Enter a short name.")),
        Length(max=40, message=_l("A short name has at most 40 characters.")),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and hyphens.")),
    ])
    name_ko = StringField(_l("Korean name"), validators=[
        DataRequired(message=_l("Enter the Korean name.")), Length(max=60, message=_l("At most 60 characters."))])
    name_en = StringField(_l("English name"), validators=[
        DataRequired(message=_l("Enter the English name.")), Length(max=60, message=_l("At most 60 characters."))])


class SettingsForm(FlaskForm):
    forum_threshold = IntegerField(_l("Supports that open a forum"), validators=[
        DataRequired(message=_l("Enter a number.")),
        NumberRange(min=1, max=1_000_000, message=_l("Enter a number from 1 to 1,000,000."))])
    answer_threshold = IntegerField(_l("Supports that oblige an official answer"), validators=[
        DataRequired(message=_l("Enter a number.")),
        NumberRange(min=1, max=1_000_000, message=_l("Enter a number from 1 to 1,000,000."))])
    answer_days = IntegerField(_l("Days to answer"), validators=[
        DataRequired(message=_l("Enter a number.")),
        NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365."))])

