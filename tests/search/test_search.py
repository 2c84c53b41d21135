import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from app.extensions import db
from app.moderation.services import hide_content
from app.search import clear_index, query_index


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
    proposal = make_proposal(title="재색인 테스트 제안")
    make_comment(make_user(), proposal, "재색인 댓글입니다")
    clear_index()
    assert query_index("재색인")[1] == 0
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents." in result.output and "doc" in result.output
    assert query_index("재색인")[1] == 2
    in_parallel = runner.invoke(args=["search", "reindex", "--procs", "2"])
    assert in_parallel.exit_code == 0, in_parallel.output
    assert query_index("재색인")[1] == 2
    assert runner.invoke(args=["search", "reindex", "--procs", "0"]).exit_code == 2


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


def test_every_match_is_counted_and_pages_do_not_overlap(make_proposal):
    author = None
    for number in range(25):
        make_proposal(author, title=f"분수대 정비 요청 {number}", body=f"{number}번째 분수대가 고장 나서 물이 나오지 않습니다.")
    first, total = query_index("분수대", per_page=20)
    second, same_total = query_index("분수대", page=2, per_page=20)
    assert total == same_total == 25 and len(first) == 20 and len(second) == 5
    assert len({hit.id for hit in first + second}) == 25
    assert query_index("분수대", page=3, per_page=20) == ([], 25)


def test_every_word_must_match_and_titles_holding_more_words_rank_higher(make_proposal):
    make_proposal(title="산책로 정비 요청", body="산책로에 조명이 하나도 없어서 밤에는 걷기가 무섭습니다.")
    make_proposal(title="산책로 조명 보강", body="저녁에 걷는 주민이 많은데 어두워서 위험합니다.")
    make_proposal(title="야간 안전 대책", body="산책로 주변 조명이 약해서 넘어지는 분이 많습니다. 조명 교체가 필요합니다.")
    make_proposal(title="산책로 벤치 설치", body="산책로에 쉴 곳이 없어 어르신들이 힘들어하십니다.")
    assert titles("산책로 조명") == ["산책로 조명 보강", "산책로 정비 요청", "야간 안전 대책"]


def test_a_match_deep_in_a_long_body_is_marked(make_proposal):
    filler = "동네 이야기를 적습니다. " * 600
    make_proposal(title="긴 제안", body=filler + "마지막으로 음수대가 필요합니다.")
    hits, total = query_index("음수대")
    assert total == 1 and "<mark>음수대</mark>" in hits[0].snippet and len(hits[0].snippet) < 400


def test_a_title_only_match_marks_the_title_in_the_snippet(make_proposal):
    make_proposal(title="분리수거함 설치 요청", body="아파트 단지 앞에 쓰레기를 버릴 곳이 부족합니다. 도와주세요.")
    hits, _ = query_index("분리수거함")
    assert hits[0].snippet == "<mark>분리수거함</mark> 설치 요청"


def test_matching_ids_keeps_to_one_type(make_proposal, make_user, make_comment):
    from app.search import matching_ids

    proposal = make_proposal(title="자전거 도로 확충", body="자전거로 출퇴근하는 주민이 많아졌습니다. 도로를 넓혀 주세요.")
    other = make_proposal(title="공원 정비", body="공원 의자가 부서졌습니다. 고쳐 주시기 바랍니다.")
    make_comment(make_user(), other, "자전거 거치대도 함께 설치해 주세요")
    assert matching_ids("자전거", "proposal") == [proposal.id]
    assert len(matching_ids("자전거", "comment")) == 1


def test_searches_in_parallel_threads_agree(app, make_proposal):
    import threading

    for number in range(3):
        make_proposal(title=f"도서관 운영 시간 연장 {number}", body="퇴근 후에도 도서관을 이용할 수 있게 해 주세요.")
    results, errors = [], []

    def search_in_thread():
        try:
            with app.app_context():
                for _ in range(20):
                    results.append(query_index("도서관")[1])
        except Exception as error:  # reported below: an exception in a thread would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=search_in_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [3] * 80


def test_an_index_of_an_older_layout_asks_for_a_reindex(app):
    directory = app.config["SEARCH_INDEX_DIR"]
    clear_index()
    whoosh_index.create_in(directory, Schema(key=ID(unique=True), title=TEXT(stored=True)))
    with pytest.raises(RuntimeError, match="flask search reindex"):
        query_index("주차")


def test_an_index_written_by_whooshs_default_codec_asks_for_a_reindex(app):
    from app.search import SCHEMA

    clear_index()
    writer = whoosh_index.open_dir(app.config["SEARCH_INDEX_DIR"]).writer()
    writer.add_document(key="proposal:1", type="proposal", id=1, title="주차 문제", body="주차", title_len=5,
                        body_len=2, hidden=False, owner_id=1, url="/proposals/1")
    writer.commit()
    assert whoosh_index.open_dir(app.config["SEARCH_INDEX_DIR"]).schema.names() == SCHEMA.names()
    with pytest.raises(RuntimeError, match="flask search reindex"):
        query_index("주차")
