"""Markup typed by anyone is shown as text on every page.

The demo data covers every domain; every piece of text a person wrote in it (every string column
and every string inside a JSON column whose value contains Hangul, i.e. prose rather than codes) is
prefixed with markup. Then a spider follows every same-site link from the home page, logged in as
each demo role, and no page may contain the markup unescaped. A new domain whose demo data and
pages exist is covered without changing this test."""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import JSON, String, Text, select, update
from sqlalchemy.types import Enum

from app.extensions import db
from app.seed import run_demo_seeders

PAYLOAD = "<x-xss a='1'>\"&"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PER_ENDPOINT = 3  # distinct URLs visited per endpoint and role
ROLES = ["admin@maeul.kr", "facilitator@maeul.kr", "resident@maeul.kr"]


def _marked(value, length=None):
    if isinstance(value, str) and HANGUL.search(value) and not value.startswith(PAYLOAD):
        text = PAYLOAD + value
        return text[:length] if length else text
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item) for item in value]
    return value


def mark_every_user_text() -> int:
    """Prefix PAYLOAD to every Hangul text value in every table; returns how many columns changed."""
    changed = 0
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if not c.primary_key and not isinstance(c.type, Enum)
                   and isinstance(c.type, (String, Text, JSON))]
        if not columns or not table.primary_key.columns:
            continue
        keys = list(table.primary_key.columns)
        for row in db.session.execute(select(*keys, *columns)).mappings():
            values = {}
            for column in columns:
                value = row[column.name]
                length = getattr(column.type, "length", None)
                new = _marked(value, length)
                if new != value:
                    values[column.name] = new
            if values:
                changed += len(values)
                db.session.execute(update(table).where(*(k == row[k.name] for k in keys)).values(**values))
    db.session.commit()
    return changed


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _crawl(app, client, start="/"):
    adapter = app.url_map.bind("localhost")
    seen, per_endpoint, queue, pages = set(), Counter(), [start], []
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url in seen:
            continue
        seen.add(url)
        if parts.path.startswith(("/static/", "/logout")):
            continue
        try:
            endpoint, _ = adapter.match(parts.path, method="GET")
        except Exception:
            continue
        if per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        per_endpoint[endpoint] += 1
        response = client.get(url)
        response.get_data()  # read whole (files too), then release the file a download streams from
        response.close()
        pages.append((url, endpoint, response))
        if response.mimetype == "text/html" and response.status_code == 200:
            parser = _Links()
            parser.feed(response.get_data(as_text=True))
            queue.extend(urldefrag(link)[0] for link in parser.links)
    return pages


def test_no_page_shows_user_markup_unescaped(app):
    run_demo_seeders()
    assert mark_every_user_text() > 50
    from app.search import reindex

    reindex()
    escaped_on, visited = set(), 0
    for email in [None, *ROLES]:
        client = app.test_client()
        if email:
            response = client.post("/login", data={"email": email, "password": "maeul-demo-1234"})
            assert response.status_code == 302
        pages = _crawl(app, client)
        visited += len(pages)
        for url, endpoint, response in pages:
            assert response.status_code < 500, url
            assert response.headers.get("Content-Type", "").count("charset") <= 1, url
            if response.mimetype != "text/html":
                continue
            body = response.get_data(as_text=True)
            assert "<x-xss" not in body, f"unescaped user markup on {url} ({endpoint}) as {email}"
            if "&lt;x-xss" in body:
                escaped_on.add(endpoint)
    # Not vacuous: user text (with its markup shown as text) appears on many kinds of page.
    assert visited > 100 and len(escaped_on) > 20, (visited, sorted(escaped_on))
