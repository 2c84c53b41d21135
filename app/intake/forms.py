"""Intake forms: the resident's details and consent, then what they gave. The API validates its JSON with
the same forms."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.districts import DISTRICT_CODES, district_choices
from app.intake.models import IntakeChannel
from app.labs.models import MemberGroup
from app.proposals.forms import ProposalForm


class ResidentForm(FlaskForm):
    channel = SelectField(_l("How the resident took part"), choices=IntakeChannel.choices(),
                          validators=[DataRequired(message=_l("Choose how the resident took part."))])
    resident_name = StringField(_l("Resident's name"), validators=[
        DataRequired(message=_l("Enter the resident's name.")),
        Length(max=30, message=_l("A name has at most 30 characters."))])
    phone = StringField(_l("Resident's mobile number"), validators=[
        DataRequired(message=_l("Enter the resident's mobile number.")),
        Length(max=20, message=_l("Enter a mobile phone number such as 010-1234-5678."))])
    district = SelectField(_l("Resident's district (dong)"), choices=[],
                           validators=[DataRequired(message=_l("Choose the resident's district."))])
    birth_year = IntegerField(_l("Resident's birth year"), validators=[
        DataRequired(message=_l("Enter the resident's birth year.")),
        NumberRange(min=1900, max=date.today().year, message=_l("Enter a birth year between 1900 and this year."))])
    guardian_name = StringField(_l("Guardian's name (under 14 only)"), validators=[
        Optional(), Length(max=50, message=_l("A name has at most 50 characters."))])
    guardian_consent = BooleanField(_l("The guardian agrees (under 14 only)"))
    consent_privacy = BooleanField(_l(
        "The resident agrees that Maeul keeps their name and mobile number with this participation, so the city "
        "can reply and they can claim it later with their number (required)"))
    consent_texts = BooleanField(_l("The resident agrees to text messages about this participation (optional)"))
    consent_note = StringField(_l("How consent was given (e.g. signed form number, read out on the phone)"),
                               validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = district_choices()

    def validate_district(self, field):
        if field.data not in DISTRICT_CODES:
            raise ValidationError(_l("Choose the resident's district."))


class IntakeProposalForm(ResidentForm, ProposalForm):
    """A proposal given by a resident: the resident's part, then the proposal form's fields."""

    def __init__(self, *args, field_choices=(), topic_choices=(), **kwargs):
        super().__init__(*args, field_choices=field_choices, topic_choices=topic_choices, **kwargs)
        del self.latitude
        del self.longitude
        self.district.choices = district_choices()  # ResidentForm's; the proposal's place is `place`
        self.place.choices = [("", _l("No district"))] + district_choices()

    place = SelectField(_l("Where the proposal is about (optional)"), choices=[], validate_choice=False,
                        validators=[Optional()])

    def validate_place(self, field):
        if field.data and field.data not in DISTRICT_CODES:
            raise ValidationError(_l("Choose a district from the list."))


class IntakeOpinionForm(ResidentForm):
    consultation_id = IntegerField(_l("Consultation"), validators=[
        DataRequired(message=_l("Choose the consultation.")), NumberRange(min=1, max=2**31 - 1)])
    body = TextAreaField(_l("The resident's opinion"), validators=[
        DataRequired(message=_l("Write the resident's opinion.")),
        Length(max=10000, message=_l("An opinion has at most 10,000 characters."))])
    written_on = DateField(_l("Date the resident gave it"), validators=[
        DataRequired(message=_l("Enter the date the resident gave it."))])


class IntakeLabApplicationForm(ResidentForm):
    lab_id = IntegerField(_l("Living lab"), validators=[
        DataRequired(message=_l("Choose the living lab.")), NumberRange(min=1, max=2**31 - 1)])
    group = SelectField(_l("The resident takes part as"), choices=MemberGroup.choices(),
                        validators=[DataRequired(message=_l("Choose the resident's group."))])
    motivation = TextAreaField(_l("Why the resident wants to join"), validators=[
        DataRequired(message=_l("Write the resident's motivation.")),
        Length(min=10, max=1000, message=_l("Write your motivation in 10 to 1000 characters."))])


class ClaimCodeForm(FlaskForm):
    phone = StringField(_l("My mobile number"), validators=[
        DataRequired(message=_l("Enter your mobile number.")),
        Length(max=20, message=_l("Enter a mobile phone number such as 010-1234-5678."))])


class ClaimForm(ClaimCodeForm):
    code = StringField(_l("Code from the text message"), validators=[
        DataRequired(message=_l("Enter the code from the text message.")),
        Length(max=10, message=_l("Enter the code from the text message."))])
