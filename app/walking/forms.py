"""Forms shared by the pages and the API (app/api/helpers.validate)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FloatField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.walking.models import MissionKind


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class ConvertForm(FlaskForm):
    amount = IntegerField(_l("Amount (won)"), validators=[InputRequired(), NumberRange(min=1000)],
                          description=_l("In units of 1,000 won."))
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=8, max=100)])


class PayAccountForm(FlaskForm):
    account = StringField(_l("Local-currency account number (Asan Pay)"), validators=[DataRequired(), Length(6, 40)])


class UploadForm(FlaskForm):
    file = FileField(_l("Export file (export.zip or .csv)"), validators=[FileRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file (email, date, steps, source)"), validators=[FileRequired()])


class RedeemForm(FlaskForm):
    number = StringField(_l("Coupon number"), validators=[DataRequired(), Length(max=40)],
                         description=_l("Scan the barcode or type the 16 digits."))
    place = StringField(_l("Branch"), validators=[DataRequired(), Length(max=100)])


class TopUpForm(FlaskForm):
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    amount = IntegerField(_l("Amount to add (won)"), validators=[InputRequired(), NumberRange(min=1)])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("cleared", _l("Clear: the count earns")),
                                                    ("rejected", _l("Reject: the count does not earn"))])


class RuleForm(FlaskForm):
    effective_from = DateField(_l("Applies from"), validators=[InputRequired()])
    min_steps = IntegerField(_l("Fewest steps that earn"), default=5000, validators=[InputRequired(), NumberRange(0)])
    base_won = IntegerField(_l("Won at that many steps"), default=50, validators=[InputRequired(), NumberRange(0)])
    step_unit = IntegerField(_l("Each further block of steps"), default=1000,
                             validators=[InputRequired(), NumberRange(1)])
    unit_won = IntegerField(_l("Won per further block"), default=10, validators=[InputRequired(), NumberRange(0)])
    daily_max_won = IntegerField(_l("Most won a day"), default=100, validators=[InputRequired(), NumberRange(0)])
    conversion_daily_cap_won = IntegerField(_l("Most won a resident may convert a day"), default=10000,
                                            validators=[InputRequired(), NumberRange(0)])


class MissionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(2, 120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    kind = SelectField(_l("Kind"), choices=[(k.value, k.label) for k in MissionKind])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    bonus_won = IntegerField(_l("Bonus (won)"), validators=[InputRequired(), NumberRange(0, 100_000)])
    target_steps = IntegerField(_l("Steps to walk in the period"), validators=[Optional(), NumberRange(1)])
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    radius_m = IntegerField(_l("Radius (m)"), validators=[Optional(), NumberRange(10, 5000)])
    session_id = IntegerField(_l("Programme session number"), validators=[Optional(), NumberRange(1)])


class CheckInForm(FlaskForm):
    latitude = FloatField(_l("Latitude"), validators=[InputRequired(), NumberRange(-90, 90)])
    longitude = FloatField(_l("Longitude"), validators=[InputRequired(), NumberRange(-180, 180)])
