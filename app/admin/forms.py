from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from app.auth.labels import ROLE_LABELS


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
                       validators=[DataRequired()])


class CityEmployeeForm(FlaskForm):
    is_city_employee = BooleanField(_l("City employee (paid no allowance)"))


class ConfirmForm(FlaskForm):
    """A bare form whose only job is the CSRF token on destructive buttons."""
