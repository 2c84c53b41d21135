"""Phone exports (Apple export.zip streamed, Samsung CSV) and the staff CSV import (all or nothing)."""
import io
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.walking.models import StepRecord, WalkingDay, WalkingParticipant
from app.walking.services import today
from app.walking.services.imports import read_apple_export

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>
<!ATTLIST Record type CDATA #REQUIRED sourceName CDATA #REQUIRED value CDATA #IMPLIED>
]>
<HealthData locale="ko_KR">
 <ExportDate value="2026-11-20 21:00:00 +0900"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth=""/>
"""


def record(day, value, source="홍길동의 iPhone", kind="HKQuantityTypeIdentifierStepCount"):
    return (f' <Record type="{kind}" sourceName="{source}" unit="count" creationDate="{day} 09:00:00 +0900" '
            f'startDate="{day} 08:00:00 +0900" endDate="{day} 08:10:00 +0900" value="{value}">\n'
            f'  <MetadataEntry key="HKWasUserEntered" value="0"/>\n </Record>\n')


def apple_zip(records: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", HEADER + records + "</HealthData>\n")
        archive.writestr("apple_health_export/export_cda.xml", "<x/>")
    return buffer.getvalue()


def day(n):
    return (today() - timedelta(days=n)).isoformat()


def test_apple_export_sums_per_day_and_source_and_takes_the_highest_source(walker, fund, login, client):
    user = walker()
    fund()
    login(user)
    records = (record(day(1), 3000) + record(day(1), 4000) + record(day(1), 5000, "Apple Watch")
               + record(day(1), 99, kind="HKQuantityTypeIdentifierHeartRate") + record(day(2), 9000)
               + record(day(30), 9000))
    response = client.post("/walking/upload", data={"file": (io.BytesIO(apple_zip(records)), "export.zip")},
                           headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Days read: 4" in page and "Credited: 3" in page and "Refused: 1" in page
    assert "older than the submission window" in page
    days = {d.day.isoformat(): (d.steps, d.credited_won) for d in db.session.scalars(select(WalkingDay))}
    assert days == {day(1): (7000, 70), day(2): (9000, 90)}
    sources = set(db.session.scalars(select(StepRecord.source)))
    assert sources == {"apple-iphone", "apple-apple-watch"}


def test_a_large_apple_export_is_read_in_constant_memory(app):
    rows = "".join(record(day(i % 5), 10) for i in range(60_000))  # ~12 MB of XML
    data = apple_zip(rows)
    with app.test_request_context():
        tracemalloc.start()
        result = read_apple_export(io.BytesIO(data))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert sum(r["steps"] for r in result) == 600_000
    assert peak < 3_000_000, peak  # a tree of the whole file would take well over 50 MB


@pytest.mark.parametrize("content, message", [
    (b"not a zip", "not a zip file"),
    (None, "no export.xml"),
])
def test_bad_apple_files_are_refused_with_a_reason(walker, login, client, content, message):
    login(walker())
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("other.txt", "x")
        content = buffer.getvalue()
    response = client.post("/walking/upload", data={"file": (io.BytesIO(content), "export.zip")},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    broken = apple_zip(record(day(1), 10))[:-40]
    assert client.post("/walking/upload", data={"file": (io.BytesIO(broken), "x.zip")}).status_code == 422


def test_samsung_daily_trend_csv(walker, fund, auth_header, client):
    user = walker()
    fund()
    from datetime import datetime, timezone

    def ms(n):
        d = today() - timedelta(days=n)
        return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000)

    csv = ("com.samsung.shealth.step_daily_trend,6310001,3\n"
           "binning_data,update_time,create_time,source_pkg_name,count,speed,distance,calorie,day_time,deviceuuid\n"
           f",2026,2026,com.sec.android.app.shealth,6500,1.2,5000,200,{ms(1)},phone\n"
           f",2026,2026,com.sec.android.app.shealth,7200,1.2,5000,200,{ms(1)},watch\n"
           f",2026,2026,com.sec.android.app.shealth,12000,1.2,5000,200,{ms(2)},phone\n")
    response = client.post("/api/v1/me/walking/uploads", data={"file": (io.BytesIO(csv.encode()), "steps.csv")},
                           headers=auth_header(user))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["summary"]["credited"] == 2
    db.session.expire_all()
    assert db.session.get(WalkingParticipant, user.id).balance_won == 70 + 100
    bad = client.post("/api/v1/me/walking/uploads", data={"file": (io.BytesIO(b"a,b\n1,2\n"), "steps.csv")},
                      headers={**auth_header(user), "Accept-Language": "en"})
    assert bad.status_code == 422 and "Samsung Health" in bad.get_json()["errors"]["file"][0]
    other = client.post("/api/v1/me/walking/uploads", data={"file": (io.BytesIO(b"x"), "steps.txt")},
                        headers=auth_header(user))
    assert other.status_code == 422


def staff_csv(rows):
    return ("email,date,steps,source\n" + "".join(f"{r}\n" for r in rows)).encode()


def test_staff_import_is_all_or_nothing_with_errors_by_row(walker, fund, make_user, auth_header, client):
    one, two = walker(), walker()
    fund()
    staff = {**auth_header(make_user(roles=["staff"])), "Accept-Language": "en"}
    outsider = make_user()
    bad = staff_csv([f"{one.email},{day(1)},7000,pedometer", f"{two.email},{day(-1)},7000,pedometer",
                     f"{outsider.email},{day(1)},7000,pedometer", f"{one.email},{day(2)},12.5,pedometer"])
    response = client.post("/api/v1/walking/imports", data={"file": (io.BytesIO(bad), "batch.csv")}, headers=staff)
    errors = response.get_json()["errors"]["file"]
    assert response.status_code == 422
    assert errors[0].startswith("Row 3:") and "future" in errors[0]
    assert errors[1].startswith("Row 4:") and "does not take part" in errors[1]
    assert errors[2].startswith("Row 5:") and "whole number" in errors[2]
    assert db.session.scalar(select(func.count()).select_from(StepRecord)) == 0
    good = staff_csv([f"{one.email},{day(1)},7000,pedometer", f"{two.email.upper()},{day(1)},80000,"])
    response = client.post("/api/v1/walking/imports", data={"file": (io.BytesIO(good), "batch.csv")}, headers=staff)
    assert response.status_code == 200 and response.get_json()["summary"] == {
        "credited": 1, "flagged": 1, "paused": 0, "refused": 0}
    assert client.post("/api/v1/walking/imports", data={"file": (io.BytesIO(good), "b.csv")},
                       headers=auth_header(one)).status_code == 403


def test_staff_import_page_shows_errors_beside_the_field(walker, make_user, login, client):
    login(make_user(roles=["staff"]))
    response = client.post("/walking/staff/import", data={"file": (io.BytesIO(b"name,when\n"), "x.csv")},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "email, date, steps" in response.get_data(as_text=True)
