"""Public statistics and the staff dashboard: SVG charts with their numbers, small groups suppressed,
CSV downloads, and a fixed number of queries whatever the data."""
import csv
import io
from datetime import date, timedelta

from app.core import utcnow
from app.extensions import db
from app.proposals.models import Proposal, ProposalStatus


def crowd(make_user, make_proposal, count, district, birth_year):
    people = [make_user(district=district, birth_year=birth_year) for _ in range(count)]
    for person in people:
        make_proposal(person)
    return people


def answered(proposal, status, days):
    proposal.status = status
    proposal.answered_at = proposal.created_at + timedelta(days=days)


def test_participants_by_district_and_age_with_small_groups_suppressed(client, make_user, make_proposal):
    year = date.today().year
    crowd(make_user, make_proposal, 6, "onyang1", year - 35)
    crowd(make_user, make_proposal, 2, "baebang", year - 72)
    make_user(district="dogo")  # signed up but took no part: not a participant
    body = client.get("/api/v1/stats").get_json()
    charts = {c["key"]: c for c in body["charts"]}
    assert body["min_group"] == 5
    assert {r["key"]: r["value"] for r in charts["participants_by_district"]["rows"]} == {
        "onyang1": 6, "baebang": None}
    assert {r["key"]: r["value"] for r in charts["participants_by_age"]["rows"]} == {"30": 6, "70": None}
    html = client.get("/stats/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Participants by district" in html and "fewer than 5" in html and "Dogo" not in html
    svg = html[html.index('<svg class="chart"'):html.index("</svg>")]
    assert 'role="img"' in svg and "<rect" in svg and "style=" not in svg
    assert 'href="/stats/"' in html  # in the footer of every page


def test_proposals_by_field_and_status_adoption_and_median_answer_time(client, make_user, make_proposal):
    author = make_user()
    proposals = [make_proposal(author, field=field) for field in ("transport", "transport", "safety", "environment")]
    answered(proposals[0], ProposalStatus.ADOPTED, 10)
    answered(proposals[1], ProposalStatus.NOT_ADOPTED, 20)
    answered(proposals[2], ProposalStatus.PARTLY_ADOPTED, 40)
    db.session.commit()
    charts = {c["key"]: c for c in client.get("/api/v1/stats").get_json()["charts"]}
    assert {r["key"]: r["value"] for r in charts["proposals_by_field"]["rows"]} == {
        "transport": 2, "safety": 1, "environment": 1}
    assert {r["key"]: r["value"] for r in charts["proposals_by_status"]["rows"]} == {
        "open": 1, "adopted": 1, "partly_adopted": 1, "not_adopted": 1}
    assert charts["proposals_by_status"]["extra"] == {"decided": 3, "adopted": 2, "adoption_rate": 67}
    assert charts["answer_days"]["extra"] == {"median_days": 20.0, "answered": 3}
    html = client.get("/stats/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "20.0 days" in html and "67 % (2/3)" in html


def test_policies_labs_kpis_and_allowances(client, world, make_user):
    from app.labs.models import KpiValue
    from app.policies.models import Policy, PolicyStatus, PolicyStep, StepState

    db.session.add(Policy(title="가로등 확충", department="도로과", status=PolicyStatus.IN_PROGRESS,
                          steps=[PolicyStep(position=1, title="설계", weight=1, state=StepState.DONE),
                                 PolicyStep(position=2, title="시공", weight=1, state=StepState.PLANNED)]))
    this_year = utcnow().year
    db.session.add_all([KpiValue(lab_id=world.lab.id, name="참여자", unit="명", target=10, actual=12),
                        KpiValue(lab_id=world.lab.id, name="만족도", unit="점", target=4, actual=3)])
    db.session.commit()
    charts = {c["key"]: c for c in client.get("/api/v1/stats").get_json()["charts"]}
    assert {r["key"]: r["value"] for r in charts["policies_by_status"]["rows"]} == {"in_progress": 1}
    assert {r["key"]: r["value"] for r in charts["policies_by_progress"]["rows"]}["2"] == 1  # 50 %
    assert charts["policies_by_progress"]["extra"]["average"] == 50
    assert {r["key"]: r["value"] for r in charts["labs_by_stage"]["rows"]} == {"problem": 1}
    assert charts["labs_per_year"]["rows"] == [{"key": str(date.today().year), "label": str(date.today().year),
                                                "value": 1}]
    assert charts["lab_kpis_per_year"]["rows"][0]["value"] == 50
    assert charts["lab_kpis_per_year"]["extra"]["years"][str(this_year)] == {"kpis": 2, "reached": 1}
    # One person was paid: the year's total would reveal their allowance, so it is suppressed.
    assert charts["allowances_paid"]["rows"] == [{"key": str(this_year), "label": str(this_year), "value": None}]


def test_each_chart_downloads_as_csv(client, make_user, make_proposal):
    year = date.today().year
    crowd(make_user, make_proposal, 5, "onyang2", year - 45)
    crowd(make_user, make_proposal, 1, "dunpo", year - 45)
    response = client.get("/stats/participants_by_district.csv", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [["Group", "people"], ["Onyang 2-dong", "5"], ["Dunpo-myeon", "<5"]]
    assert client.get("/stats/nothing.csv").status_code == 404


def test_pages_run_a_fixed_number_of_queries(client, make_user, make_proposal, login, count_queries):
    staff = make_user(["staff"])
    crowd(make_user, make_proposal, 2, "onyang1", 1980)
    login(staff)

    def measure(url):
        db.session.expire_all()  # each request loads the logged-in user afresh, as in production
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        return queries

    small_public, small_staff = measure("/stats/"), measure("/stats/staff")
    crowd(make_user, make_proposal, 12, "baebang", 1990)
    for proposal in db.session.query(Proposal).limit(6):
        answered(proposal, ProposalStatus.ADOPTED, 3)
    db.session.commit()
    large_public, large_staff = measure("/stats/"), measure("/stats/staff")
    assert len(small_public) == len(large_public) <= 16
    assert len(small_staff) == len(large_staff) <= 20


def test_the_staff_dashboard_is_for_staff(client, make_user, login, auth_header):
    resident, staff = make_user(), make_user(["staff"])
    login(resident)
    assert client.get("/stats/staff").status_code == 403
    assert client.get("/api/v1/stats/staff", headers=auth_header(resident)).status_code == 403
    client.post("/logout")
    login(staff)
    html = client.get("/stats/staff", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Waiting for someone" in html and "Pending deletions" in html
    body = client.get("/api/v1/stats/staff", headers=auth_header(staff)).get_json()
    assert body["waiting"]["deletions_pending"] == 0 and body["charts"]
