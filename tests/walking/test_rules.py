"""The versioned reward rule: admins add versions; a day keeps the rule it was earned under."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.walking.models import RewardRule, WalkingDay
from app.walking.services import today


def rule_payload(**fields):
    return {"effective_from": today().isoformat(), "min_steps": 3000, "base_won": 30, "step_unit": 500,
            "unit_won": 10, "daily_max_won": 200, "conversion_daily_cap_won": 20000, **fields}


def test_a_day_keeps_the_rule_it_was_earned_under(walker, fund, make_user, auth_header, client, post_steps,
                                                  steps_header, runner):
    user = walker()
    fund()
    header = steps_header(user)
    yesterday = (today() - timedelta(days=1)).isoformat()
    post_steps(header, {"date": yesterday, "steps": 6000, "source": "a"})
    admin = {**auth_header(make_user(roles=["admin"])), "Accept-Language": "en"}
    created = client.post("/api/v1/walking/rules", json=rule_payload(), headers=admin)
    assert created.status_code == 201 and created.get_json()["version"] == 2
    post_steps(header, {"date": yesterday, "steps": 7000, "source": "a"})  # recomputed under version 1
    post_steps(header, {"date": today().isoformat(), "steps": 4000, "source": "a"})  # version 2
    days = {d.day.isoformat(): (d.credited_won, d.rule_id) for d in db.session.scalars(select(WalkingDay))}
    versions = {r.id: r.version for r in db.session.scalars(select(RewardRule))}
    assert days[yesterday][0] == 70 and versions[days[yesterday][1]] == 1
    assert days[today().isoformat()][0] == 50 and versions[days[today().isoformat()][1]] == 2
    listed = client.get("/api/v1/walking/rules", headers=admin).get_json()["items"]
    assert [r["version"] for r in listed] == [2, 1]
    assert runner.invoke(args=["ledger", "reconcile"]).exit_code == 0


def test_rule_changes_are_for_admins_and_never_in_the_past(make_user, auth_header, client):
    staff = auth_header(make_user(roles=["staff"]))
    assert client.post("/api/v1/walking/rules", json=rule_payload(), headers=staff).status_code == 403
    admin = {**auth_header(make_user(roles=["admin"])), "Accept-Language": "en"}
    past = client.post("/api/v1/walking/rules", json=rule_payload(
        effective_from=(today() - timedelta(days=1)).isoformat()), headers=admin)
    assert past.status_code == 422 and "past" in past.get_json()["errors"]["effective_from"][0]
    assert client.post("/api/v1/walking/rules", json=rule_payload(step_unit=0), headers=admin).status_code == 422
    assert client.post("/api/v1/walking/rules", json=rule_payload(conversion_daily_cap_won=1500),
                       headers=admin).status_code == 422
    assert client.post("/api/v1/walking/rules", json=rule_payload(), headers=admin).status_code == 201
    again = client.post("/api/v1/walking/rules", json=rule_payload(), headers=admin)
    assert again.status_code == 422 and "already starts" in again.get_json()["errors"]["effective_from"][0]


def test_crediting_a_day_from_the_command_line_is_idempotent(walker, fund, post_steps, steps_header, runner):
    from app.walking.models import MileageEntry

    user = walker()
    fund()
    post_steps(steps_header(user), {"date": (today() - timedelta(days=1)).isoformat(), "steps": 9000})
    for _ in range(2):
        result = runner.invoke(args=["walking", "credit"])
        assert "credited 0 day(s), 0 won" in result.output
    assert db.session.scalars(select(MileageEntry.amount_won)).all() == [90]
    old = runner.invoke(args=["walking", "credit", "--day", (today() - timedelta(days=30)).isoformat()])
    assert old.exit_code != 0 and "submission window" in old.output
    assert runner.invoke(args=["walking", "credit", "--day", "yesterday"]).exit_code != 0
