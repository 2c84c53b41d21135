"""The complete export: a zip with every section as JSON, and a CSV per list, from the page and the API."""
import csv
import io
import json
import zipfile


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_zip_holds_everything_the_resident_wrote_supported_followed_attended_was_paid_and_certified(
        client, world, login):
    login(world.resident)
    archive = open_zip(client.get("/account/export"))
    data = json.loads(archive.read("data.json"))
    assert [p["title"] for p in data["proposals_written"]] == ["골목길 가로등 설치"]
    assert [s["proposal_title"] for s in data["proposals_supported"]] == ["버스 정류장 의자"]
    assert {f["proposal_title"] for f in data["proposals_followed"]} == {"골목길 가로등 설치", "버스 정류장 의자"}
    assert [c["body"] for c in data["comments_written"]] == ["저도 찬성합니다. 의자가 꼭 필요해요."]
    assert data["lab_applications"][0]["motivation"] == "우리 골목 주차 문제를 풀고 싶어요"
    assert [a["session_title"] for a in data["lab_attendance"]] == ["첫 모임"]
    assert [(a["amount_won"], a["status"]) for a in data["allowances"]] == [(20000, "paid")]
    assert data["bank_account"][0]["account_number"] == "3020000123456"
    assert [c["lab_title"] for c in data["certificates"]] == ["골목 주차 리빙랩"]
    assert data["account"]["email"] == "hong@example.kr"
    text = archive.read("data.json").decode()
    assert "박영희" not in text and "park@example.kr" not in text and "좋은 생각이에요" not in text
    names = set(archive.namelist())
    assert {"README.txt", "account.csv", "proposals_written.csv", "allowances.csv", "certificates.csv",
            "lab_attendance.csv"} <= names
    raw = archive.read("proposals_written.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads Korean correctly
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["title"] == "골목길 가로등 설치" and rows[0]["status"] == "open"


def test_staff_views_of_the_residents_data_are_in_their_export(client, world, login):
    login(world.resident)
    data = json.loads(open_zip(client.get("/account/export")).read("data.json"))
    # The payout batch export showed the resident's bank account to staff.
    assert {(row["kind"], row["action"]) for row in data["personal_data_viewed_by_staff"]} >= {
        ("bank_account", "export")}


def test_the_api_gives_the_same_zip_or_json(client, world, auth_header):
    headers = auth_header(world.resident)
    archive = open_zip(client.get("/api/v1/me/export", headers=headers))
    assert json.loads(archive.read("data.json"))["certificates"]
    as_json = client.get("/api/v1/me/export?format=json", headers=headers)
    assert as_json.is_json and as_json.get_json()["allowances"][0]["amount_won"] == 20000
    bad = client.get("/api/v1/me/export?format=xml", headers=headers)
    assert bad.status_code == 422 and "format" in bad.get_json()["errors"]
    assert client.get("/api/v1/me/export").status_code == 401


def test_the_export_page_needs_a_login(client):
    response = client.get("/account/export")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
