"""Field pieces that several domains' forms share."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length


def optional_int(value):
    """``coerce`` of a select whose first choice is "none": the empty choice is None, else an id."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_l("Choose one of the options.")) from None


def title_field() -> StringField:
    """A required title of at most 200 characters."""
    return StringField(_l("Title"), validators=[
        DataRequired(message=_l("Enter a title.")), Length(max=200, message=_l("A title has at most 200 characters."))])
