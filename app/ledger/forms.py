from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.ledger.models import BANK_LABELS, ExpenseCategory, ProgrammeType

PROGRAMME_CHOICES = ProgrammeType.choices()
MAX_AMOUNT = 100_000_000_000  # 1,000억 won: far above any programme, below every column's range


class BudgetForm(FlaskForm):
    programme_type = SelectField(_l("Programme type"), choices=PROGRAMME_CHOICES, validators=[DataRequired()])
    programme_id = IntegerField(_l("Programme number (the lab's number for a living lab)"),
                                validators=[InputRequired(), NumberRange(min=1)])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    amount = IntegerField(_l("Allocated amount (won)"),
                          validators=[InputRequired(), NumberRange(min=0, max=MAX_AMOUNT)])


class AllowanceRuleForm(FlaskForm):
    programme_type = SelectField(_l("Programme type"), choices=PROGRAMME_CHOICES, validators=[DataRequired()])
    programme_id = IntegerField(_l("Programme number (the lab's number for a living lab)"),
                                validators=[InputRequired(), NumberRange(min=1)])
    amount_per_session = IntegerField(_l("Allowance per attended session (won)"),
                                      validators=[InputRequired(), NumberRange(min=0, max=10_000_000)])
    monthly_cap = IntegerField(_l("Monthly cap per person (won)"),
                               validators=[InputRequired(), NumberRange(min=0, max=100_000_000)])


class ExpenseClaimForm(FlaskForm):
    # Any lab id is accepted here; the service checks the claimant is a member with a budget.
    lab_id = SelectField(_l("Living lab"), coerce=int, validate_choice=False, validators=[InputRequired()])
    category = SelectField(_l("Kind of expense"), choices=[(c.value, c.label) for c in ExpenseCategory],
                           validators=[DataRequired()])
    amount = IntegerField(_l("Amount (won)"), validators=[InputRequired(), NumberRange(min=1, max=10_000_000)])
    spent_on = DateField(_l("Date of the expense"), validators=[InputRequired()])
    description = TextAreaField(_l("What was it for?"), validators=[DataRequired(), Length(max=500)])
    receipt = FileField(_l("Receipt (photo or PDF, at most 5 MB)"))


class BankAccountForm(FlaskForm):
    bank = SelectField(_l("Bank"), choices=list(BANK_LABELS.items()), validators=[DataRequired()])
    account_number = StringField(_l("Account number"), validators=[DataRequired(), Length(max=40)])
    holder_name = StringField(_l("Account holder"), validators=[DataRequired(), Length(max=50)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the resident will read it)"), validators=[DataRequired(), Length(max=500)])


class ActionForm(FlaskForm):
    """A bare form whose only job is the CSRF token on action buttons."""
