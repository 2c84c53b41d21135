"""Forms of the lab pages; the API validates its JSON with the same forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.districts import DISTRICT_CODES, district_choices
from app.labs.models import LabMode, MemberGroup, RsvpAnswer
from app.labs.models import ResourceKind


def _choices(enum_class):
    return [(member.value, member.label) for member in enum_class]


def _required(message):
    return DataRequired(message=message)


class LabForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        _required(_l("Enter a title.")), Length(min=4, max=120, message=_l("A title has 4 to 120 characters."))])
    summary = TextAreaField(_l("Problem summary"), validators=[
        _required(_l("Describe the problem.")),
        Length(min=20, max=5000, message=_l("The summary has 20 to 5000 characters."))])
    mode = SelectField(_l("Mode"), choices=[], validators=[_required(_l("Choose a mode."))])
    proposal_ids = StringField(_l("Proposal numbers (city-commissioned labs)"),
                               validators=[Optional(), Length(max=200)])
    district = SelectField(_l("District (dong)"), choices=[], validators=[_required(_l("Choose a district."))])
    budget_won = IntegerField(_l("Budget in won (optional)"), validators=[
        Optional(), NumberRange(min=0, max=10_000_000_000, message=_l("Enter a budget of 0 won or more."))])
    capacity = IntegerField(_l("Capacity (members)"), validators=[
        InputRequired(message=_l("Enter the capacity.")),
        NumberRange(min=1, max=500, message=_l("The capacity is between 1 and 500."))])
    recruitment_deadline = DateField(_l("Recruitment deadline"), validators=[
        InputRequired(message=_l("Enter the recruitment deadline."))])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(message=_l("Enter the start date."))])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=_l("Enter the end date."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = _choices(LabMode)
        self.district.choices = district_choices()

    def validate_district(self, field):
        if field.data not in DISTRICT_CODES:
            raise ValidationError(_l("Choose a district from the list."))

    def validate_proposal_ids(self, field):
        if field.data and not all(part.strip().isdigit() for part in field.data.split(",")):
            raise ValidationError(_l("List proposal numbers separated by commas, e.g. 12, 15."))

    def parsed_proposal_ids(self) -> list[int]:
        return [int(part) for part in (self.proposal_ids.data or "").split(",") if part.strip()]


class EditLabForm(LabForm):
    """Mode and source proposals are fixed once the lab exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.mode
        del self.proposal_ids


class ApplicationForm(FlaskForm):
    group = SelectField(_l("I take part as"), choices=[], validators=[_required(_l("Choose your group."))])
    motivation = TextAreaField(_l("Why do you want to join?"), validators=[
        _required(_l("Write your motivation.")),
        Length(min=10, max=1000, message=_l("Write your motivation in 10 to 1000 characters."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = _choices(MemberGroup)


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("accept", _l("Accept")), ("decline", _l("Decline"))],
                           validators=[_required(_l("Choose accept or decline."))])


class StageForm(FlaskForm):
    action = SelectField(_l("Action"), choices=[("advance", _l("Move on")), ("back", _l("Move back"))],
                         validators=[_required(_l("Choose advance or back."))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class FacilitatorForm(FlaskForm):
    user_id = IntegerField(_l("Facilitator's account number"), validators=[
        InputRequired(message=_l("Enter an account number."))])


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_required(_l("Enter a title.")), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Starts at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   validators=[InputRequired(message=_l("Enter when the session starts."))])
    ends_at = DateTimeLocalField(_l("Ends at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                 validators=[InputRequired(message=_l("Enter when the session ends."))])
    place = StringField(_l("Place (offline)"), validators=[Optional(), Length(max=200)])
    meeting_url = URLField(_l("Video-meeting link (online)"), validators=[
        Optional(), URL(message=_l("Enter a full link starting with https://.")), Length(max=500)])


class CheckinForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[_required(_l("Enter the code shown at the session.")),
                                                        Length(max=12)])


class AttendanceForm(FlaskForm):
    user_id = IntegerField(_l("Member"), validators=[InputRequired(message=_l("Choose a member."))])


class RsvpForm(FlaskForm):
    answer = SelectField(_l("Will you come?"), choices=[], validators=[_required(_l("Choose an answer."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = _choices(RsvpAnswer)


class ProblemForm(FlaskForm):
    title = StringField(_l("Problem in one line"), validators=[
        _required(_l("Name the problem.")), Length(min=2, max=120, message=_l("Use 2 to 120 characters."))])
    body = TextAreaField(_l("What happens, where and to whom?"), validators=[
        _required(_l("Describe the problem.")), Length(min=10, max=3000, message=_l("Use 10 to 3000 characters."))])


class ResourceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[], validators=[_required(_l("Choose a kind."))])
    name = StringField(_l("Name"), validators=[_required(_l("Enter a name.")), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    url = URLField(_l("Link"), validators=[Optional(), URL(message=_l("Enter a full link starting with https://.")),
                                           Length(max=500)])
    latitude = FloatField(_l("Latitude"), validators=[
        Optional(), NumberRange(min=-90, max=90, message=_l("A latitude is between -90 and 90."))])
    longitude = FloatField(_l("Longitude"), validators=[
        Optional(), NumberRange(min=-180, max=180, message=_l("A longitude is between -180 and 180."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(ResourceKind)


class GoalForm(FlaskForm):
    text = StringField(_l("Goal"), validators=[_required(_l("Write the goal.")), Length(max=300)])


class TaskForm(FlaskForm):
    title = StringField(_l("Task"), validators=[_required(_l("Write the task.")), Length(max=200)])
    owner_id = SelectField(_l("Owner"), choices=[], coerce=str, validate_choice=False, validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])

    def owner(self) -> int | None:
        return int(self.owner_id.data) if self.owner_id.data else None

    def validate_owner_id(self, field):
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("Choose an owner from the list."))


class MemberRoleForm(FlaskForm):
    role = StringField(_l("Role in the plan"), validators=[Length(max=100)])


class PrototypeForm(FlaskForm):
    title = StringField(_l("Prototype"), validators=[_required(_l("Name the prototype.")), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[
        _required(_l("Describe the prototype.")), Length(max=5000)])
    test_log = TextAreaField(_l("Test log"), validators=[Optional(), Length(max=10000)])


class TestLogForm(FlaskForm):
    test_log = TextAreaField(_l("Test log"), validators=[Length(max=10000)])


class FeedbackForm(FlaskForm):
    rating = SelectField(_l("Rating"), choices=[(str(n), str(n)) for n in range(5, 0, -1)], coerce=str,
                         validators=[_required(_l("Give a rating from 1 to 5."))])
    comment = TextAreaField(_l("Comment"), validators=[
        _required(_l("Write a comment.")), Length(min=2, max=1000, message=_l("Use 2 to 1000 characters."))])

    def validate_rating(self, field):
        if field.data not in {"1", "2", "3", "4", "5"}:
            raise ValidationError(_l("Give a rating from 1 to 5."))


class DatasetForm(FlaskForm):
    name = StringField(_l("Name of the data set"), validators=[_required(_l("Name the data set.")), Length(max=120)])
    file = FileField(_l("CSV file (UTF-8 or CP949, up to 1 MB and 5,000 rows)"),
                     validators=[FileRequired(message=_l("Choose a CSV file."))])


class KpiForm(FlaskForm):
    name = StringField(_l("Indicator"), validators=[_required(_l("Name the indicator.")), Length(max=120)])
    unit = StringField(_l("Unit"), validators=[_required(_l("Give the unit, e.g. cases or %.")), Length(max=20)])
    target = FloatField(_l("Target"), validators=[InputRequired(message=_l("Enter a number."))])
    actual = FloatField(_l("Value reached"), validators=[InputRequired(message=_l("Enter a number."))])


class TextForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[_required(_l("Write the text.")), Length(max=20000)])


class PraiseForm(FlaskForm):
    to_user_id = SelectField(_l("Praise for"), choices=[], coerce=str, validate_choice=False,
                             validators=[_required(_l("Choose whom to praise."))])
    message = TextAreaField(_l("Message"), validators=[
        _required(_l("Write a message.")), Length(min=2, max=1000, message=_l("Use 2 to 1000 characters."))])

    def validate_to_user_id(self, field):
        if not str(field.data).isdigit():
            raise ValidationError(_l("Choose whom to praise."))
