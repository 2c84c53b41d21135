import re

from sqlalchemy import func, select

from app.comments.services import add_comment
from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal, ProposalStatus

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))"]


def form_data(**overrides):
    data = {"title": "버스정류장 그늘막 설치 요청", "body": "여름에 버스를 기다리는 어르신들이 더위에 너무 힘들어하십니다.",
            "field": "transport", "topics": ["bus"], "district": "onyang1", "latitude": "", "longitude": ""}
    data.update(overrides)
    return data


def test_a_resident_publishes_a_proposal(client, login, make_user, choices):
    login(make_user())
    response = client.post("/proposals/new", data=form_data())
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "버스정류장 그늘막 설치 요청" in page and "온양1동" in page


def test_bad_input_shows_translated_errors_and_saves_nothing(client, login, make_user, choices):
    login(make_user())
    response = client.post("/proposals/new", data=form_data(title="짧음", body="짧은 본문", topics=["bus", "ufo"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "제목은 5~120자" in html or "5 to 120" in html
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    response = client.post("/proposals/new", data=form_data(topics=["bus", "ufo"]))
    assert "ufo" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    response = client.post("/proposals/new", data=form_data(title="x" * 121))
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_script_payloads_are_inert_everywhere(client, login, make_user, choices):
    user = make_user()
    login(user)
    for payload in XSS:
        client.post("/proposals/new", data=form_data(title=f"제안 {payload}", body=f"본문입니다 {payload} " * 3))
    proposals = db.session.scalars(select(Proposal)).all()
    assert len(proposals) == 3
    for proposal in proposals:
        client.post(f"/comments/proposal/{proposal.id}", data={"body": XSS[proposal.id % 3], "stance": "for"})
    pages = [client.get("/proposals/").get_data(as_text=True)]
    pages += [client.get(f"/proposals/{p.id}").get_data(as_text=True) for p in proposals]
    pages.append(client.get("/search?q=제안").get_data(as_text=True))
    for html in pages:
        assert "<script>alert" not in html
        assert not re.search(r"<img[^>]*onerror", html)
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]


def test_the_list_filters_sorts_and_paginates(client, make_proposal, make_user):
    quiet = make_proposal(title="도서관 운영 시간 연장", field="culture", topics=[],
                          body="시립도서관이 저녁 6시에 문을 닫아 학생과 직장인이 이용하기 어렵습니다.")
    popular = make_proposal(title="골목 주차 문제 해결", field="transport", topics=["parking"], district="baebang")
    for _ in range(3):
        services.support_proposal(make_user(), popular)
    db.session.commit()
    html = client.get("/proposals/?sort=supports").get_data(as_text=True)
    assert html.index("골목 주차 문제 해결") < html.index("도서관 운영 시간 연장")
    assert "도서관" not in client.get("/proposals/?field=transport").get_data(as_text=True)
    assert "도서관" not in client.get("/proposals/?topic=parking").get_data(as_text=True)
    assert "도서관" not in client.get("/proposals/?district=baebang").get_data(as_text=True)
    assert "도서관" not in client.get("/proposals/?q=주차").get_data(as_text=True)
    assert "골목" not in client.get("/proposals/?answered=1").get_data(as_text=True).split("<main")[1].split("</form>")[1]
    assert "도서관" in client.get(f"/proposals/?status={ProposalStatus.OPEN.value}").get_data(as_text=True)
    assert quiet.id and client.get("/proposals/?page=99").status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(client, make_proposal, make_user, login, count_queries):
    login(make_user())
    make_proposal()
    with count_queries() as few:
        client.get("/proposals/")
    for n in range(25):
        make_proposal(title=f"제안 번호 {n} 입니다", topics=["parking", "bus"])
    with count_queries() as many:
        html = client.get("/proposals/?sort=comments").get_data(as_text=True)
    assert len(many) == len(few) <= 12
    assert 'href="/proposals/?sort=comments&amp;page=2"' in html or "page=2" in html


def test_a_proposal_page_with_many_comments_loads_one_page(client, make_proposal, make_user, count_queries):
    proposal = make_proposal()
    users = [make_user() for _ in range(3)]

    def add_threads(start, stop):
        for n in range(start, stop):
            top = add_comment(users[n % 3], "proposal", proposal, f"의견 {n}번입니다")
            add_comment(users[(n + 1) % 3], "proposal", proposal, f"답글 {n}번입니다", parent_id=top.id)
        db.session.commit()

    add_threads(0, 2)
    with count_queries() as few:
        client.get(f"/proposals/{proposal.id}")
    add_threads(2, 45)
    with count_queries() as full:
        html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert len(full) == len(few) <= 13  # 13: the thresholds row, for "N more supports needed" (issue 15)
    assert "의견 19번입니다" in html and "의견 20번입니다" not in html and "답글 0번입니다" in html
    more = re.search(r'href="([^"]+\?after=\d+)#comments"', html).group(1)
    second = client.get(more).get_data(as_text=True)
    assert "의견 20번입니다" in second and "의견 19번입니다" not in second


def test_editing_is_refused_after_the_first_support_with_a_message(client, login, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    login(author)
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 200
    assert client.post(f"/proposals/{proposal.id}/edit", data=form_data(title="바뀐 제목입니다")).status_code == 302
    services.support_proposal(make_user(), proposal)
    db.session.commit()
    response = client.get(f"/proposals/{proposal.id}/edit", follow_redirects=True)
    assert "수정할 수 없습니다" in response.get_data(as_text=True) or "no longer be edited" in response.get_data(as_text=True)


def test_only_the_author_edits_or_withdraws(client, login, make_proposal, make_user):
    proposal = make_proposal()
    login(make_user())
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 403
    assert client.post(f"/proposals/{proposal.id}/withdraw").status_code == 403


def test_withdrawing_keeps_the_proposal_visible(client, login, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    login(author)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "data-confirm" in page
    client.post(f"/proposals/{proposal.id}/withdraw")
    db.session.refresh(proposal)
    assert proposal.status is ProposalStatus.WITHDRAWN
    assert client.get(f"/proposals/{proposal.id}").status_code == 200


def test_support_and_follow_buttons(client, login, make_proposal, make_user):
    proposal, user = make_proposal(), make_user()
    login(user)
    client.post(f"/proposals/{proposal.id}/support")
    client.post(f"/proposals/{proposal.id}/support")
    db.session.refresh(proposal)
    assert proposal.support_count == 1
    assert services.is_following(user, proposal)
    client.post(f"/proposals/{proposal.id}/unfollow")
    assert not services.is_following(user, proposal)
    client.post(f"/proposals/{proposal.id}/unsupport")
    db.session.refresh(proposal)
    assert proposal.support_count == 0


def test_staff_answer_and_dashboard(client, login, make_proposal, make_user):
    proposal = make_proposal()
    resident = make_user()
    login(resident)
    assert client.get(f"/proposals/{proposal.id}/answer").status_code == 403
    assert client.get("/proposals/staff").status_code == 403
    staff = make_user(["staff"])
    client.post("/logout")
    login(staff)
    response = client.post(f"/proposals/{proposal.id}/answer", data={"status": "not_adopted", "department": "교통과",
                                                                     "body": "검토 결과를 알려 드립니다.", "reason": ""})
    assert response.status_code == 200 and proposal.answered_at is None
    client.post(f"/proposals/{proposal.id}/answer", data={"status": "adopted", "department": "교통과",
                                                         "body": "내년 예산에 반영하겠습니다."})
    db.session.refresh(proposal)
    assert proposal.status is ProposalStatus.ADOPTED
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert page.index("내년 예산에 반영하겠습니다") < page.index(proposal.body[:10])
    proposal.answer_due_at = proposal.created_at
    proposal.answered_at = None
    db.session.commit()
    assert proposal.title in client.get("/proposals/staff").get_data(as_text=True)


def test_admin_manages_thresholds_fields_and_topics(client, login, make_user, choices):
    login(make_user(["admin"]))
    response = client.post("/proposals/admin/settings", data={"forum_threshold": 50, "answer_threshold": 10,
                                                               "answer_days": 30})
    assert response.status_code == 200
    client.post("/proposals/admin/settings", data={"forum_threshold": 50, "answer_threshold": 500, "answer_days": 14})
    from app.proposals.choices import proposal_settings

    assert proposal_settings().forum_threshold == 50
    client.post("/proposals/admin/topics", data={"slug": "noise", "name_ko": "소음", "name_en": "Noise"})
    assert "소음" in client.get("/proposals/admin/topics").get_data(as_text=True)
    response = client.post("/proposals/admin/topics", data={"slug": "noise", "name_ko": "소음", "name_en": "Noise"})
    assert response.status_code == 200


def test_home_page_shows_latest_proposals(client, make_proposal):
    make_proposal(title="홈에 보이는 제안입니다")
    assert "홈에 보이는 제안입니다" in client.get("/").get_data(as_text=True)


def test_staff_text_fields_are_inert_too(client, login, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    staff = make_user(["admin", "staff"])
    login(staff)
    client.post(f"/proposals/{proposal.id}/answer", data={
        "status": "not_adopted", "department": XSS[1], "body": f"답변 본문 {XSS[0]} {XSS[2]}", "reason": XSS[1] * 2})
    client.post(f"/moderation/proposal/{proposal.id}/hide", data={"reason": XSS[0]})
    client.post("/proposals/admin/topics", data={"slug": "xss", "name_ko": XSS[0][:60], "name_en": XSS[1]})
    client.post("/logout")
    login(author)
    pages = [client.get(f"/proposals/{proposal.id}").get_data(as_text=True),
             client.get("/proposals/").get_data(as_text=True), client.get("/notifications/").get_data(as_text=True)]
    for html in pages:
        assert "<script>alert" not in html
        assert not re.search(r"<img[^>]*onerror", html)
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]


def test_hidden_proposals_leave_the_list_but_their_author_is_told(client, login, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author, title="숨겨진 제안 제목")
    proposal.hidden = True
    db.session.commit()
    assert "숨겨진 제안 제목" not in client.get("/proposals/").get_data(as_text=True)
    login(make_user())
    assert "숨겨진 제안 제목" not in client.get("/proposals/").get_data(as_text=True)
    client.post("/logout")
    login(author)
    html = client.get("/proposals/").get_data(as_text=True)
    assert html.count("숨겨진 제안 제목") == 1 and 'id="own-hidden-heading"' in html
    client.post("/logout")
    login(make_user(["staff"]))
    assert "숨겨진 제안 제목" in client.get("/proposals/").get_data(as_text=True)


def test_less_used_filters_fold_away_until_one_is_chosen(client):
    plain = client.get("/proposals/").get_data(as_text=True)
    assert '<details class="more-filters">' in plain
    narrowed = client.get("/proposals/?sort=supports").get_data(as_text=True)
    assert '<details class="more-filters" open>' in narrowed
