from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from app.consultations.models import CHANNEL_LABELS, STAFF_CHANNELS
from app.formfields import optional_int, title_field
from app.phones.forms import PhoneCodeForm, PhoneForm

PHONE = Regexp(r"^[0-9+\-() ]{7,20}$", message=_l("Enter a phone number with digits, for example 010-1234-5678."))


class ConsultationForm(FlaskForm):
    title = title_field()
    purpose = TextAreaField(_l("Purpose"), validators=[
        DataRequired(message=_l("Say what the consultation is for.")),
        Length(max=5000, message=_l("The purpose is too long."))])
    body = TextAreaField(_l("Main content"), validators=[
        Optional(), Length(max=20000, message=_l("The main content is too long."))])
    department = StringField(_l("Department in charge"), validators=[
        DataRequired(message=_l("Enter the department in charge.")),
        Length(max=100, message=_l("A department name has at most 100 characters."))])
    contact = StringField(_l("Enquiries (telephone)"), validators=[
        Optional(), Length(max=200, message=_l("At most 200 characters."))])
    paper_address = StringField(_l("Where to send opinions on paper"), validators=[
        Optional(), Length(max=300, message=_l("At most 300 characters."))])
    deadline_date = DateField(_l("Deadline: date (Korea time)"), validators=[
        DataRequired(message=_l("Enter the deadline's date."))])
    deadline_time = TimeField(_l("Deadline: time (Korea time, to the minute)"), validators=[
        DataRequired(message=_l("Enter the deadline's time, for example 18:00."))])
    policy_id = SelectField(_l("Linked policy (optional)"), coerce=optional_int, choices=[], validate_choice=False)
    has_hearing = BooleanField(_l("There is a public hearing"))
    hearing_date = DateField(_l("Hearing date"), validators=[Optional()])
    hearing_start = TimeField(_l("Hearing starts at"), validators=[Optional()])
    hearing_end = TimeField(_l("Hearing ends at"), validators=[Optional()])
    hearing_place = StringField(_l("Hearing place"), validators=[
        Optional(), Length(max=300, message=_l("At most 300 characters."))])
    hearing_url = URLField(_l("Online link (optional)"), validators=[
        Optional(), URL(message=_l("Enter a web address starting with https://.")),
        Length(max=500, message=_l("At most 500 characters."))])
    hearing_capacity = IntegerField(_l("Seats at the hearing"), validators=[
        Optional(), NumberRange(min=1, max=100000, message=_l("Enter a number of seats of at least 1."))])

    def __init__(self, *args, policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.policy_id.choices = [("", _l("No linked policy"))] + [(str(p.id), p.title) for p in policies]
        self._policy_ids = {p.id for p in policies}

    def validate_policy_id(self, field):
        if field.data is not None and field.data not in self._policy_ids:
            raise ValidationError(_l("Choose one of the policies."))

    def validate(self, extra_validators=None) -> bool:
        """The hearing's fields are required together, once "there is a public hearing" is ticked.

        Checked here rather than in validate_<field>: Optional() stops a field's chain when it is empty."""
        valid = super().validate(extra_validators)
        if not self.has_hearing.data:
            return valid
        missing = {
            self.hearing_date: _l("Enter the hearing's date."),
            self.hearing_start: _l("Enter when the hearing starts."),
            self.hearing_end: _l("Enter when the hearing ends."),
            self.hearing_capacity: _l("Enter the number of seats."),
        }
        for field, message in missing.items():
            if field.data is None and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        if self.hearing_start.data and self.hearing_end.data and self.hearing_end.data <= self.hearing_start.data:
            self.hearing_end.errors = [*self.hearing_end.errors, _l("The hearing must end after it starts.")]
            valid = False
        if not (self.hearing_place.data or "").strip() and not (self.hearing_url.data or "").strip():
            self.hearing_place.errors = [*self.hearing_place.errors, _l("Give the hearing's place or an online link.")]
            valid = False
        return valid


class DocumentForm(FlaskForm):
    document = FileField(_l("PDF document (at most 5 MB)"))


class OpinionForm(FlaskForm):
    """The notice's opinion form (004): affiliation, name, position, phone and the opinion."""

    affiliation = StringField(_l("Affiliation (optional)"), validators=[
        Optional(), Length(max=100, message=_l("At most 100 characters."))])
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Enter your name.")), Length(max=50, message=_l("At most 50 characters."))])
    position = StringField(_l("Position (optional)"), validators=[
        Optional(), Length(max=50, message=_l("At most 50 characters."))])
    phone = StringField(_l("Phone (mobile)"), validators=[
        DataRequired(message=_l("Enter a phone number the city can call back.")), PHONE])
    body = TextAreaField(_l("Your opinion"), validators=[
        DataRequired(message=_l("Write your opinion.")),
        Length(max=10000, message=_l("An opinion has at most 10,000 characters."))])


class EnteredOpinionForm(OpinionForm):
    """An opinion that came on paper, by phone or at the hearing, typed in by staff."""

    channel = SelectField(_l("How it arrived"), choices=[(c.value, CHANNEL_LABELS[c]) for c in STAFF_CHANNELS],
                          validators=[DataRequired(message=_l("Choose how the opinion arrived."))])
    written_on = DateField(_l("Date on the opinion"), validators=[DataRequired(message=_l("Enter the date."))])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), PHONE])


class GuestEmailForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False),
        Length(max=254, message=_l("At most 254 characters."))])


class GuestCodeForm(GuestEmailForm):
    code = StringField(_l("Confirmation code"), validators=[
        DataRequired(message=_l("Enter the code from the email.")),
        Regexp(r"^\s*[0-9]{6}\s*$", message=_l("The code has 6 digits."))])


class GuestPhoneForm(PhoneForm):
    """"Or confirm a mobile phone": beside the email form on the same page, so its fields carry a prefix."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="guestphone", **kwargs)


class GuestPhoneCodeForm(PhoneCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="guestphone", **kwargs)


class ThemeForm(FlaskForm):
    title = StringField(_l("Theme"), validators=[
        DataRequired(message=_l("Name the theme.")),
        Length(max=200, message=_l("A title has at most 200 characters."))])
    response = TextAreaField(_l("The city's response"), validators=[
        Optional(), Length(max=10000, message=_l("The response is too long."))])


class AssignForm(FlaskForm):
    opinion_ids = SelectMultipleField(_l("Opinions"), coerce=int, choices=[], validate_choice=False,
                                      validators=[DataRequired(message=_l("Choose at least one opinion."))])
    theme_id = SelectField(_l("Theme"), coerce=optional_int, choices=[], validate_choice=False)


class ResultsForm(FlaskForm):
    results_summary = TextAreaField(_l("Summary of the results"), validators=[
        DataRequired(message=_l("Write a short summary of the results.")),
        Length(max=10000, message=_l("The summary is too long."))])
