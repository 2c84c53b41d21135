from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from app.auth.passwords import StrongPassword
from app.districts import DISTRICT_CODES, district_choices

PASSWORD_RULES = [
    DataRequired(message=_l("Enter a password.")),
    Length(min=8, max=128, message=_l("A password has 8 to 128 characters.")),
]
# Where a person chooses a password: also refuse common ones and ones made of their email or name.
NEW_PASSWORD_RULES = [*PASSWORD_RULES, StrongPassword()]


class AccountForm(FlaskForm):
    """A form about an existing account (``account=user``): its email and name are what a new
    password must not be built from."""

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account


class ProfileForm(FlaskForm):
    """The resident's own data they can correct at any time (also the base of the sign-up form)."""

    display_name = StringField(_l("Display name"), validators=[
        DataRequired(message=_l("Enter a display name.")),
        Length(min=2, max=30, message=_l("A display name has 2 to 30 characters.")),
    ])
    district = SelectField(_l("District (dong)"), choices=[],
                           validators=[DataRequired(message=_l("Choose your district."))])
    birth_year = IntegerField(_l("Birth year"), validators=[
        DataRequired(message=_l("Enter your birth year.")),
        NumberRange(min=1900, max=date.today().year, message=_l("Enter a birth year between 1900 and this year.")),
    ])
    guardian_name = StringField(_l("Guardian's name (under 14 only)"), validators=[
        Optional(), Length(max=50, message=_l("A name has at most 50 characters.")),
    ])
    guardian_consent = BooleanField(_l("My guardian agrees to my sign-up (under 14 only)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = district_choices()

    def validate_district(self, field):
        if field.data not in DISTRICT_CODES:
            raise ValidationError(_l("Choose your district."))


class SignupForm(ProfileForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False),
        Length(max=254, message=_l("An email address has at most 254 characters.")),
    ])
    password = PasswordField(_l("Password"), validators=NEW_PASSWORD_RULES)
    consent_privacy = BooleanField(_l("I agree to the collection and use of personal information (required)"))
    consent_notifications = BooleanField(_l("Send me notifications (optional)"))
    consent_location = BooleanField(_l("Use my location data for place-based features (optional)"))
    consent_health = BooleanField(_l("Use my health data (steps) for the walking programme (optional)"))
    # Optional: a mobile number verified with a code sent by POST /signup/phone-code (app/phones).
    phone = StringField(_l("Mobile phone number (optional)"), validators=[Optional(), Length(max=20)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"})
    phone_code = StringField(_l("Code from the text message"), validators=[Optional(), Length(max=10)],
                             render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter a password."))])
    remember = BooleanField(_l("Keep me logged in"))


class ChangePasswordForm(AccountForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(message=_l("Enter a password."))])
    new_password = PasswordField(_l("New password"), validators=NEW_PASSWORD_RULES)
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("new_password", message=_l("The two passwords do not match."))
    ])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False),
    ])


class ResetPasswordForm(AccountForm):
    new_password = PasswordField(_l("New password"), validators=NEW_PASSWORD_RULES)
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("new_password", message=_l("The two passwords do not match."))
    ])


class ConsentForm(FlaskForm):
    consent_notifications = BooleanField(_l("Send me notifications (optional)"))
    consent_location = BooleanField(_l("Use my location data for place-based features (optional)"))
    consent_health = BooleanField(_l("Use my health data (steps) for the walking programme (optional)"))


class DeactivateForm(FlaskForm):
    # Ids of their own: the account page also shows the password form, whose fields are "confirm" too.
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter a password."))],
                             id="deactivate-password")
    confirm = BooleanField(_l("I understand that I can no longer log in"),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))], id="deactivate-confirm")
