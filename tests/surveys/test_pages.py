"""Survey pages: answering, changing answers, guests, results with SVG charts, CSV, staff building, polls."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core import utcnow
from app.extensions import db
from app.surveys import services
from app.surveys.models import Audience, SurveyResponse
from tests.consultations.conftest import code_from_outbox
from tests.surveys.conftest import opt, q


def test_a_resident_answers_and_changes_the_answer(client, login, make_user, make_survey):
    survey = make_survey()
    login(make_user())
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "아산시 거주환경 만족도" in page and "통계에만 씁니다." in page and "도시 일반현황" in page
    first = client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, 0)})
    assert first.status_code == 302
    client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, 3)})
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert f'value="{opt(survey, 0, 3)}" checked' in page
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_a_missing_required_answer_is_shown_beside_the_question(client, login, make_user, make_survey):
    survey = make_survey()
    login(make_user())
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 3).id}": "지켜 둘 글"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Answer this question." in page and "지켜 둘 글" in page


def test_residents_only_survey_asks_guests_to_log_in(client, make_survey):
    survey = make_survey()
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "/login" in page and 'name="q' not in page.split('<main', 1)[1]  # the header's search box is q too
    assert client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, 0)}
                       ).status_code == 403


def test_a_guest_answers_an_open_survey_with_a_code(app, client, make_survey):
    survey = make_survey(audience=Audience.EVERYONE)
    client.post(f"/surveys/{survey.id}/guest-code", data={"email": "guest@example.kr"})
    client.post(f"/surveys/{survey.id}/guest-confirm", data={"email": "guest@example.kr",
                                                             "code": code_from_outbox(app)})
    assert client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, 1)}
                       ).status_code == 302
    assert db.session.scalar(select(SurveyResponse.guest_email)) == "guest@example.kr"


def test_results_wait_for_the_close_then_show_charts_and_tables(client, login, make_user, make_survey, staff):
    survey = make_survey()
    for index in range(6):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, index % 2)]}, user=make_user())
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}/results").status_code == 403
    services.close_survey(survey, staff)
    db.session.commit()
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page and "50.0" in page and "style=" not in page
    assert client.get(f"/surveys/{survey.id}/export.csv").status_code == 401


def test_crosstab_page_hides_small_groups(client, login, make_user, make_survey, staff):
    survey = make_survey()
    sex = next(x for x in survey.questions if x.demographic is not None and x.demographic.value == "sex")
    for index in range(7):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)],
                                          sex.id: [str(sex.options[0 if index < 5 else 1].id)]},
                                 user=make_user(), consent=True)
    db.session.commit()
    login(staff)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/surveys/{survey.id}/results?q={q(survey, 0).id}&by={sex.id}").get_data(as_text=True)
    assert "Fewer than 5 answers: not shown" in page and "100.0%" in page


def test_staff_export_csv_without_names(client, login, make_user, make_survey, staff):
    survey = make_survey()
    services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)]},
                             user=make_user(display_name="숨길이름"))
    db.session.commit()
    login(staff)
    response = client.get(f"/surveys/{survey.id}/export.csv")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "숨길이름" not in text and "매우 좋음" in text


def test_staff_build_and_publish_a_survey(client, login, staff):
    login(staff)
    now = utcnow() + timedelta(hours=9)
    created = client.post("/surveys/new", data={
        "title": "버스 이용 설문", "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"), "audience": "residents",
        "consent_notice": "통계에만"})
    assert created.status_code == 302
    survey_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    assert client.post(f"/surveys/{survey_id}/questions", data={"text": "한 가지", "kind": "single",
                                                               "options": "예"}).status_code == 422
    client.post(f"/surveys/{survey_id}/questions", data={"text": "버스를 타십니까", "kind": "single",
                                                        "options": "예\n아니요", "required": "y"})
    client.post(f"/surveys/{survey_id}/demographics", data={"demographic": "age"})
    assert client.post(f"/surveys/{survey_id}/publish").status_code == 302
    page = client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "버스를 타십니까" in page and "60대 이상" in page


def test_residents_cannot_build_or_export(client, login, make_user, make_survey):
    survey = make_survey(publish=False)
    login(make_user())
    assert client.get("/surveys/new").status_code == 403
    assert client.get(f"/surveys/{survey.id}").status_code == 404  # a draft
    assert client.post(f"/surveys/{survey.id}/questions", data={"text": "x", "kind": "short_text"}).status_code == 404


def test_a_quick_poll_shows_on_the_proposal_page(client, login, make_user, staff):
    from app.proposals.models import Field, Proposal

    field = Field(slug="transport", name_ko="교통", name_en="Transport")
    db.session.add(field)
    db.session.flush()
    proposal = Proposal(title="버스정류장 온열의자", body="춥습니다", author_id=make_user().id, field_id=field.id)
    db.session.add(proposal)
    db.session.commit()
    login(staff)
    closes = (utcnow() + timedelta(days=3, hours=9)).strftime("%Y-%m-%dT%H:%M")
    created = client.post(f"/surveys/polls/new?target_type=proposal&target_id={proposal.id}",
                          data={"question": "어디에 먼저 둘까요?", "options": "온양온천역\n배방역", "closes_at": closes})
    assert created.status_code == 302 and created.headers["Location"].endswith(f"/proposals/{proposal.id}")
    client.post("/logout")
    voter = make_user()
    login(voter)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "어디에 먼저 둘까요?" in page
    poll = services.polls_for("proposal", proposal.id)[0]
    answered = client.post(f"/surveys/{poll.id}/answer", data={
        f"q{poll.questions[0].id}": str(poll.questions[0].options[1].id), "next": f"/proposals/{proposal.id}"})
    assert answered.headers["Location"].endswith(f"/proposals/{proposal.id}")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "<svg" in page and "100.0" in page


def test_results_page_runs_a_fixed_number_of_queries(client, login, make_user, make_survey, staff, count_queries):
    survey = make_survey()
    for _ in range(3):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)], q(survey, 4).id: ["의견"]},
                                 user=make_user())
    db.session.commit()
    login(staff)
    db.session.expire_all()
    with count_queries() as few:
        client.get(f"/surveys/{survey.id}/results")
    for _ in range(30):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 1)], q(survey, 4).id: ["의견"]},
                                 user=make_user())
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        client.get(f"/surveys/{survey.id}/results")
    assert len(many) == len(few) <= 12


def test_search_finds_published_surveys_only(client, make_survey):
    from app.search import query_index

    make_survey(title="주차장 설문 초안", publish=False)
    make_survey(title="주차장 이용 설문")
    hits, total = query_index("주차장")
    assert total == 1 and hits[0].type == "survey" and hits[0].title == "주차장 이용 설문"


def test_my_data_export_holds_my_answers_and_opinions(client, make_user, make_survey, auth_header):
    from app.consultations import services as consultation_services
    from app.consultations.models import Consultation, ConsultationStatus
    from tests.consultations.conftest import opinion

    survey = make_survey()
    user = make_user()
    services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 1)]}, user=user)
    consultation = Consultation(title="t", purpose="p", department="d", deadline_at=utcnow() + timedelta(days=1),
                                status=ConsultationStatus.OPEN)
    db.session.add(consultation)
    db.session.flush()
    consultation_services.submit_opinion(consultation, opinion(body="내 의견"), user=user)
    db.session.commit()
    data = client.get("/api/v1/me/export?format=json", headers=auth_header(user)).get_json()
    assert data["survey_responses"][0]["answers"] == {str(q(survey, 0).id): [opt(survey, 0, 1)]}
    assert data["consultation_opinions"][0]["body"] == "내 의견"


def test_staff_manage_pages_render(client, login, staff, make_survey):
    survey = make_survey(publish=False)
    login(staff)
    page = client.get(f"/surveys/{survey.id}/manage").get_data(as_text=True)
    assert "아산시 거주환경 만족도" in page and 'name="demographic"' in page
    assert client.get(f"/surveys/{survey.id}/edit").status_code == 200
    assert client.post(f"/surveys/{survey.id}/publish").status_code == 302
    assert client.post(f"/surveys/{survey.id}/close").status_code == 302
