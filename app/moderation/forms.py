from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

REASON_RULES = [
    DataRequired(message=_l("Give a reason.")),
    Length(min=5, max=500, message=_l("A reason has 5 to 500 characters.")),
]


class ReportForm(FlaskForm):
    reason = StringField(_l("Why should staff look at this?"), validators=REASON_RULES)


class DecisionForm(FlaskForm):
    """Hide or restore: the reason is shown to the author."""

    reason = StringField(_l("Reason (the author sees it)"), validators=REASON_RULES)
