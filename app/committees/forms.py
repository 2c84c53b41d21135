"""Forms for the committee pages; the API validates its JSON with the same forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.committees.models import (
    CallBasis,
    DismissalReason,
    Gender,
    ItemOutcome,
    MemberCategory,
    Office,
    RecusalGround,
    RecusalKind,
    SubjectType,
    VoteChoice,
)
from app.core import ValidationFailed

MAX_WON = 10_000_000
MAX_ID = 2**31 - 1  # the id columns are 32-bit integers; a larger number names nothing


def record_id(value) -> int:
    """Coerce a submitted row number, refusing what no row can have (so the database never sees it)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(_l("There is no such number."))
    return number


def _choices(enum_class, blank=None):
    choices = enum_class.choices()
    return ([("", blank)] + choices) if blank is not None else choices


def _checkboxes(label):
    return SelectMultipleField(label, coerce=record_id, choices=[], validate_choice=False,
                               widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class CommitteeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=200)])
    description = TextAreaField(_l("What the committee advises on"), validators=[Optional(), Length(max=5000)])
    travel_expense_won = IntegerField(_l("Travel expenses paid per attended meeting (won)"), default=0,
                                      validators=[InputRequired(), NumberRange(min=0, max=MAX_WON)])


class NominationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=100)])
    affiliation = StringField(_l("Affiliation and position (shown publicly)"), validators=[Optional(), Length(max=200)])
    contact = StringField(_l("Phone or email (staff only, never shown publicly)"),
                          validators=[Optional(), Length(max=200)])
    gender = SelectField(_l("Gender (for the 6 in 10 rule)"), choices=_choices(Gender), validators=[DataRequired()])
    category = SelectField(_l("Category (article 12)"), choices=_choices(MemberCategory), validators=[DataRequired()])
    is_city_employee = BooleanField(_l("A district official (paid no allowance)"))
    account_email = StringField(_l("Email of their Maeul account, if they have one"),
                                validators=[Optional(), Email(message=_l("Enter a valid email address.")),
                                            Length(max=254)])
    replaces_id = IntegerField(_l("Number of the member they replace, if any"), validators=[Optional(),
                                                                                       NumberRange(min=1, max=MAX_ID)])


class AppointForm(FlaskForm):
    member_ids = _checkboxes(_l("Nominees to appoint together"))
    starts_on = DateField(_l("Term starts on"), validators=[InputRequired(message=_l("Enter a date."))])


class DismissForm(FlaskForm):
    reason = SelectField(_l("Reason (article 14)"), choices=_choices(DismissalReason), validators=[DataRequired()])
    note = TextAreaField(_l("Note for the record"), validators=[Optional(), Length(max=1000)])
    replacement_id = IntegerField(_l("Number of a nominee appointed in their place at once (optional)"),
                                  validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class LinkAccountForm(FlaskForm):
    account_email = StringField(_l("Email of their Maeul account"), validators=[
        DataRequired(message=_l("Enter an email address.")), Email(message=_l("Enter a valid email address.")),
        Length(max=254)])


class OfficerForm(FlaskForm):
    office = SelectField(_l("Office"), choices=_choices(Office), validators=[DataRequired()])
    member_id = SelectField(_l("Elected member"), coerce=record_id, choices=[], validate_choice=False,
                            validators=[InputRequired()])
    elected_on = DateField(_l("Elected on"), validators=[InputRequired(message=_l("Enter a date."))])
    present = IntegerField(_l("Members present"), validators=[InputRequired(), NumberRange(min=0, max=15)])
    votes_for = IntegerField(_l("Votes for"), validators=[InputRequired(), NumberRange(min=0, max=15)])


class RequestForm(FlaskForm):
    purpose = TextAreaField(_l("What should the meeting discuss?"),
                            validators=[DataRequired(message=_l("Say what the meeting should discuss.")),
                                        Length(max=2000)])


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   validators=[InputRequired(message=_l("Enter when the meeting starts."))])
    place = StringField(_l("Place"), validators=[DataRequired(message=_l("Enter the place.")), Length(max=200)])
    basis = SelectField(_l("Called because"), choices=_choices(CallBasis), validators=[DataRequired()])
    request_id = IntegerField(_l("Number of the members' request (when they asked for it)"),
                              validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class ItemForm(FlaskForm):
    title = StringField(_l("Agenda item"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    subject_type = SelectField(_l("About"), choices=_choices(SubjectType, _l("Nothing on Maeul")),
                               validators=[Optional()])
    subject_id = IntegerField(_l("Its number"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class RecusalForm(FlaskForm):
    member_id = SelectField(_l("Member"), coerce=record_id, choices=[], validate_choice=False,
                            validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=_choices(RecusalKind), validators=[DataRequired()])
    ground = SelectField(_l("Ground (article 13(1)); not for a challenge"),
                         choices=_choices(RecusalGround, _l("None")), validators=[Optional()])
    challenged_by = StringField(_l("Party who challenges (for a challenge)"), validators=[Optional(), Length(max=200)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Record the reason.")), Length(max=2000)])


class StepAsideForm(FlaskForm):
    ground = SelectField(_l("Ground (article 13(1))"), choices=_choices(RecusalGround), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Record the reason.")), Length(max=2000)])


class ChallengeDecisionForm(FlaskForm):
    votes_for = IntegerField(_l("Votes for upholding the challenge"),
                             validators=[InputRequired(), NumberRange(min=0, max=15)])


class CloseItemForm(FlaskForm):
    outcome = SelectField(_l("Result"), choices=[(o.value, o.label) for o in (ItemOutcome.DISCUSSED,
                                                                           ItemOutcome.NO_QUORUM)],
                          validators=[DataRequired()])
    note = TextAreaField(_l("The committee's advice"), validators=[Optional(), Length(max=5000)])


class VotesNoteForm(FlaskForm):
    note = TextAreaField(_l("Result note (optional)"), validators=[Optional(), Length(max=5000)])


class AttendanceForm(FlaskForm):
    member_ids = _checkboxes(_l("Members present"))


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=50000)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[
        DataRequired(message=_l("Give the reason for cancelling the meeting.")), Length(max=1000)])


class ActionForm(FlaskForm):
    """Buttons that only need the CSRF token."""


def parse_votes(raw: dict) -> dict[int, VoteChoice]:
    """{member id: "for" | "against" | "abstain"} from the page's fields or the API's object."""
    if not isinstance(raw, dict):
        raise ValidationFailed({"votes": [_l("Send the votes as an object from member number to for, against or "
                                             "abstain.")]})
    votes, errors = {}, []
    for key, value in raw.items():
        try:
            votes[record_id(key)] = VoteChoice(value)
        except (TypeError, ValueError):
            errors.append(_l("Each vote is for, against or abstain, by member number."))
    if errors:
        raise ValidationFailed({"votes": errors[:1]})
    return votes
