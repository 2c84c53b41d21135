"""The `department` template filter: a department's name in the page's language."""
from __future__ import annotations

from flask import g
from flask_babel import get_locale
from markupsafe import Markup, escape


def department_name(name: str | None, marked: bool = True) -> Markup:
    """On the English site the English form staff gave, else the Korean name marked lang="ko"; on the
    Korean site the name as written. marked=False leaves out the lang mark (for <option>, text only).
    English forms are read once per request, only on English pages."""
    if not name:
        return Markup("")
    if str(get_locale()) == "ko":
        return escape(name)
    if "department_names_en" not in g:
        from app.names.services import english_names

        g.department_names_en = english_names()
    english = g.department_names_en.get(name)
    if english:
        return escape(english)
    return Markup('<span lang="ko">%s</span>') % name if marked else escape(name)
