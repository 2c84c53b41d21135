from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class PhoneForm(FlaskForm):
    phone = StringField(_l("Mobile phone number"), validators=[
        DataRequired(message=_l("Enter your mobile phone number.")), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"})


class PhoneCodeForm(PhoneForm):
    code = StringField(_l("Code from the text message"), validators=[
        DataRequired(message=_l("Enter the 6-digit code from the text message.")),
        Regexp(r"^\s*\d{6}\s*$", message=_l("The code has 6 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})
