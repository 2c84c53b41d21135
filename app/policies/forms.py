from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.formfields import optional_int, title_field
from app.policies.models import Horizon, PolicyStatus, StepState


class PolicyForm(FlaskForm):
    title = title_field()
    summary = TextAreaField(_l("Summary"), validators=[
        DataRequired(message=_l("Describe the policy.")),
        Length(max=20000, message=_l("The summary is too long.")),
    ])
    department = StringField(_l("Department in charge"), validators=[
        DataRequired(message=_l("Enter the department in charge.")),
        Length(max=100, message=_l("A department name has at most 100 characters.")),
    ])
    official_id = SelectField(_l("Responsible official (staff account)"), coerce=optional_int, choices=[],
                              validate_choice=False)
    official_name = StringField(_l("Or the responsible official's name"), validators=[
        Optional(), Length(max=100, message=_l("A name has at most 100 characters.")),
    ])
    field = SelectField(_l("Field"), choices=[], validate_choice=False)
    horizon = SelectField(_l("Horizon"), choices=[], validate_choice=False)
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    budget_won = IntegerField(_l("Budget in won (optional)"), validators=[
        Optional(), NumberRange(min=0, max=10**13, message=_l("Enter a budget of 0 won or more.")),
    ])
    proposal_ids = SelectMultipleField(_l("Adopted proposals it comes from"), coerce=int, choices=[],
                                       validate_choice=False, widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput())

    def __init__(self, *args, staff=(), fields=(), proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.official_id.choices = [("", _l("Nobody chosen"))] + [(str(u.id), u.display_name) for u in staff]
        self._staff_ids = {u.id for u in staff}
        self.field.choices = [("", _l("No field"))] + [(f.slug, f.name) for f in fields]
        self._field_slugs = {f.slug for f in fields}
        self.horizon.choices = [("", _l("Use the date range"))] + Horizon.choices()
        self.proposal_ids.choices = [(p.id, p.title) for p in proposals]
        self._proposal_ids = {p.id for p in proposals}

    def validate_official_id(self, field):
        if field.data is not None and field.data not in self._staff_ids:
            raise ValidationError(_l("The responsible official must be a staff member."))

    def validate_field(self, field):
        if field.data and field.data not in self._field_slugs:
            raise ValidationError(_l("Choose one of the fields."))

    def validate_horizon(self, field):
        if field.data and field.data not in {h.value for h in Horizon}:
            raise ValidationError(_l("Choose near, mid or far future."))

    def validate_proposal_ids(self, field):
        if any(pid not in self._proposal_ids for pid in field.data or []):
            raise ValidationError(_l("Only adopted or partly adopted proposals can become a policy."))


class NewStepForm(FlaskForm):
    title = StringField(_l("Step title"), validators=[
        DataRequired(message=_l("Give the step a title.")),
        Length(max=200, message=_l("A title has at most 200 characters.")),
    ])
    weight = IntegerField(_l("Weight"), default=1, validators=[
        DataRequired(message=_l("A step's weight is a whole number of at least 1.")),
        NumberRange(min=1, max=1000, message=_l("A step's weight is a whole number of at least 1.")),
    ])


class StepForm(NewStepForm):
    state = SelectField(_l("State"), choices=StepState.choices())
    percent = IntegerField(_l("Done so far, in percent (steps in progress)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("A percentage is between 0 and 100.")),
    ])


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=PolicyStatus.choices(),
                         validators=[DataRequired(message=_l("Choose a status."))])
    reason = TextAreaField(_l("Reason (required to stop a policy)"), validators=[
        Optional(), Length(max=2000, message=_l("The reason is too long.")),
    ])


class UpdateForm(FlaskForm):
    body = TextAreaField(_l("What happened"), validators=[
        DataRequired(message=_l("Write what happened.")),
        Length(max=20000, message=_l("The update is too long.")),
    ])
    step_id = SelectField(_l("Step that changed (optional)"), coerce=optional_int, choices=[],
                          validate_choice=False)
    step_state = SelectField(_l("The step's new state"), validate_choice=False,
                             choices=[("", _l("No change"))] + StepState.choices())
    step_percent = IntegerField(_l("Done so far, in percent (steps in progress)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("A percentage is between 0 and 100.")),
    ])
    attachment = FileField(_l("Image or PDF (optional, at most 5 MB)"))

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step_id.choices = [("", _l("No step change"))] + [
            (str(s.id), _l("Step %(number)s: %(title)s", number=s.position, title=s.title)) for s in steps]
        self._step_ids = {s.id for s in steps}

    def validate_step_state(self, field):
        if field.data and field.data not in {s.value for s in StepState}:
            raise ValidationError(_l("Choose planned, in progress, done or cancelled."))

    def validate_step_id(self, field):
        if field.data is not None and field.data not in self._step_ids:
            raise ValidationError(_l("Choose a step of this policy."))
