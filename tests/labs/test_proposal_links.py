from datetime import date, timedelta

from flask import render_template_string

from app.extensions import db
from app.labs.models import LabStage
from app.labs.queries import labs_from_proposal
from tests.factories import choices, make_proposal  # noqa: F401  (fixtures)


def test_a_city_commissioned_lab_links_its_proposals_and_is_promoted_on_them(client, make_user, auth_header,
                                                                              make_proposal):  # noqa: F811
    first, second = make_proposal(title="골목길 불법 주차 단속 요청"), make_proposal(title="학교 앞 주차 문제")
    staff = make_user(roles=["staff"])
    today = date.today()
    body = {"title": "주차 문제 함께 풀기", "summary": "주차 문제를 주민과 함께 풀어 보는 참여독려형 리빙랩입니다.",
            "mode": "city_commissioned", "district": "baebang", "capacity": 6,
            "recruitment_deadline": (today + timedelta(days=7)).isoformat(), "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat()}
    missing = client.post("/api/v1/labs", json={**body, "proposal_ids": [first.id, 999999]}, headers=auth_header(staff))
    assert missing.status_code == 422 and "proposal_ids" in missing.get_json()["errors"]
    created = client.post("/api/v1/labs", json={**body, "proposal_ids": [first.id, second.id]},
                          headers=auth_header(staff))
    assert created.status_code == 201 and created.get_json()["proposal_ids"] == [first.id, second.id]
    lab_id = created.get_json()["id"]
    assert [lab.id for lab in labs_from_proposal(first.id)] == [lab_id]

    page = client.get(f"/labs/{lab_id}").get_data(as_text=True)
    assert f"/proposals/{first.id}" in page and "학교 앞 주차 문제" in page

    template = '{% include "labs/_promoted_for_proposal.html" %}'
    promoted = render_template_string(template, proposal=first)
    assert f"/labs/{lab_id}" in promoted
    lab = labs_from_proposal(first.id)[0]
    lab.stage = LabStage.CLOSED
    db.session.commit()
    assert f"/labs/{lab_id}" not in render_template_string(template, proposal=first)


def test_staff_find_a_link_to_start_a_lab_from_a_proposal(client, make_user, login, make_proposal):  # noqa: F811
    proposal = make_proposal()
    login(make_user(roles=["staff"]))
    form = client.get(f"/labs/new?mode=city_commissioned&proposal={proposal.id}").get_data(as_text=True)
    assert f'value="{proposal.id}"' in form


def test_the_proposal_page_promotes_its_recruiting_lab(client, make_user, make_proposal):  # noqa: F811
    from app.labs.services import labs as services
    from app.labs.models import LabMode

    proposal = make_proposal()
    today = date.today()
    lab = services.create_lab(make_user(roles=["staff"]), title="불법 주차 없는 골목 리빙랩",
                              summary="골목 불법 주차 문제를 주민과 함께 풀어 봅니다. 누구나 참여하세요.",
                              mode=LabMode.CITY_COMMISSIONED, district="onyang1", capacity=5,
                              recruitment_deadline=today + timedelta(days=3), starts_on=today,
                              ends_on=today + timedelta(days=30), proposal_ids=[proposal.id])
    db.session.commit()
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'href="/labs/{lab.id}"' in page
