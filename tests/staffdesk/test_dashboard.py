"""/staff lists the waiting work each role can act on, with counts linking to the lists, in fixed queries."""
import re
from datetime import date, timedelta

from app.core import utcnow
from app.extensions import db
from app.labs.models import LabMode
from app.labs.services import labs as lab_services
from app.moderation import services as moderation


def _lab(facilitator, title="골목 쓰레기 리빙랩"):
    lab = lab_services.create_lab(
        facilitator, title=title, summary="골목마다 쓰레기가 무단으로 버려져 주민들이 불편을 겪고 있습니다.",
        mode=LabMode.RESIDENT_LED, district="onyang1", capacity=10,
        recruitment_deadline=date.today() + timedelta(days=14), starts_on=date.today(),
        ends_on=date.today() + timedelta(days=90))
    db.session.commit()
    return lab


def _apply(lab, user):
    lab_services.apply(lab, user, motivation="동네 문제를 함께 풀고 싶습니다.", group=lab_services.MemberGroup.CITIZEN,
                       today=date.today())
    db.session.commit()


def _queues(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="queue-(\w+)">\s*<a href="[^"]+">\s*[^<]*\s*(?:<strong class="badge">(\d+)</strong>)?', html))


def _waiting_work(make_proposal, make_user, proposals=1):
    for number in range(proposals):
        proposal = make_proposal(title=f"가로등 교체 요청 {number + 1}번")
        proposal.answer_due_at = utcnow()
        moderation.report_content(make_user(), "proposal", proposal.id, "광고성 게시물입니다")
    db.session.commit()


def test_residents_and_visitors_have_no_staff_page_or_link(client, login, make_user):
    assert client.get("/staff/").status_code == 302  # to the log-in page
    login(make_user())
    assert client.get("/staff/").status_code == 403
    assert 'href="/staff/"' not in client.get("/").get_data(as_text=True)


def test_staff_see_each_queue_with_its_count_and_the_menu_total(client, login, make_user, make_proposal):
    _waiting_work(make_proposal, make_user)
    login(make_user(["staff"]))
    response = client.get("/staff/", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    queues = _queues(html)
    assert queues["reports"] == "1" and queues["answers"] == "1" and queues["approvals"] == "0"
    assert queues["confirmations"] == "0" and "jobs" in queues and "applications" not in queues
    for url in ("/moderation/", "/proposals/staff", "/allowances/approvals", "/allowances/confirmations",
                "/staff/jobs/"):
        assert f'href="{url}"' in html
    menu = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<a href="/staff/">Staff dashboard <span class="nav-count">2<span class="visually-hidden"> waiting', menu)
    korean = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert re.search(r'<a href="/staff/">담당자 현황판 <span class="nav-count">2', korean)


def test_facilitators_see_their_labs_applications_and_nothing_of_staff(client, login, make_user):
    facilitator = make_user(roles=["facilitator"])
    lab, other = _lab(facilitator), _lab(make_user(roles=["facilitator"]), title="다른 리빙랩")
    _apply(lab, make_user())
    _apply(lab, make_user())
    _apply(other, make_user())
    login(facilitator)
    html = client.get("/staff/").get_data(as_text=True)
    queues = _queues(html)
    assert set(queues) == {"confirmations", "applications"} and queues["applications"] == "2"
    assert f'href="/labs/{lab.id}/members">골목 쓰레기 리빙랩</a> <strong class="badge">2' in html
    assert "다른 리빙랩" not in html


def test_the_dashboard_and_the_menu_run_a_fixed_number_of_queries(client, login, make_user, make_proposal,
                                                                  count_queries):
    staff = make_user(["staff", "facilitator"])
    _waiting_work(make_proposal, make_user)
    _apply(_lab(staff), make_user())
    login(staff)
    client.get("/staff/")
    db.session.expire_all()
    with count_queries() as few:
        assert client.get("/staff/").status_code == 200
    _waiting_work(make_proposal, make_user, proposals=4)
    for number in range(3):
        _apply(_lab(staff, title=f"리빙랩 {number}"), make_user())
    db.session.expire_all()
    with count_queries() as many:
        html = client.get("/staff/").get_data(as_text=True)
    assert _queues(html)["reports"] == "5" and _queues(html)["applications"] == "4"
    assert len(many) == len(few) <= 8  # the user, their roles, the counts, the labs, notifications
