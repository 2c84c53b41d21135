from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.interests.models import InterestKind


class InterestForm(FlaskForm):
    """One field, topic or district: ``kind`` and ``key`` (the field or topic slug, or the district code)."""

    kind = SelectField(_l("Kind"), choices=InterestKind.choices(),
                       validators=[DataRequired(message=_l("Choose field, topic or district."))])
    key = StringField(_l("What to follow"), validators=[
        DataRequired(message=_l("Choose what to follow.")), Length(max=40, message=_l("Choose what to follow."))])
