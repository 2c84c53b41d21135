"""The search page and GET /api/v1/search over the same index."""
from app.search import query_index


def test_results_highlight_the_matched_words_and_stay_escaped(client, make_proposal):
    make_proposal(title="주차 단속 <b>요청</b>", body="불법 주차 때문에 <script>alert(1)</script> 통행이 어렵습니다.")
    hits, total = query_index("주차")
    assert total == 1 and "<mark>주차</mark>" in hits[0].snippet and "<script>" not in hits[0].snippet
    html = client.get("/search?q=주차").get_data(as_text=True)
    assert "<mark>주차</mark>" in html and "<b>요청</b>" not in html and "<script>alert" not in html
    api = client.get("/api/v1/search?q=주차").get_json()
    assert api["total"] == 1 and set(api["items"][0]) == {"type", "id", "title", "url", "snippet"}
    assert api["items"][0]["url"].endswith(f"/proposals/{api['items'][0]['id']}")
