"""The text-size control (normal, large, very large) for residents who read small type with difficulty.

The choice is kept in a cookie, so it works for every visitor and without JavaScript, and on the account
(``User.text_size``), so it follows a resident to another browser. The account wins when it has a choice.
The page scales the root font size (KRDS "화면 크기"), so every rem-based size grows together."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.enums import LabelledEnum

COOKIE = "text_size"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie


class TextSize(LabelledEnum):
    NORMAL = "normal", _l("Normal")
    LARGE = "large", _l("Large")
    XLARGE = "xlarge", _l("Very large")

    @property
    def css_class(self) -> str:
        return "" if self is TextSize.NORMAL else f"text-{self.value}"


def parse(value: str | None) -> TextSize | None:
    try:
        return TextSize(value) if value else None
    except ValueError:
        return None


def current_text_size() -> TextSize:
    if current_user.is_authenticated:
        chosen = parse(current_user.text_size)
        if chosen:
            return chosen
    return parse(request.cookies.get(COOKIE)) or TextSize.NORMAL
