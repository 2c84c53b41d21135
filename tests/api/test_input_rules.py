"""The input rules every page and API endpoint gets from app.web and app.api.helpers: ids and pages
in range, storable text, strict JSON types and numbers."""
import pytest
from sqlalchemy import func, select

from app.comments.models import Comment
from app.extensions import db
from app.proposals.models import Proposal
from tests.factories import choices, make_proposal  # noqa: F401  (fixtures)

GOOD = {"title": "버스정류장 그늘막 설치 요청", "body": "여름에 버스를 기다리는 어르신들이 더위에 너무 힘들어하십니다.",
        "field": "transport", "topics": ["bus"], "district": "onyang1"}


def _proposals() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


@pytest.mark.parametrize("number", [2**31, 2**31 + 1, 2**63, 2**64, 10**30, 0])
def test_ids_out_of_range_in_urls_are_404_on_pages_and_api(client, number):
    assert client.get(f"/proposals/{number}").status_code == 404
    response = client.get(f"/api/v1/proposals/{number}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == 404
    assert client.get(f"/api/v1/labs/{number}/kpis").status_code == 404


def test_the_largest_id_is_an_ordinary_404(client):
    assert client.get(f"/proposals/{2**31 - 1}").status_code == 404


@pytest.mark.parametrize("page, status", [("100001", 404), ("99999999999999999999", 404), ("abc", 200),
                                          ("-3", 200), ("0", 200), ("²", 200), ("2", 200)])
def test_page_numbers_are_bounded(client, page, status):
    assert client.get(f"/proposals/?page={page}").status_code == status
    assert client.get(f"/api/v1/proposals?page={page}").status_code == status


def test_per_page_and_other_numbers_in_the_query_are_bounded(client, make_user, auth_header):
    assert client.get("/api/v1/proposals?per_page=99999999999999999999").status_code == 200
    staff = auth_header(make_user(["staff", "admin"]))
    assert client.get("/api/v1/budgets?fiscal_year=99999999999999", headers=staff).status_code == 422


@pytest.mark.parametrize("text", ["\x00", "제목\x00입니다", "\ud800", "a\udfffb"])
def test_unstorable_text_in_a_json_body_is_422_and_saves_nothing(client, make_user, auth_header, choices, text):
    headers = auth_header(make_user())
    for field in ("title", "body"):
        response = client.post("/api/v1/proposals", json={**GOOD, field: GOOD[field] + text}, headers=headers)
        assert response.status_code == 422 and field in response.get_json()["errors"]
    assert _proposals() == 0


def test_unstorable_text_in_a_form_query_or_path_is_422(client, login, make_user, choices):
    login(make_user())
    page = client.post("/proposals/new", data={**GOOD, "title": "그늘막\x00설치 요청"})
    assert page.status_code == 422 and "저장할 수 없는 문자" in page.get_data(as_text=True)
    assert _proposals() == 0
    assert client.get("/search?q=%00").status_code == 422
    assert client.get("/api/v1/search?q=%00").status_code == 422
    assert client.post("/api/v1/password-resets/abc%00def", json={"new_password": "x", "confirm": "x"}).status_code == 422


@pytest.mark.parametrize("body", ['{"title": NaN}', '[1, 2]', '"text"', '{"title": 1e999}', "{not json"])
def test_a_body_that_is_not_a_json_object_is_422(client, make_user, auth_header, body):
    response = client.post("/api/v1/proposals", data=body, content_type="application/json",
                           headers=auth_header(make_user()))
    assert response.status_code == 422 and response.get_json()["errors"]["body"]


@pytest.mark.parametrize("overrides, field", [
    ({"title": {"$gt": ""}}, "title"),
    ({"title": ["버스정류장 그늘막 설치 요청"]}, "title"),
    ({"title": True}, "title"),
    ({"topics": [{"slug": "bus"}]}, "topics"),
    ({"latitude": True}, "latitude"),
    ({"latitude": "nan"}, "latitude"),
    ({"latitude": 91}, "latitude"),
])
def test_json_values_must_have_the_type_of_their_field(client, make_user, auth_header, choices, overrides, field):
    response = client.post("/api/v1/proposals", json={**GOOD, **overrides}, headers=auth_header(make_user()))
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert _proposals() == 0


@pytest.mark.parametrize("parent", [True, 2**31, "1.5", {"id": 1}])
def test_a_boolean_or_huge_number_is_not_an_id(client, make_user, auth_header, make_proposal, parent):
    proposal = make_proposal()
    response = client.post(f"/api/v1/proposals/{proposal.id}/comments", headers=auth_header(make_user()),
                           json={"body": "좋은 제안입니다. 찬성합니다.", "parent_id": parent})
    assert response.status_code == 422 and "parent_id" in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("ids", [[True], [2**31], ["1"], "1", [1.0]])
def test_lists_of_ids_refuse_booleans_and_huge_numbers(client, make_user, auth_header, ids):
    response = client.post("/api/v1/me/notifications/read", headers=auth_header(make_user()), json={"ids": ids})
    assert response.status_code == 422 and response.get_json()["errors"]["ids"]


def test_a_thread_with_deleted_and_hidden_comments_matches_the_document(app, client, make_user, make_proposal):
    import schemathesis

    from app.comments import services as comments

    proposal, author = make_proposal(), make_user()
    parent = comments.add_comment(author, "proposal", proposal, "첫 번째 의견입니다. 찬성합니다.")
    comments.add_comment(make_user(), "proposal", proposal, "답글입니다. 저도 찬성합니다.", parent_id=parent.id)
    comments.delete_comment(author, parent)
    db.session.commit()
    response = client.get(f"/api/v1/proposals/{proposal.id}/comments")
    assert [item["author"] for item in response.get_json()["items"]][0] is None
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema["/api/v1/proposals/{proposal_id}/comments"]["GET"].validate_response(response)
