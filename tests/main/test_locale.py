"""Korean by default; the choice order is user preference, then session, then Accept-Language."""
import pytest

from app.auth.models import User
from app.extensions import db

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def lang_of(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_korean_is_the_default(client):
    assert lang_of(client.get("/")) == "ko"
    assert "회원가입" in client.get("/").get_data(as_text=True)


def test_accept_language_is_used_without_a_choice(client):
    response = client.get("/", headers=ENGLISH)
    assert lang_of(response) == "en" and "Sign up" in response.get_data(as_text=True)
    assert lang_of(client.get("/", headers={"Accept-Language": "fr, de"})) == "ko"


def test_session_choice_beats_accept_language(client):
    response = client.post("/language", data={"locale": "ko", "next": "/login"}, headers=ENGLISH)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert lang_of(client.get("/", headers=ENGLISH)) == "ko"


def test_user_preference_beats_session_and_is_remembered_across_sessions(client, app, make_user, login):
    user = make_user()
    login(user)
    client.post("/language", data={"locale": "en"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    client.post("/logout")
    fresh = app.test_client()
    fresh.post("/language", data={"locale": "ko"})
    fresh.post("/login", data={"email": user.email, "password": "password123"})
    assert lang_of(fresh.get("/account", headers={"Accept-Language": "ko"})) == "en"


def test_unknown_language_and_foreign_next_are_ignored(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert lang_of(client.get("/")) == "ko"


@pytest.mark.parametrize("url", ["/", "/login", "/signup", "/password/forgot", "/account", "/account/access-log",
                                 "/notifications/", "/admin/users", "/admin/audit", "/no-such-page"])
def test_every_page_has_the_language_switch(client, make_user, login, url):
    if url not in ("/login", "/signup"):
        login(make_user(["admin"]))
    html = client.get(url).get_data(as_text=True)
    assert 'action="/language"' in html and 'name="locale" value="en"' in html
    english = client.post("/language", data={"locale": "en", "next": url}, follow_redirects=True)
    assert 'name="locale" value="ko"' in english.get_data(as_text=True)
    assert lang_of(english) == "en"


def test_english_pages_have_no_korean_interface_text(client, make_user, login):
    """English is complete: with English chosen, the interface shows no Korean (names of places excepted)."""
    login(make_user(["admin"], display_name="Admin"))
    client.post("/language", data={"locale": "en"})
    client.get("/")  # shows (and so drops) the Korean "logged in" message flashed before the switch
    for url in ("/", "/account", "/account/access-log", "/notifications/", "/admin/users", "/admin/audit"):
        html = client.get(url).get_data(as_text=True)
        visible = html.split("<body>", 1)[1]
        hangul = [ch for ch in visible if "\uac00" <= ch <= "\ud7a3"]
        assert "".join(hangul) in ("한국어", ""), (url, "".join(hangul)[:80])
