"""The PostgreSQL backend: rows written in the content's transaction, the index fallbacks, estimated totals."""
import os

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from app.proposals.models import Proposal
from app.search import analysis, postgres, query_index, search

SEARCH_BACKENDS = ("postgresql",)


def _rows_seen_by_another_connection():
    engine = create_engine(os.environ["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT doc_type, doc_id FROM search.documents ORDER BY 1, 2")).all()
    finally:
        engine.dispose()


def test_the_search_row_is_committed_with_the_content_and_rolled_back_with_it(app, make_user, choices):
    from app.proposals.services import submit_proposal

    proposal = submit_proposal(make_user(), title="음수대 설치 요청", body="공원에 음수대가 없습니다.",
                               field_slug="facilities")
    db.session.flush()
    assert _rows_seen_by_another_connection() == []  # not before the commit
    db.session.commit()
    assert _rows_seen_by_another_connection() == [("proposal", proposal.id)]
    assert query_index("음수대")[1] == 1
    submit_proposal(make_user(), title="취소될 제안 공원", body="취소됩니다. 공원 이야기.", field_slug="facilities")
    db.session.rollback()
    assert _rows_seen_by_another_connection() == [("proposal", proposal.id)]


def test_nothing_is_written_to_a_whoosh_index(app, make_proposal):
    from whoosh import index as whoosh_index

    make_proposal(title="음수대 설치 요청", body="공원에 음수대가 없습니다.")
    directory = app.config["SEARCH_INDEX_DIR"]
    if whoosh_index.exists_in(directory):
        assert whoosh_index.open_dir(directory).doc_count() == 0


def test_reindex_rebuilds_the_rows(runner, make_proposal):
    make_proposal(title="분수대 고장", body="분수대가 멈췄습니다.")
    db.session.execute(text("TRUNCATE search.documents"))
    db.session.commit()
    assert query_index("분수대")[1] == 0
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 documents." in result.output and query_index("분수대")[1] == 1


def test_a_total_above_the_cap_is_an_estimate_and_the_page_says_about(client, make_proposal, monkeypatch):
    for number in range(22):  # more than a page: when every match is a candidate the count is exact
        make_proposal(title=f"주차 문제 {number}", body="주차할 곳이 없습니다.")
    monkeypatch.setattr(postgres, "COUNT_CAP", 2)
    monkeypatch.setattr(postgres, "CANDIDATES", 2)
    result = search("주차", per_page=2)
    assert result.estimated and result.total >= 3 and len(result.hits) == 2
    html = client.get("/search?q=주차").get_data(as_text=True)
    assert "검색 결과 약" in html
    assert client.get("/api/v1/search?q=주차").get_json()["total_estimated"] is True
    monkeypatch.setattr(postgres, "COUNT_CAP", 1000)
    assert search("주차").estimated is False and search("주차").total == 22


@pytest.fixture
def gin_index(app):
    """The index as it is without the RUM extension."""
    db.session.execute(text("DROP INDEX search.documents_terms"))
    db.session.execute(text("DROP INDEX search.documents_proposal_terms"))
    db.session.execute(text("CREATE INDEX documents_terms ON search.documents USING gin (terms)"))
    db.session.execute(text("CREATE INDEX documents_proposal_terms ON search.documents USING gin (terms) "
                            "WHERE doc_type = 'proposal'"))
    db.session.commit()
    postgres._methods.clear()
    yield
    db.session.execute(text("DROP INDEX search.documents_terms"))
    db.session.execute(text("DROP INDEX search.documents_proposal_terms"))
    db.session.commit()
    with db.engine.begin() as connection:
        postgres.install(connection)
    postgres._methods.clear()


def test_without_rum_the_gin_index_answers_the_same(gin_index, make_proposal):
    assert postgres.index_method(db.session) == "gin"
    make_proposal(title="산책로 조명 보강", body="저녁에 걷는 주민이 많은데 어두워서 위험합니다.")
    make_proposal(title="산책로 정비 요청", body="산책로에 조명이 하나도 없어서 밤에는 걷기가 무섭습니다.")
    assert [hit.title for hit in search("산책로 조명").hits] == ["산책로 조명 보강", "산책로 정비 요청"]
    assert search("쓰래기").suggestion is None and search("산책로 분수").missing == ["분수"]


def test_the_installed_index_is_rum(app):
    assert postgres.index_method(db.session) == "rum"


def test_terms_are_written_as_a_weighted_tsvector():
    literal = postgres.tsvector_literal("주차장 문제", "주차장이 없어요")
    # one position per occurrence: 주차장 once in the title (weight A), once in the body
    assert "'주차장':1A,2" in literal and "'없':1" in literal and "'이':" not in literal
    vector = db.session.execute(text("SELECT CAST(:v AS tsvector)"), {"v": literal}).scalar()
    assert "'주차장':1A,2" in vector and "'없':1" in vector


def analyze():
    """Statistics of the search table, as autovacuum keeps them, read afresh."""
    db.session.execute(text("ANALYZE search.documents"))
    db.session.commit()
    postgres._statistics.clear()


@pytest.fixture(autouse=True)
def fresh_statistics():
    postgres._statistics.clear()
    yield
    postgres._statistics.clear()


@pytest.fixture(params=["rum", "gin"])
def index_kind(request, app):
    if request.param == "gin":
        request.getfixturevalue("gin_index")
    return request.param


def test_a_word_too_common_to_rank_ranks_its_newest_matches_and_keeps_the_rules(index_kind, make_proposal, make_user,
                                                                                 monkeypatch):
    """Above RANK_ALL estimated matches the candidates are the newest CANDIDATES matches, read along seq;
    among them the order is the usual one, and hidden documents still show only to their author."""
    author = make_user()
    oldest = make_proposal(title="주차 주차 주차장 부족", body="주차 공간이 없습니다. 주차 주차.")
    hidden = make_proposal(author, title="숨긴 주차 제안", body="주차 이야기")
    from app.moderation.services import hide_content

    hide_content(make_user(["staff"]), "proposal", hidden, "중복 게시물입니다")
    db.session.commit()
    make_proposal(title="공원 정비 요청", body="산책로 옆에 주차된 차가 많습니다.")
    make_proposal(title="주차 단속 요청", body="골목이 좁습니다.")
    make_proposal(title="버스 노선 신설", body="아무 관련 없는 글입니다.")
    analyze()
    monkeypatch.setattr(postgres, "RANK_ALL", 1)  # the newest 4 × 1 + 2 rows are read
    monkeypatch.setattr(postgres, "CANDIDATES", 2)
    found = search("주차", per_page=2)
    # the two newest matches visible to everyone, the title match first; the oldest (the best by rank) is not
    # among the candidates, the hidden one never shows to others; the total is still every match
    assert [hit.title for hit in found.hits] == ["주차 단속 요청", "공원 정비 요청"] and found.estimated
    # the total: the share of matches among the rows read (2 of 3: the newest has no 주차), times the rows (5)
    assert found.total == 3
    assert [hit.title for hit in search("주차", per_page=2, viewer=author).hits] == ["주차 단속 요청", "공원 정비 요청"]
    monkeypatch.setattr(postgres, "CANDIDATES", 10)
    every = [hit.title for hit in search("주차", viewer=author).hits]
    assert every[0] == "주차 주차 주차장 부족" and every[-1] == "공원 정비 요청" and "숨긴 주차 제안" in every
    assert "숨긴 주차 제안" not in [hit.title for hit in search("주차").hits]
    assert oldest.id in postgres.matching_ids(db.session, analysis.plan("주차"), "proposal", viewer_id=None,
                                              all_hidden_visible=False, limit=10)
    newest = postgres.matching_ids(db.session, analysis.plan("주차"), "proposal", viewer_id=None,
                                   all_hidden_visible=False, limit=1)
    # with RUM the proposals are ranked in their own index (test_the_proposals_are_ranked_in_their_own_index)
    assert [db.session.get(Proposal, i).title for i in newest] == \
        (["주차 주차 주차장 부족"] if index_kind == "rum" else ["주차 단속 요청"])


def test_the_newest_matches_are_read_along_seq_not_the_terms_index(make_proposal):
    make_proposal(title="주차 단속 요청", body="골목이 좁습니다.")
    where, params = postgres._visible(None, False, {"proposal"})
    params |= {"q": "'주차'", "limit": 5, "scan": 100}
    analyze()
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.execute(text(f"EXPLAIN {postgres._candidates(db.session, where, newest=True)}"),
                                        params).scalars())
    assert "documents_by_type_seq" in plan and "documents_terms" not in plan
    db.session.rollback()


def test_when_the_newest_rows_hold_too_few_matches_every_match_is_ranked(make_proposal, monkeypatch):
    """An estimate can be wrong (words the statistics think common that rarely meet): a bounded number of
    the newest rows is read, and when they hold fewer matches than wanted the ranked path answers."""
    make_proposal(title="주차 단속 요청", body="골목이 좁습니다.")
    for number in range(3):
        make_proposal(title=f"버스 노선 {number}", body="배차 간격")
    analyze()
    monkeypatch.setattr(postgres, "RANK_ALL", 0)  # newest rows read: 4 × RANK_ALL + the candidates wanted
    monkeypatch.setattr(postgres, "CANDIDATES", 1)
    found = search("주차", per_page=1)
    assert [hit.title for hit in found.hits] == ["주차 단속 요청"] and found.total == 1 and not found.estimated
    assert len(postgres.matching_ids(db.session, analysis.plan("주차"), "proposal", viewer_id=None,
                                     all_hidden_visible=False, limit=1)) == 1


def test_a_search_is_one_statement_and_a_partial_match_two(make_proposal, count_queries):
    make_proposal(title="산책로 조명 보강", body="저녁에 걷는 주민이 많습니다.")
    analyze()
    postgres.statistics(db.session)
    with count_queries() as statements:
        assert search("산책로").total == 1
    assert len(statements) == 1  # page, best document, candidates and total in one; the statistics are cached
    with count_queries() as statements:
        assert search("산책로 분수").missing == ["분수"]
    assert len(statements) == 2
    with count_queries() as statements:
        past_the_end = search("산책로", page=3)
    assert past_the_end.hits == [] and past_the_end.total == 1 and len(statements) == 1


def test_typo_suggestions_read_common_terms_from_the_statistics(make_proposal, count_queries):
    for number in range(3):
        make_proposal(title=f"쓰레기 무단투기 {number}", body="분리수거가 안 됩니다.")
    analyze()
    assert postgres.statistics(db.session).terms["쓰레기"] == 3
    frequencies = postgres.document_frequencies(db.session, ["쓰레기", "쓰래기", "분리"])
    assert frequencies == {"쓰레기": 3, "쓰래기": 0, "분리": 3}
    with count_queries() as statements:
        assert search("쓰래기").suggestion == "쓰레기"
    # the search; the word's and its variants' frequencies: the statistics (cached) and one count of the
    # variants they do not hold
    assert len(statements) == 2


def _exact_count(query: str, doc_type: str, cap: int) -> int:
    return db.session.execute(text(
        "SELECT count(*) FROM (SELECT 1 FROM search.documents WHERE doc_type = :t AND NOT hidden "
        "AND terms @@ CAST(:q AS tsquery) LIMIT :cap) m"), {"t": doc_type, "q": query, "cap": cap + 1}).scalar()


@pytest.fixture
def counted_corpus(make_proposal, make_comment, make_user):
    """Proposals and comments about parking (주차장) and streetlights (가로등), some with both."""
    author = make_user()
    parking = make_proposal(title="주차장 부족 문제", body="공영주차장이 없어요. 주차장 확충이 필요합니다.")
    lights = make_proposal(title="가로등 고장", body="가로등이 꺼져 있습니다.")
    for number in range(4):
        make_comment(author, parking, body=f"주차장이 없어요 정말로 {number}")
        make_comment(author, lights, body=f"가로등 수리 부탁드립니다 {number}")
    make_comment(author, lights, body="공영주차장 옆 가로등도 꺼졌어요")
    analyze()
    return parking, lights


@pytest.mark.parametrize("way", ["small", "index", "newest", "newest-too-few"])
@pytest.mark.parametrize("query", ["주차장이 없어요", "가로등", "주차장 가로등", "주차장 수영장", "주"])
def test_every_way_of_counting_a_type_gives_the_exact_count(counted_corpus, monkeypatch, way, query):
    """A small type's rows, the terms index (the plain words first), a big type's newest rows, and the
    newest rows that hold too few matches (the index then counts after all): the same counts."""
    from app.search.counts import count_by_type

    monkeypatch.setattr(postgres, "SMALL_TYPE", 10_000 if way == "small" else 0)
    monkeypatch.setattr(postgres, "COUNT_NEWEST_ROWS", 10_000 if way.startswith("newest") else -1)
    if way == "newest-too-few":  # the statistics say everything matches: the newest 2 + cap rows are read
        monkeypatch.setattr(postgres.Statistics, "query", lambda self, units, every: int(self.rows))
    cap = 1 if way == "newest-too-few" else 100
    monkeypatch.setattr("app.search.counts.CAP", cap)
    plan = analysis.plan(query)
    every = " & ".join(postgres._unit_query(u) for u in plan.units)
    some = " | ".join(postgres._unit_query(u) for u in plan.units)
    expected = {t: _exact_count(every, t, cap) for t in ("proposal", "comment", "lab")}
    if not sum(expected.values()):
        expected = {t: _exact_count(some, t, cap) for t in ("proposal", "comment", "lab")}
    assert count_by_type(query, ["proposal", "comment", "lab"]) == expected
    assert expected["comment"] > 0 and expected["lab"] == 0


def test_counting_is_one_statement(counted_corpus, count_queries):
    from app.search.counts import count_by_type

    postgres.statistics(db.session)
    with count_queries() as statements:
        assert count_by_type("주차장 수영장", ["proposal", "comment"]) == {"proposal": 1, "comment": 5}
    assert len(statements) == 1


def test_the_proposals_are_ranked_in_their_own_index(make_proposal, make_comment, make_user, monkeypatch):
    """The list's keyword ranks every proposal match in the proposals' RUM index, even when the statistics
    call the word too common to rank (the best match is the oldest here), and reads no comment."""
    best = make_proposal(title="주차 주차 주차장 부족", body="주차 공간이 없습니다. 주차 주차.")
    for number in range(3):
        make_comment(make_user(), best, body=f"주차 이야기 {number}")
        make_proposal(title=f"버스 노선 {number}", body="주차 이야기는 아닙니다.")
    analyze()
    monkeypatch.setattr(postgres, "RANK_ALL", 0)
    assert postgres.ranks_alone(db.session, {"proposal"}) and not postgres.ranks_alone(db.session, {"comment"})
    ids = postgres.matching_ids(db.session, analysis.plan("주차"), "proposal", viewer_id=None,
                                all_hidden_visible=False, limit=1)
    assert ids == [best.id]
    where, params = postgres._visible(None, False, {"proposal"})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.execute(text(f"EXPLAIN {postgres._candidates(db.session, where, newest=False)}"),
                                        params | {"q": "'주차'", "limit": 5}).scalars())
    assert "documents_proposal_terms" in plan
    db.session.rollback()


def test_the_rarest_plain_word_weighs_a_query_of_plain_words(app):
    stats = postgres.Statistics(1000.0, {"독거": 50, "노인": 200, "돌봄": 300, "쓰레기": 100, "쓰레": 120, "레기": 110},
                                5, {})
    plain = analysis.plan("독거 노인 돌봄").units
    assert stats.work(plain, every=True) == 50  # the index skips along the other words' postings
    assert stats.work(plain) == 550
    compound = analysis.plan("쓰레기 독거").units  # a unit with bigrams is read in full
    assert stats.work(compound, every=True) == 100 + 120 + 110 + 50


def test_when_no_document_holds_every_plain_word_the_other_units_are_not_read(make_proposal, count_queries):
    """버스 and 너무 are each their unit's only term: no document with both means none with every unit, and
    the prefixes of 늦 and 오 are not looked up; a document with both is still found through them."""
    make_proposal(title="버스가 늦게 와요", body="배차 간격이 깁니다.")
    make_proposal(title="너무 추워요", body="정류장에 바람막이가 필요합니다.")
    analyze()
    units = analysis.plan("버스가 너무 늦게 와요").units
    params: dict = {}
    stats = postgres.statistics(db.session)
    assert postgres._plain_gate(units, params, stats) != "TRUE" and params["plain"] == "'버스' & '너무'"
    assert postgres._plain_gate(analysis.plan("독거노인 돌봄").units, {}, stats) == "TRUE"  # every unit is plain
    common = postgres.Statistics(stats.rows, {"버스": 9000, "너무": 8000}, 1, stats.types)
    assert postgres._plain_gate(units, {}, common) == "TRUE"  # RUM would read 8,000 postings to answer
    postgres.statistics(db.session)
    with count_queries() as statements:
        found = search("버스가 너무 늦게 와요")
    assert not found.estimated and found.missing == ["너무"] and len(statements) == 2
    assert [hit.title for hit in found.hits][0] == "버스가 늦게 와요"
    make_proposal(title="버스가 너무 늦게 와요", body="매일 늦습니다.")
    analyze()
    found = search("버스가 너무 늦게 와요")
    assert [hit.title for hit in found.hits] == ["버스가 너무 늦게 와요"] and found.missing == []


def test_the_counts_run_beside_the_search_on_a_connection_of_their_own(counted_corpus, app):
    """search_and_count: the same answer as `search` then `count_by_type`, with the counting statement run
    by another thread on another connection while the search runs."""
    import threading

    from sqlalchemy import event

    from app.search.counts import count_by_type, search_and_count

    postgres.statistics(db.session)
    statements = []

    def seen(connection, cursor, statement, parameters, context, executemany):
        statements.append((threading.get_ident(), id(connection.connection.dbapi_connection), statement))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        result, counts = search_and_count("주차장이 없어요", ["proposal", "comment", "lab"], page=1, per_page=5)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    sequential = search("주차장이 없어요", page=1, per_page=5)
    assert [(h.type, h.id) for h in result.hits] == [(h.type, h.id) for h in sequential.hits]
    assert result.total == sequential.total
    assert counts == count_by_type("주차장이 없어요", ["proposal", "comment", "lab"]) == {
        "proposal": 1, "comment": 4, "lab": 0}
    counting = [s for s in statements if "every_count" in s[2]]
    searching = [s for s in statements if "search.documents" in s[2] and "every_count" not in s[2]]
    assert len(counting) == 1 and len(searching) == 1
    assert counting[0][0] != threading.get_ident() == searching[0][0]
    assert counting[0][1] != searching[0][1]
