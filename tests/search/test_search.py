from app.extensions import db
from app.moderation.services import hide_content
from app.search import query_index


def titles(text, viewer=None):
    return [hit.title for hit in query_index(text, viewer=viewer)[0]]


def test_a_korean_word_finds_it_with_particles(make_proposal):
    make_proposal(title="교통 불편 민원", body="우리 동네는 주차문제가 가장 심각합니다. 대책을 마련해 주세요.")
    assert titles("주차") == ["교통 불편 민원"]


def test_spaces_do_not_matter(make_proposal):
    make_proposal(title="정류장 개선", body="버스 정류장에 지붕이 없어 비가 오면 불편합니다.", topics=["bus"])
    make_proposal(title="안내판 설치", body="버스정류장마다 실시간 도착 안내판이 필요합니다.", topics=["bus"])
    assert set(titles("버스정류장")) == {"정류장 개선", "안내판 설치"}
    assert set(titles("버스 정류장")) == {"정류장 개선", "안내판 설치"}


def test_title_matches_rank_first(make_proposal):
    make_proposal(title="골목길 가로등 설치", body="밤에 어두운 길이 많습니다. 산책로 조명도 부족합니다. 조명이 필요해요.")
    make_proposal(title="산책로 조명 보강", body="저녁에 걷는 주민이 많은데 어두워서 위험합니다.")
    assert titles("산책로")[0] == "산책로 조명 보강"


def test_results_highlight_the_matched_words_and_stay_escaped(client, make_proposal):
    make_proposal(title="주차 단속 <b>요청</b>", body="불법 주차 때문에 <script>alert(1)</script> 통행이 어렵습니다.")
    hits, total = query_index("주차")
    assert total == 1 and "<mark>주차</mark>" in hits[0].snippet and "<script>" not in hits[0].snippet
    html = client.get("/search?q=주차").get_data(as_text=True)
    assert "<mark>주차</mark>" in html and "<b>요청</b>" not in html and "<script>alert" not in html
    api = client.get("/api/v1/search?q=주차").get_json()
    assert api["total"] == 1 and set(api["items"][0]) == {"type", "id", "title", "url", "snippet"}
    assert api["items"][0]["url"].endswith(f"/proposals/{api['items'][0]['id']}")


def test_comments_are_found_and_follow_edits_and_deletes(make_proposal, make_user, make_comment):
    from app.comments.services import delete_comment, edit_comment

    proposal, author = make_proposal(title="놀이터 개선"), make_user()
    comment = make_comment(author, proposal, "그늘막이 꼭 필요합니다")
    hits, _ = query_index("그늘막")
    assert [(h.type, h.title) for h in hits] == [("comment", "놀이터 개선")]
    assert hits[0].url.endswith(f"#comment-{comment.id}")
    edit_comment(author, comment, "음수대가 필요합니다")
    db.session.commit()
    assert query_index("그늘막")[1] == 0 and query_index("음수대")[1] == 1
    delete_comment(author, comment)
    db.session.commit()
    assert query_index("음수대")[1] == 0


def test_hidden_content_is_found_only_by_author_and_staff(make_proposal, make_user):
    author, staff = make_user(), make_user(["staff"])
    proposal = make_proposal(author, title="숨길 제안 미세먼지")
    hide_content(staff, "proposal", proposal, "중복 게시물입니다")
    db.session.commit()
    assert titles("미세먼지") == [] and titles("미세먼지", viewer=make_user()) == []
    assert titles("미세먼지", viewer=author) == ["숨길 제안 미세먼지"]
    assert titles("미세먼지", viewer=staff) == ["숨길 제안 미세먼지"]


def test_a_rolled_back_change_never_reaches_the_index(make_user, choices):
    from app.proposals.services import submit_proposal

    submit_proposal(make_user(), title="취소될 제안 공원", body="이 제안은 저장되지 않고 취소됩니다. 공원 이야기.",
                    field_slug="facilities")
    db.session.rollback()
    assert titles("공원") == []


def test_reindex_rebuilds_with_a_progress_bar(runner, make_proposal, make_user, make_comment):
    from app.search import clear_index

    proposal = make_proposal(title="재색인 테스트 제안")
    make_comment(make_user(), proposal, "재색인 댓글입니다")
    clear_index()
    assert query_index("재색인")[1] == 0
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents." in result.output and "doc" in result.output
    assert query_index("재색인")[1] == 2


def test_overlapping_bigrams_are_marked_as_one_run(make_proposal):
    make_proposal(title="안내판 설치", body="버스정류장마다 실시간 도착 안내판이 필요합니다.", topics=["bus"])
    hits, _ = query_index("버스 정류장")
    assert "<mark>버스정류장</mark>마다" in hits[0].snippet


def test_hiding_a_proposal_hides_its_comments_from_search(make_proposal, make_user, make_comment):
    staff = make_user(["staff"])
    proposal = make_proposal(title="숨길 제안")
    make_comment(make_user(), proposal, "놀이터 그늘막이 필요해요")
    hide_content(staff, "proposal", proposal, "중복 게시물입니다")
    db.session.commit()
    assert query_index("그늘막")[1] == 0
    assert query_index("그늘막", viewer=staff)[1] == 1
