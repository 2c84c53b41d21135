from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.comments.models import Stance

BODY_RULES = [
    DataRequired(message=_l("Write your comment.")),
    Length(max=3000, message=_l("A comment has at most 3,000 characters.")),
]


def stance_choices():
    return [("", _l("No stance"))] + Stance.choices()


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=BODY_RULES)
    stance = SelectField(_l("Your stance"), choices=stance_choices, validate_choice=False, validators=[Optional()])
    parent_id = IntegerField(_l("Reply to"), validators=[Optional()])

    def validate_stance(self, field):
        from wtforms.validators import ValidationError

        if field.data and field.data not in {s.value for s in Stance}:
            raise ValidationError(_l("Choose for, neutral or against."))

    @property
    def stance_value(self) -> Stance | None:
        return Stance(self.stance.data) if self.stance.data else None


class EditCommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=BODY_RULES)
