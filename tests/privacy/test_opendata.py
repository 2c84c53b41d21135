"""Open data: CSV (UTF-8 with BOM) and JSON files without personal data, authors as stable pseudonyms,
a page with each file's schema, licence and export date, and a public, rate-limited API."""
import csv
import io
import json

import pytest

from app.extensions import db
from app.opendata.registry import pseudonym


def fetch_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = json.loads(response.get_data())
    response.close()
    return body


@pytest.fixture
def exported(world, runner, app, tmp_path):
    app.config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    from app.comments.models import Comment

    hidden = db.session.get(Comment, world.comment.id)
    hidden.hidden = True  # hidden content stays out of open data
    db.session.commit()
    result = runner.invoke(args=["opendata", "export"])
    assert result.exit_code == 0, result.output
    yield result.output
    app.config["OPENDATA_DIR"] = str(tmp_path / "none")


def test_the_page_says_not_exported_yet_with_schemas_and_licence(client, app, tmp_path):
    app.config["OPENDATA_DIR"] = str(tmp_path / "empty")
    html = client.get("/opendata/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Not exported yet" in html and "공공누리 제1유형" in html and "<code>author</code>" in html
    assert client.get("/opendata/proposals.csv").status_code == 404
    assert 'href="/opendata/"' in client.get("/").get_data(as_text=True)  # linked from the footer


def test_export_writes_csv_with_bom_and_json_with_pseudonyms_only(client, world, exported, app):
    assert "proposals: 2 rows" in exported
    response = client.get("/opendata/proposals.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    response.close()
    mine = next(r for r in rows if r["title"] == "골목길 가로등 설치")
    assert mine["author"] == pseudonym(world.resident.id) and len(mine["author"]) == 16
    assert mine["author"] != pseudonym(world.other.id)
    assert pseudonym(world.resident.id) == pseudonym(world.resident.id)  # stable across exports
    everything = b""
    for name in ("proposals", "comments", "answers", "policies", "policy_steps", "labs", "lab_stages", "lab_kpis"):
        for extension in ("csv", "json"):
            download = client.get(f"/opendata/{name}.{extension}")
            assert download.status_code == 200, (name, extension)
            everything += download.data
            download.close()
    for personal in ("홍길동", "박영희", "hong@example.kr", "3020000123456", str(world.resident.email)):
        assert personal.encode() not in everything
    comments = fetch_json(client, "/api/v1/opendata/comments")
    assert [c["body"] for c in comments["items"]] == ["좋은 생각이에요."]  # the hidden one is left out
    assert comments["licence"] == app.config["OPENDATA_LICENCE"]


def test_the_page_and_catalogue_show_the_export_date_and_row_counts(client, exported):
    html = client.get("/opendata/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Not exported yet" not in html and "2 rows" in html and 'href="/opendata/labs.json"' in html
    catalogue = client.get("/api/v1/opendata").get_json()
    proposals = next(d for d in catalogue["datasets"] if d["name"] == "proposals")
    assert proposals["rows"] == 2 and proposals["csv_url"] == "/opendata/proposals.csv"
    assert {"name": "author", "type": "string"}.items() <= proposals["columns"][-1].items()
    assert catalogue["exported_at"].endswith("Z")
    assert client.get("/api/v1/opendata/no_such_set").status_code == 404
    assert client.get("/opendata/proposals.xml").status_code == 404


def test_a_registered_data_set_is_exported_too(client, world, exported, runner):
    from app.opendata.registry import _DATASETS, Column, Dataset, register_dataset

    register_dataset(Dataset("surveys_test", "t", "d", (Column("n", "integer", "n"),), lambda: iter([(1,), (2,)])))
    try:
        assert "surveys_test: 2 rows" in runner.invoke(args=["opendata", "export"]).output
        assert fetch_json(client, "/api/v1/opendata/surveys_test")["items"] == [{"n": 1}, {"n": 2}]
    finally:
        _DATASETS.pop("surveys_test")


def test_the_public_api_is_rate_limited_without_a_token(client, make_user, auth_header, app):
    headers = auth_header(make_user())
    app.config["PUBLIC_API_RATELIMIT"] = "3 per minute"
    try:
        statuses = [client.get("/api/v1/districts").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/v1/opendata")
        assert limited.status_code == 429 and limited.is_json
        assert client.get("/api/v1/districts", headers=headers).status_code == 200  # with a token: not limited
    finally:
        app.config["PUBLIC_API_RATELIMIT"] = "120 per minute;5000 per day"


def test_the_openapi_document_says_which_operations_need_a_token(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    catalogue = spec["paths"]["/api/v1/opendata"]["get"]
    assert "security" not in spec and "security" not in catalogue and "429" in catalogue["responses"]
    assert "401" not in catalogue["responses"]
    export = spec["paths"]["/api/v1/me/export"]["get"]
    assert export["security"] == [{"bearerAuth": []}] and "401" in export["responses"]
    assert spec["paths"]["/api/v1/privacy/access-log"]["get"]["security"] == [{"bearerAuth": []}]
