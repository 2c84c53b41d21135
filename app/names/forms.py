from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class DepartmentNameForm(FlaskForm):
    name = HiddenField(validators=[DataRequired()])
    name_en = StringField(_l("English name"), validators=[
        Length(max=100, message=_l("An English name has at most 100 characters."))])
