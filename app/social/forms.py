from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Email, Length

from app.auth.forms import ProfileForm


class SocialSignupForm(ProfileForm):
    """The first login with Kakao or Naver: the sign-up form without a password."""

    email = EmailField(_l("Email"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False),
        Length(max=254, message=_l("An email address has at most 254 characters.")),
    ])
    consent_privacy = BooleanField(_l("I agree to the collection and use of personal information (required)"))
    consent_notifications = BooleanField(_l("Send me notifications (optional)"))
    consent_location = BooleanField(_l("Use my location data for place-based features (optional)"))
    consent_health = BooleanField(_l("Use my health data (steps) for the walking programme (optional)"))
