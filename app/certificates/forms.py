from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

REASON_RULES = [
    DataRequired(message=_l("Give a reason.")),
    Length(max=500, message=_l("A reason has at most 500 characters.")),
]


class CompletionRuleForm(FlaskForm):
    min_attendance_percent = IntegerField(_l("Minimum attendance, in percent of the sessions held"), validators=[
        InputRequired(message=_l("Enter a share between 0 and 100.")),
        NumberRange(min=0, max=100, message=_l("Enter a share between 0 and 100.")),
    ])
    require_closed = BooleanField(_l("The lab must have been closed after its fifth stage"))


class MemberChoiceForm(FlaskForm):
    """Picks an accepted member; the page fills the choices, the service checks the membership."""

    user_id = SelectField(_l("Member"), coerce=int, choices=[], validate_choice=False,
                          validators=[InputRequired(message=_l("Choose a member."))])

    def set_members(self, members) -> None:
        self.user_id.choices = [(member.id, member.display_name) for member in members]


class ParticipationForm(MemberChoiceForm):
    pass


class ManualIssueForm(MemberChoiceForm):
    reason = TextAreaField(_l("Why is this certificate issued outside the rule?"), validators=REASON_RULES)


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking (shown to anyone who verifies the certificate)"),
                           validators=REASON_RULES)


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET lookup that changes nothing

    code = StringField(_l("Verification code"), validators=[
        DataRequired(message=_l("Enter the code printed on the certificate.")),
        Length(max=64, message=_l("A verification code has at most 64 characters.")),
    ])
