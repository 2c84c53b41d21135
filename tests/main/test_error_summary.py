"""After a failed submit: an error summary at the top linking to each field, "오류:" in the title, and
aria-invalid / aria-describedby on the failing fields (app/templates/macros.html, base.html)."""
from __future__ import annotations

import re

from app.extensions import db
from app.proposals.models import Proposal


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_failed_sign_up_shows_a_summary_linking_to_each_field(client):
    response = client.post("/signup", data={"email": "not-an-address", "password": "short", "display_name": ""})
    assert response.status_code in (200, 422)
    html = response.get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title.startswith("오류: ")
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert 'href="#email"' in summary and 'href="#password"' in summary
    # The summary comes before the form, inside <main>.
    assert html.index('id="main"') < html.index('id="error-summary"') < html.index("<form", html.index('id="main"'))
    email = re.search(r"<input[^>]*\sid=\"email\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="email-error"' in email
    assert 'id="email-error"' in html
    # A field that passed has neither.
    assert len(_ids(html)) == len(set(_ids(html))), "every id once"


def test_english_title_and_a_valid_page_has_no_summary(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    html = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert re.search(r"<title>\s*Error: ", html)
    assert "There are 2 problems with what you entered" in html
    html = client.get("/login").get_data(as_text=True)
    assert "error-summary" not in html and "<title>Error" not in html


def test_hint_and_error_are_both_described(client, login, make_user):
    user = make_user(email="writer@example.kr")
    login(user)
    response = client.post("/proposals/new", data={"title": "짧", "body": "본문이 너무 짧습니다", "field": ""})
    html = response.get_data(as_text=True)
    title = re.search(r"<input[^>]*\sid=\"title\"[^>]*>", html).group(0)
    assert 'aria-describedby="title-hint title-error"' in title and 'aria-invalid="true"' in title
    assert 'href="#title"' in html and 'href="#body"' in html
    assert db.session.query(Proposal).count() == 0  # nothing half-saved
    assert len(_ids(html)) == len(set(_ids(html)))
