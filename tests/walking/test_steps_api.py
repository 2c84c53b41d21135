"""POST /api/v1/steps: per-record outcomes, idempotent re-sending, max across sources, flags, budget."""
from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import Budget
from app.walking.models import MileageEntry, StepRecord, WalkingDay, WalkingParticipant


def balance(user):
    db.session.expire_all()
    return db.session.get(WalkingParticipant, user.id).balance_won


def test_a_single_record_is_credited_under_the_default_rule(walker, fund, steps_header, post_steps, days_ago):
    user = walker()
    fund()
    response = post_steps(steps_header(user), {"date": days_ago(1), "steps": 8123, "source": "gotju"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["records"] == [{"index": 0, "date": days_ago(1), "source": "gotju", "steps": 8123,
                                "status": "credited", "reason": None, "day_mileage_won": 80}]
    assert body["credited_won"] == 80 and body["paused"] is False
    assert balance(user) == 80


def test_the_reward_table(walker, fund, steps_header, post_steps, days_ago):
    user = walker()
    fund()
    header = steps_header(user)
    counts = [4999, 5000, 5999, 6000, 9999, 10000, 25000]
    records = [{"date": days_ago(i), "steps": s, "source": "app"} for i, s in enumerate(counts)]
    body = post_steps(header, {"records": records}).get_json()
    assert [r["day_mileage_won"] for r in body["records"]] == [0, 50, 50, 60, 90, 100, 100]


def test_each_bad_record_is_refused_with_its_reason_and_the_good_ones_are_taken(walker, fund, steps_header,
                                                                                 post_steps, days_ago):
    user = walker()
    fund()
    records = [
        {"date": days_ago(-1), "steps": 6000, "source": "app"},
        {"date": days_ago(8), "steps": 6000, "source": "app"},
        {"date": days_ago(1), "steps": 6000.5, "source": "app"},
        {"date": days_ago(1), "steps": -3, "source": "app"},
        {"date": days_ago(1), "steps": "many", "source": "app"},
        {"date": "20-11-2026", "steps": 6000, "source": "app"},
        {"date": days_ago(1), "steps": True, "source": "app"},
        {"date": days_ago(1), "steps": 6000, "source": "no spaces allowed"},
        "not an object",
        {"date": days_ago(2), "steps": 7000, "source": "app"},
    ]
    body = post_steps(steps_header(user), {"records": records}).get_json()
    statuses = [r["status"] for r in body["records"]]
    assert statuses == ["refused"] * 9 + ["credited"]
    reasons = [r["reason"] for r in body["records"]]
    assert "future" in reasons[0] and "older than 7 days" in reasons[1]
    assert all("whole number" in r for r in reasons[2:5]) and "YYYY-MM-DD" in reasons[5]
    assert "whole number" in reasons[6] and "source" in reasons[7] and "object" in reasons[8]
    assert db.session.scalar(select(func.count()).select_from(StepRecord)) == 1
    assert balance(user) == 70


def test_resending_replaces_and_a_correction_is_a_difference_entry(walker, fund, steps_header, post_steps, days_ago):
    user = walker()
    fund()
    header = steps_header(user)
    for _ in range(3):
        post_steps(header, {"date": days_ago(1), "steps": 7000, "source": "app"})
    assert balance(user) == 70
    assert db.session.scalar(select(func.count()).select_from(MileageEntry)) == 1
    post_steps(header, {"date": days_ago(1), "steps": 9500, "source": "app"})
    post_steps(header, {"date": days_ago(1), "steps": 6100, "source": "app"})
    amounts = db.session.scalars(select(MileageEntry.amount_won).order_by(MileageEntry.id)).all()
    assert amounts == [70, 20, -30] and balance(user) == 60
    assert db.session.scalar(select(func.count()).select_from(StepRecord)) == 1


def test_the_highest_source_counts_never_the_sum(walker, fund, steps_header, post_steps, days_ago):
    user = walker()
    fund()
    header = steps_header(user)
    post_steps(header, {"date": days_ago(1), "steps": 6000, "source": "phone"})
    post_steps(header, {"date": days_ago(1), "steps": 8000, "source": "watch"})
    post_steps(header, {"date": days_ago(1), "steps": 5000, "source": "band"})
    day = db.session.scalar(select(WalkingDay))
    assert (day.steps, day.credited_won) == (8000, 80) and balance(user) == 80


def test_an_implausible_count_is_kept_flagged_and_not_rewarded_until_cleared(walker, fund, make_user, auth_header,
                                                                            steps_header, post_steps, days_ago, client):
    user = walker()
    fund()
    header = steps_header(user)
    post_steps(header, {"date": days_ago(1), "steps": 6000, "source": "phone"})
    body = post_steps(header, {"date": days_ago(1), "steps": 150_000, "source": "shaker"}).get_json()
    record = body["records"][0]
    assert record["status"] == "flagged" and "60,000" in record["reason"] and record["day_mileage_won"] == 60
    staff = auth_header(make_user(roles=["staff"]))
    flagged = client.get("/api/v1/walking/flagged", headers=staff).get_json()["items"]
    assert [(r["steps"], r["source"]) for r in flagged] == [(150_000, "shaker")]
    answer = client.post(f"/api/v1/walking/flagged/{flagged[0]['id']}", json={"decision": "cleared"}, headers=staff)
    assert answer.status_code == 200 and balance(user) == 100
    again = client.post(f"/api/v1/walking/flagged/{flagged[0]['id']}", json={"decision": "cleared"}, headers=staff)
    assert again.status_code == 409
    client.post(f"/api/v1/walking/flagged/{flagged[0]['id']}", json={"decision": "rejected"}, headers=staff)
    assert balance(user) == 60
    # re-sending the same count keeps the staff decision
    post_steps(header, {"date": days_ago(1), "steps": 150_000, "source": "shaker"})
    assert db.session.scalar(select(StepRecord.review).where(StepRecord.source == "shaker")).value == "rejected"


def test_at_most_1000_records_and_a_json_object(walker, steps_header, post_steps, days_ago, client):
    header = steps_header(walker())
    too_many = post_steps(header, {"records": [{"date": days_ago(1), "steps": 1, "source": "a"}] * 1001})
    assert too_many.status_code == 422 and "records" in too_many.get_json()["errors"]
    assert post_steps(header, {"records": "x"}).status_code == 422
    assert post_steps(header, {"records": [], "extra": 1}).status_code == 422
    assert client.post("/api/v1/steps", data="x", headers=header).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(StepRecord)) == 0


def test_a_full_batch_of_1000_days_from_many_sources(walker, fund, steps_header, post_steps, days_ago):
    user = walker()
    fund()
    records = [{"date": days_ago(i % 7), "steps": 5000 + i, "source": f"s{i}"} for i in range(1000)]
    body = post_steps(steps_header(user), {"records": records}).get_json()
    assert body["summary"]["credited"] == 1000
    # the best source of each day counts: 5000 + the largest i with that i % 7
    assert balance(user) == sum(min(100, 50 + (max(i for i in range(1000) if i % 7 == d)) // 1000 * 10)
                                for d in range(7))


def test_without_joining_steps_are_refused(make_user, auth_header, post_steps, days_ago):
    response = post_steps(auth_header(make_user()), {"date": days_ago(1), "steps": 6000})
    assert response.status_code == 409 and "Join" in response.get_json()["error"]["message"]


def test_when_the_budget_runs_out_earning_pauses_and_resumes_when_staff_add(walker, fund, steps_header, post_steps,
                                                                            days_ago, make_user, auth_header, client,
                                                                            runner):
    first, second = walker(), walker()
    budget = fund(120)
    body = post_steps(steps_header(first), {"records": [
        {"date": days_ago(2), "steps": 10000, "source": "a"}, {"date": days_ago(1), "steps": 10000, "source": "a"}]}
    ).get_json()
    assert [r["status"] for r in body["records"]] == ["credited", "paused"] and body["paused"] is True
    assert "budget has run out" in body["records"][1]["reason"]
    header = steps_header(second)
    wallet = client.get("/api/v1/me/wallet", headers=header).get_json()
    assert wallet["paused"] is True
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).remaining_won == 20
    staff = auth_header(make_user(roles=["staff"]))
    added = client.post("/api/v1/walking/budget", json={"fiscal_year": budget.fiscal_year, "amount": 1000},
                        headers=staff)
    assert added.status_code == 200 and added.get_json()["credited_won"] == 100
    assert balance(first) == 200
    assert client.get("/api/v1/me/wallet", headers=header).get_json()["paused"] is False
    db.session.expire_all()
    stored = db.session.get(Budget, budget.id)
    assert (stored.allocated_won, stored.committed_won) == (1120, 200)
    result = runner.invoke(args=["ledger", "reconcile"])
    assert result.exit_code == 0, result.output


def test_the_budget_never_goes_below_zero_without_a_budget_nothing_is_credited(walker, steps_header, post_steps,
                                                                               days_ago):
    user = walker()
    body = post_steps(steps_header(user), {"date": days_ago(1), "steps": 9000, "source": "a"}).get_json()
    assert body["records"][0]["status"] == "paused" and balance(user) == 0
