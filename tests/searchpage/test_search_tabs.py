"""Search by type (tabs with counts, ``type`` in the API), comments gathered under their proposal,
highlighted Korean words with particles, and a fixed number of SQL statements per page."""
import re

import pytest

from app.search import query_index
from tests.labs.conftest import make_lab  # noqa: F401


@pytest.fixture
def parking(make_proposal, make_comment, make_user, make_lab):  # noqa: F811
    proposal = make_proposal(title="주차 단속 요청", body="불법 주차 때문에 통행이 어렵습니다.")
    other = make_proposal(title="가로등 설치", body="골목이 어둡습니다.")
    resident = make_user()
    comments = [make_comment(resident, proposal, f"주차 문제가 심각합니다 {n}번째 의견") for n in range(3)]
    make_comment(resident, other, "여기도 주차 공간이 없어요")
    lab = make_lab(title="주차 없는 골목 실험")
    return {"proposal": proposal, "other": other, "comments": comments, "lab": lab}


def _tab(html: str, label: str) -> str:
    match = re.search(r'<a href="([^"]*)"[^>]*>\s*' + label + r' <span class="count">([^<]*)</span>', html)
    assert match, f"no tab {label}"
    return match.group(2)


def test_tabs_count_each_type_and_filter_without_javascript(client, parking):
    html = client.get("/search?q=주차").get_data(as_text=True)
    assert "제안·댓글·정책·리빙랩·의견수렴·설문 검색" in html  # the label names every type searched
    assert _tab(html, "전체") == "6" and _tab(html, "제안") == "1" and _tab(html, "댓글") == "4"
    assert _tab(html, "리빙랩") == "1" and "설문" not in re.findall(r'class="tabs".*?</nav>', html, re.S)[0]
    only_labs = client.get("/search?q=주차&type=lab").get_data(as_text=True)
    assert f'href="/labs/{parking["lab"].id}"' in only_labs and "/proposals/" not in only_labs.split("<main")[-1]
    assert re.search(r'aria-current="page">\s*리빙랩', only_labs)
    assert 'name="type" value="lab"' in only_labs  # a new search stays in the chosen tab


def test_an_unknown_type_is_refused_clearly(client, parking):
    page = client.get("/search?q=주차&type=banana")
    assert page.status_code == 400 and "그런 종류의 결과는 없습니다" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=주차&type=banana")
    assert api.status_code == 422 and "proposal" in api.get_json()["errors"]["type"][0]
    korean = client.get("/api/v1/search?q=주차&type=banana", headers={"Accept-Language": "ko"}).get_json()
    assert "다음 중 하나를 고르세요" in korean["errors"]["type"][0]


def test_api_type_filter_and_counts(client, parking):
    every = client.get("/api/v1/search?q=주차").get_json()
    assert every["total"] == 6 and every["counts"] == {"proposal": 1, "comment": 4, "policy": 0, "lab": 1,
                                                       "consultation": 0, "survey": 0}
    comments = client.get("/api/v1/search?q=주차&type=comment&per_page=2").get_json()
    assert comments["total"] == 4 and len(comments["items"]) == 2
    assert {i["type"] for i in comments["items"]} == {"comment"}
    second = client.get("/api/v1/search?q=주차&type=comment&per_page=2&page=2").get_json()
    assert not {i["id"] for i in comments["items"]} & {i["id"] for i in second["items"]} and len(second["items"]) == 2
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert "lab" in params["type"]["schema"]["enum"] and "422" in spec["paths"]["/api/v1/search"]["get"]["responses"]


def test_comments_on_one_proposal_are_one_result_with_the_comments_beneath(client, parking):
    html = client.get("/search?q=주차").get_data(as_text=True)
    results = re.findall(r'<ol class="search-results">(.*?)</ol>', html, re.S)[0]
    items = re.findall(r"\n          <li>(.*?)\n          </li>", results, re.S)
    assert len(items) == 3  # the proposal with its 3 comments, the other proposal's comment, the lab
    proposal_id = parking["proposal"].id
    with_comments = [item for item in items if f'href="/proposals/{proposal_id}"' in item]
    assert len(with_comments) == 1 and with_comments[0].count('class="search-comments"') == 1
    assert all(f"#comment-{c.id}" in with_comments[0] for c in parking["comments"])
    assert "일치하는 댓글 3개" in with_comments[0]
    alone = [item for item in items if f'href="/proposals/{parking["other"].id}"' in item]
    assert len(alone) == 1 and "댓글이 달린 글" in alone[0]  # its proposal does not match: a heading names it


def test_korean_words_with_particles_are_marked_in_the_snippet(client, make_proposal):
    make_proposal(title="버스 노선 조정", body="버스정류장이 너무 멀어서 어르신들이 주차장까지 걸어가야 합니다.")
    hits, _ = query_index("정류장에")
    assert "정류장" in "".join(re.findall(r"<mark>(.*?)</mark>", hits[0].snippet))
    html = client.get("/search?q=버스정류장까지").get_data(as_text=True)
    assert re.search(r"<mark>[^<]*정류장[^<]*</mark>", html)
    titled = client.get("/search?q=노선을").get_data(as_text=True)  # the title is marked too
    assert "<mark>노선</mark>" in titled


def test_a_search_page_runs_the_same_number_of_sql_statements_for_few_and_many_results(
        client, make_proposal, make_comment, make_user, count_queries):
    resident = make_user()
    proposal = make_proposal(title="주차 단속", body="주차 문제")
    make_comment(resident, proposal, "주차 어려워요")
    # PostgreSQL's search reads the table statistics once per process (app/search/postgres.py:statistics).
    assert client.get("/search?q=단속").status_code == 200
    with count_queries() as few:
        assert client.get("/search?q=주차").status_code == 200
    for n in range(12):
        make_comment(resident, make_proposal(title=f"주차 {n}", body="주차 공간"), f"주차 의견 {n}")
    with count_queries() as many:
        assert client.get("/search?q=주차").status_code == 200
    with count_queries() as filtered:
        assert client.get("/search?q=주차&type=comment&page=2").status_code == 200
    assert len(many) == len(few) == len(filtered)


def test_counts_stop_above_the_cap(app, parking, monkeypatch):
    from app.search import counts

    monkeypatch.setattr(counts, "CAP", 2)
    with app.test_request_context():
        found = counts.count_by_type("주차", ["proposal", "comment", "lab", "survey"])
    assert found == {"proposal": 1, "comment": 3, "lab": 1, "survey": 0}  # 4 comments: more than 2
