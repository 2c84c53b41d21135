"""Translated strings with parameters escape the parameters, wherever they are rendered."""
import pytest
from flask import render_template_string
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select

from app.extensions import db
from app.proposals.models import Proposal
from tests.factories import choices  # noqa: F401  (fixture)
from tests.proposals.test_pages import form_data

MARKUP = "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">"


@pytest.mark.parametrize("template, value", [
    ("{{ value }}", lambda t: _l("Step %(number)s: %(title)s", number=1, title=t)),
    ("{{ value }}", lambda t: _("Step %(number)s: %(title)s", number=1, title=t)),
    ("{{ value }}", lambda t: lazy_ngettext("%(num)d item: %(title)s", "%(num)d items: %(title)s", 2, title=t)),
    ("{{ _('Step %(number)s: %(title)s', number=1, title=value) }}", lambda t: t),
    ("<option>{{ value }}</option>", lambda t: _l("Unknown topic: %(topics)s. Choose topics from the list.", topics=t)),
])
def test_parameters_of_translated_strings_are_escaped(app, template, value):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string(template, value=value(MARKUP))
    assert "<meta" not in html and "&lt;meta" in html


def test_translations_without_parameters_and_numbers_still_render(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ v }}", v=_l("Home")) == "Home"
        assert render_template_string("{{ v }}", v=_l("Step %(number)s: %(title)s", number=3, title="A & B")) == \
            "Step 3: A &amp; B"


def test_an_unknown_topic_is_echoed_as_text_in_the_proposal_form(client, login, make_user, choices):
    login(make_user())
    response = client.post("/proposals/new", data=form_data(topics=["bus", MARKUP]))
    html = response.get_data(as_text=True)
    assert "<meta http-equiv" not in html and "&lt;meta http-equiv" in html
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
