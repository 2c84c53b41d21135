"""The staff import's set-based path keeps the rules of the single-record API path: the same records give
the same step records, days and ledger; a later row of the same day and source replaces an earlier one;
a resend replaces, keeps a staff decision on an unchanged count, and never credits twice."""
import io

from sqlalchemy import func, select

from app.extensions import db
from app.walking.models import MileageEntry, ReviewStatus, StepRecord, WalkingDay, WalkingParticipant


def state(user):
    """One resident's step records, days, mileage entries and balance."""
    db.session.expire_all()
    records = sorted((r.day, r.source, r.steps, r.review.value)
                     for r in db.session.scalars(select(StepRecord).where(StepRecord.user_id == user.id)))
    days = sorted((d.day, d.steps, d.reward_won, d.credited_won, d.pending)
                  for d in db.session.scalars(select(WalkingDay).where(WalkingDay.user_id == user.id)))
    entries = sorted((e.day, e.amount_won)
                     for e in db.session.scalars(select(MileageEntry).where(MileageEntry.user_id == user.id)))
    return records, days, entries, db.session.get(WalkingParticipant, user.id).balance_won


def import_csv(client, header, rows):
    body = ("email,date,steps,source\n" + "".join(f"{r}\n" for r in rows)).encode()
    return client.post("/api/v1/walking/imports", data={"file": (io.BytesIO(body), "batch.csv")},
                       headers={**header, "Accept-Language": "en"})


SENDS = [  # (days ago, steps, source), in three sends: new counts, a correction, a lower source and a flag
    [(1, 7000, "phone"), (2, 12000, "phone"), (3, 4000, "watch")],
    [(1, 9000, "phone"), (1, 6500, "watch"), (2, 80000, "watch")],
    [(1, 9000, "phone"), (3, 5000, "watch"), (2, 11000, "phone")],
]


def test_the_import_and_the_api_leave_the_same_records_days_and_ledger(walker, fund, make_user, auth_header,
                                                                     steps_header, post_steps, days_ago, client):
    fund()
    by_api = walker()
    header = steps_header(by_api)
    for send in SENDS:
        answer = post_steps(header, {"records": [{"date": days_ago(n), "steps": s, "source": src}
                                                 for n, s, src in send]})
        assert answer.status_code == 200, answer.get_json()
    by_file = walker()
    staff = auth_header(make_user(roles=["staff"]))
    for send in SENDS:
        answer = import_csv(client, staff, [f"{by_file.email},{days_ago(n)},{s},{src}" for n, s, src in send])
        assert answer.status_code == 200, answer.get_json()
    through_api = state(by_api)
    assert state(by_file) == through_api
    records, days, _entries, balance = through_api
    assert [d[1:] for d in days] == [(5000, 50, 50, False), (11000, 100, 100, False), (9000, 90, 90, False)]
    assert ("flagged" in {r[3] for r in records}) and balance == 240


def test_a_later_row_for_the_same_day_and_source_replaces_the_earlier_one(walker, fund, make_user, auth_header,
                                                                          days_ago, client):
    user = walker()
    fund()
    staff = auth_header(make_user(roles=["staff"]))
    answer = import_csv(client, staff, [f"{user.email},{days_ago(1)},6000,pedometer",
                                        f"{user.email},{days_ago(1)},8000,pedometer"])
    body = answer.get_json()
    assert answer.status_code == 200 and body["summary"] == {"credited": 1, "flagged": 0, "paused": 0, "refused": 1}
    assert "Replaced by a later record" in body["records"][0]["reason"]
    assert body["records"][1]["day_mileage_won"] == 80
    assert db.session.scalar(select(StepRecord.steps)) == 8000


def test_a_resent_file_changes_nothing_and_keeps_a_staff_decision(walker, fund, make_user, auth_header, days_ago,
                                                                   client):
    user = walker()
    fund()
    staff_user = make_user(roles=["staff"])
    staff = auth_header(staff_user)
    rows = [f"{user.email},{days_ago(1)},70000,pedometer", f"{user.email},{days_ago(2)},7000,pedometer"]
    assert import_csv(client, staff, rows).get_json()["summary"]["flagged"] == 1
    flagged = db.session.scalar(select(StepRecord).where(StepRecord.review == ReviewStatus.FLAGGED))
    assert client.post(f"/api/v1/walking/flagged/{flagged.id}", json={"decision": "cleared"},
                       headers=staff).status_code == 200
    before = state(user)
    assert before[2] == sorted([(flagged.day, 100), (before[1][0][0], 70)])  # cleared day earns, once
    again = import_csv(client, staff, rows)
    assert again.status_code == 200 and again.get_json()["credited_won"] == 0
    assert state(user) == before  # the same counts: the cleared one stays cleared, nothing credited twice
    changed = import_csv(client, staff, [f"{user.email},{days_ago(1)},71000,pedometer"])
    assert changed.get_json()["records"][0]["status"] == "flagged"  # a new count is judged again
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(MileageEntry.amount_won))) == 70  # the day waits for review again
