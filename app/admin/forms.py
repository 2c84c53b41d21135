from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from app.auth.models import Role


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=Role.choices(),
                       validators=[DataRequired()])


class CityEmployeeForm(FlaskForm):
    is_city_employee = BooleanField(_l("City employee (paid no allowance)"))


class ConfirmForm(FlaskForm):
    """A bare form whose only job is the CSRF token on destructive buttons."""
