"""The text-size control: remembered per browser (a cookie, no JavaScript) and per account."""
from __future__ import annotations

import re

import pytest

from app.extensions import db


def html_class(response) -> str:
    match = re.search(r"<html[^>]*>", response.get_data(as_text=True))
    assert match
    found = re.search(r'class="([^"]*)"', match.group(0))
    return found.group(1) if found else ""


def pressed(response) -> list[str]:
    return re.findall(r'name="size" value="(\w+)" aria-pressed="true"', response.get_data(as_text=True))


def test_normal_by_default_with_three_choices(client):
    response = client.get("/")
    assert html_class(response) == "" and pressed(response) == ["normal"]
    html = response.get_data(as_text=True)
    assert "글자 크기" in html and ">보통<" in html and ">크게<" in html and ">아주 크게<" in html


def test_a_visitor_chooses_a_size_kept_in_a_cookie(client):
    response = client.post("/text-size", data={"size": "xlarge", "next": "/proposals/"})
    assert response.status_code == 302 and response.headers["Location"] == "/proposals/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("text_size=xlarge") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert html_class(page) == "text-xlarge" and pressed(page) == ["xlarge"]


@pytest.mark.parametrize("size", ["huge", "", "../normal"])
def test_an_unknown_size_is_refused_and_changes_nothing(client, size):
    response = client.post("/text-size", data={"size": size})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "text_size" not in response.headers["Set-Cookie"]
    assert html_class(client.get("/")) == ""


def test_a_forged_cookie_is_ignored(client):
    client.set_cookie("text_size", "enormous")
    assert html_class(client.get("/")) == ""


def test_a_foreign_next_address_is_not_followed(client):
    response = client.post("/text-size", data={"size": "large", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_resident_s_choice_follows_the_account_to_another_browser(app, client, make_user, login):
    user = make_user()
    login(user)
    client.post("/text-size", data={"size": "large"})
    db.session.refresh(user)
    assert user.text_size == "large"
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "password123"})
    other.set_cookie("text_size", "normal")  # this browser said normal before signing in: the account wins
    assert html_class(other.get("/")) == "text-large"


def test_the_api_reads_and_changes_the_text_size(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    assert client.get("/api/v1/me", headers=headers).get_json()["text_size"] == "normal"
    response = client.patch("/api/v1/me", json={"text_size": "xlarge"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["text_size"] == "xlarge"
    for bad in ("giant", 3):
        refused = client.patch("/api/v1/me", json={"text_size": bad}, headers=headers)
        assert refused.status_code == 422, refused.get_json()
    db.session.refresh(user)
    assert user.text_size == "xlarge"


def test_anonymous_visitors_do_not_see_resident_only_menu_items(client, make_user, login):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/walking/"' not in html and "내 참여수당" not in html and "로그아웃" not in html
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    assert 'href="/walking/"' in html and "내 참여수당" in html


def test_staff_see_a_staff_section_and_residents_do_not(client, make_user, login):
    login(make_user())
    assert "직원 메뉴" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(make_user(["staff"]))
    html = client.get("/").get_data(as_text=True)
    assert "직원 메뉴" in html and 'href="/staff/"' in html
