"""English pages: department names staff give in English, bank names, plurals and lang="ko" on Korean text."""
from __future__ import annotations

import re

from app.audit.models import AuditEntry
from app.extensions import db
from app.names.models import DepartmentName
from app.policies import services as policies
from app.policies.models import Horizon


def _policy(staff, department="정보통신과", title="AI 기반 CCTV"):
    policy = policies.create_policy(
        staff, policies.PolicyData(title=title, summary="스마트 안전", department=department, horizon=Horizon.NEAR),
        steps=[("구축", 2)], proposal_ids=(), field_slug=None)
    db.session.commit()
    return policy


def _english(client):
    client.post("/language", data={"locale": "en", "next": "/"})


def test_staff_give_an_english_name_shown_on_the_english_site_only(client, login, make_user):
    staff = make_user(["staff"], city_employee=True)
    policy = _policy(staff)
    _policy(staff, department="도시경제과", title="상가 활성화")
    login(staff)
    page = client.get("/staff/department-names/").get_data(as_text=True)
    assert "정보통신과" in page and "도시경제과" in page
    response = client.post("/staff/department-names/", data={"name": "정보통신과",
                                                            "name_en": "  Information and   Communications Division "})
    assert response.status_code == 302
    row = db.session.get(DepartmentName, "정보통신과")
    assert row.name_en == "Information and Communications Division" and row.updated_by_id == staff.id
    assert db.session.query(AuditEntry).filter_by(action="department_name.set").count() == 1

    korean = client.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert "<dd>정보통신과</dd>" in korean
    _english(client)
    english = client.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert "<dd>Information and Communications Division</dd>" in english
    listing = client.get("/policies").get_data(as_text=True)
    assert "Information and Communications Division" in listing
    assert '<span lang="ko">도시경제과</span>' in listing  # no English form: Korean, marked as Korean
    assert re.search(r'<h2 lang="ko"><a href="/policies/\d+">AI 기반 CCTV</a></h2>', listing)

    # An empty English name removes it again.
    assert client.post("/staff/department-names/", data={"name": "정보통신과", "name_en": ""}).status_code == 302
    assert db.session.get(DepartmentName, "정보통신과") is None


def test_department_names_refuse_bad_input_and_non_staff(client, login, make_user):
    staff = make_user(["staff"], city_employee=True)
    _policy(staff)
    resident = make_user()
    assert client.get("/staff/department-names/").status_code == 401
    login(resident)
    assert client.get("/staff/department-names/").status_code == 403
    assert client.post("/staff/department-names/", data={"name": "정보통신과", "name_en": "X"}).status_code == 403
    client.post("/logout")
    login(staff)
    too_long = client.post("/staff/department-names/", data={"name": "정보통신과", "name_en": "A" * 101})
    assert too_long.status_code == 422
    html = too_long.get_data(as_text=True)
    assert "at most 100 characters" in html or "100자" in html
    assert 'value="' + "A" * 101 + '"' in html  # what was typed is kept
    assert html.count('aria-invalid="true"') == 1
    unknown = client.post("/staff/department-names/", data={"name": "없는과", "name_en": "Nowhere"})
    assert unknown.status_code == 422
    assert db.session.query(DepartmentName).count() == 0


def test_english_page_lists_use_one_query_for_department_names(client, make_user, count_queries):
    staff = make_user(["staff"], city_employee=True)
    for n in range(4):
        _policy(staff, department=f"부서{n}", title=f"정책 {n}")
    _english(client)
    with count_queries() as few:
        client.get("/policies")
    for n in range(4, 10):
        _policy(staff, department=f"부서{n}", title=f"정책 {n}")
    with count_queries() as many:
        client.get("/policies")
    assert len(many) == len(few)


def test_banks_and_plurals_in_english(client, login, make_user, make_proposal):
    from app.ledger.models import bank_label

    assert bank_label("없는은행") == "없는은행"  # a name not on the list: as written
    user = make_user()
    login(user)
    assert '<option value="농협은행">농협은행</option>' in client.get("/me/bank-account").get_data(as_text=True)
    _english(client)
    page = client.get("/me/bank-account").get_data(as_text=True)
    assert ">NH NongHyup Bank</option>" in page and 'value="농협은행"' in page

    make_proposal(user, title="골목길 가로등 설치")
    listing = client.get("/proposals/").get_data(as_text=True)
    assert "1 proposal" in listing and "1 proposals" not in listing
    make_proposal(user, title="버스 정류장 의자")
    assert "2 proposals" in client.get("/proposals/").get_data(as_text=True)


def test_korean_user_text_is_marked_on_the_english_site(client, make_user, make_proposal, make_comment):
    author = make_user(display_name="김민수")
    proposal = make_proposal(author, title="골목길 가로등 설치")
    make_comment(make_user(display_name="이영희"), proposal, body="좋은 제안입니다. 찬성합니다.")
    korean = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<h1>골목길 가로등 설치</h1>" in korean  # the page itself is Korean: nothing to mark
    _english(client)
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert '<h1 lang="ko">골목길 가로등 설치</h1>' in html
    assert '<span lang="ko">김민수</span>' in html
    assert '<div class="proposal-body" lang="ko">' in html
    assert '<strong lang="ko">이영희</strong>' in html and '<div class="comment-body" lang="ko">' in html
