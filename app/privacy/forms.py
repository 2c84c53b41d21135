from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.privacy.models import DATA_KIND_LABELS


class PolicyForm(FlaskForm):
    version = StringField(_l("Version name"), validators=[
        DataRequired(message=_l("Enter a version name.")), Length(max=20, message=_l("At most 20 characters."))])
    body_ko = TextAreaField(_l("Policy text in Korean (Markdown)"), validators=[
        DataRequired(message=_l("Write the policy text in Korean.")),
        Length(max=100_000, message=_l("At most 100,000 characters."))])
    body_en = TextAreaField(_l("Policy text in English (optional)"), validators=[
        Optional(), Length(max=100_000, message=_l("At most 100,000 characters."))])
    changes = TextAreaField(_l("What changed"), validators=[
        DataRequired(message=_l("Say what changed.")), Length(max=5000, message=_l("At most 5,000 characters."))])
    required_changed = BooleanField(_l("A required item changed (purpose, items collected or retention): "
                                       "ask everyone to agree again at their next log-in"))


class AgreeForm(FlaskForm):
    agree = BooleanField(_l("I have read the privacy policy and agree to the required items"),
                         validators=[DataRequired(message=_l("Tick the box to agree."))])


class DeletionForm(FlaskForm):
    content = RadioField(_l("What I wrote"), choices=[
        ("keep", _l("Keep it, shown as “탈퇴한 회원” (former member)")),
        ("remove", _l("Remove it")),
    ], validators=[DataRequired(message=_l("Choose what happens to what you wrote."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter a password."))])
    confirm = BooleanField(_l("I understand that my account will be erased when the waiting period ends"),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BreachForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Enter a title.")), Length(max=200, message=_l("At most 200 characters."))])
    description = TextAreaField(_l("What happened"), validators=[
        DataRequired(message=_l("Describe what happened.")),
        Length(max=10_000, message=_l("At most 10,000 characters."))])
    data_kinds = MultiCheckboxField(_l("Personal data involved"),
                                    choices=[(kind.value, label) for kind, label in DATA_KIND_LABELS.items()],
                                    validators=[DataRequired(message=_l("Choose at least one kind of data."))])
    occurred_from = DateTimeLocalField(_l("Breach window from (Korean time)"), format="%Y-%m-%dT%H:%M",
                                       validators=[DataRequired(message=_l("Enter a date and time."))])
    occurred_until = DateTimeLocalField(_l("Breach window until (Korean time)"), format="%Y-%m-%dT%H:%M",
                                        validators=[DataRequired(message=_l("Enter a date and time."))])
    discovered_at = DateTimeLocalField(_l("When we learned of it (Korean time)"), format="%Y-%m-%dT%H:%M",
                                       validators=[DataRequired(message=_l("Enter a date and time."))])
    suspect_email = StringField(_l("Account that leaked the data, if known (email)"), validators=[
        Optional(), Length(max=254, message=_l("At most 254 characters."))])


class DataAccessFilterForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of data"), choices=[("", _l("All"))] + [
        (kind.value, label) for kind, label in DATA_KIND_LABELS.items()], validators=[Optional()])
    actor = StringField(_l("Staff email"), validators=[Optional(), Length(max=254)])
