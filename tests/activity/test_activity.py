"""/me/activity and /api/v1/me/activity: a resident's proposals, supports, comments, follows, labs,
allowances and certificates in one place, capped with links to all of it, in a fixed number of queries."""
import re
from datetime import date, timedelta

from app.extensions import db
from app.labs.models import LabMode, MemberGroup
from app.labs.services import labs as lab_services
from app.proposals import services as proposal_services


def _busy_resident(make_user, make_proposal, make_comment, proposals=1):
    me = make_user(display_name="김주민")
    for number in range(proposals):
        mine = make_proposal(me, title=f"우리 동네 가로등 교체 요청 {number + 1}")
        other = make_proposal(title=f"버스 정류장 그늘막 설치 {number + 1}")
        proposal_services.support_proposal(me, other)
        proposal_services.follow_proposal(me, other)
        make_comment(me, other, body=f"저도 같은 생각입니다. 꼭 설치해 주세요 {number + 1}.")
        db.session.commit()
    facilitator = make_user(roles=["facilitator"])
    lab = lab_services.create_lab(
        facilitator, title="골목 쓰레기 리빙랩", summary="골목마다 쓰레기가 무단으로 버려져 주민들이 불편을 겪고 있습니다.",
        mode=LabMode.RESIDENT_LED, district="onyang1", capacity=10,
        recruitment_deadline=date.today() + timedelta(days=14), starts_on=date.today(),
        ends_on=date.today() + timedelta(days=90))
    lab_services.apply(lab, me, motivation="동네 문제를 함께 풀고 싶습니다.", group=MemberGroup.CITIZEN,
                       today=date.today())
    db.session.commit()
    return me, mine


def _section(html: str, key: str) -> str:
    return html.split(f'id="activity-{key}"', 1)[1].split("</section>", 1)[0]


def test_visitors_are_sent_to_log_in_and_see_no_menu_link(client):
    assert client.get("/me/activity").status_code == 302
    assert 'href="/me/activity"' not in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/me/activity").status_code == 401


def test_the_page_lists_every_kind_of_activity(client, login, make_user, make_proposal, make_comment):
    me, mine = _busy_resident(make_user, make_proposal, make_comment)
    login(me)
    home = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<a href="/me/activity">내 활동</a>' in home
    html = client.get("/me/activity", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert f'href="/proposals/{mine.id}">우리 동네 가로등 교체 요청 1</a>' in _section(html, "proposals")
    assert "버스 정류장 그늘막 설치 1" in _section(html, "supports")
    assert "저도 같은 생각입니다" in _section(html, "comments") and "#comment-" in _section(html, "comments")
    assert "골목 쓰레기 리빙랩" in _section(html, "labs") and "신청" in _section(html, "labs")
    assert "버스 정류장 그늘막 설치 1" in _section(html, "follows")
    assert "아직 없습니다" in _section(html, "certificates") and 'href="/labs/"' not in _section(html, "certificates")
    assert "방금 전" in _section(html, "proposals")  # relative times, the absolute one in the title


def test_sections_are_capped_with_a_link_to_all_and_paginated(client, login, make_user, make_proposal,
                                                              make_comment, count_queries):
    me, _ = _busy_resident(make_user, make_proposal, make_comment, proposals=1)
    login(me)
    client.get("/me/activity")
    db.session.expire_all()
    with count_queries() as few:
        client.get("/me/activity")
    for number in range(6):
        make_proposal(me, title=f"추가 제안입니다 {number}")
        make_comment(me, make_proposal(title=f"다른 사람 제안 {number}"), body=f"좋은 의견입니다 {number}번째.")
    db.session.expire_all()
    with count_queries() as many:
        html = client.get("/me/activity").get_data(as_text=True)
    assert len(many) == len(few)
    proposals = _section(html, "proposals")
    assert proposals.count("<li>") == 5 and 'href="/me/activity?section=proposals"' in proposals
    page_one = client.get("/me/activity?section=proposals").get_data(as_text=True)
    assert page_one.count('href="/proposals/') >= 7
    assert client.get("/me/activity?section=nonsense").status_code == 404
    second = client.get("/me/activity?section=comments&page=2")
    assert second.status_code == 200 and "좋은 의견입니다" not in second.get_data(as_text=True)


def test_the_api_gives_the_same_sections(client, auth_header, make_user, make_proposal, make_comment):
    me, mine = _busy_resident(make_user, make_proposal, make_comment)
    body = client.get("/api/v1/me/activity", headers={**auth_header(me), "Accept-Language": "en"}).get_json()
    sections = {s["key"]: s for s in body["sections"]}
    assert list(sections) == ["proposals", "supports", "comments", "follows", "labs", "allowances", "certificates"]
    assert sections["proposals"]["total"] == 1 and sections["proposals"]["items"][0]["url"] == f"/proposals/{mine.id}"
    assert sections["proposals"]["items"][0]["when"].endswith("Z")
    assert sections["supports"]["total"] == sections["comments"]["total"] == 1
    assert sections["follows"]["total"] == 2  # authors follow their own proposals
    assert sections["labs"]["items"][0]["title"] == "골목 쓰레기 리빙랩"
    assert sections["certificates"] == {"key": "certificates", "label": "My certificates", "total": 0, "items": [],
                                        "see_all": "/me/certificates"}
    assert re.match(r"/proposals/\d+#comment-\d+", sections["comments"]["items"][0]["url"])
