"""The PostgreSQL backend: rows written in the content's transaction, the index fallbacks, estimated totals."""
import os

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from app.search import postgres, query_index, search

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
    for number in range(4):
        make_proposal(title=f"주차 문제 {number}", body="주차할 곳이 없습니다.")
    monkeypatch.setattr(postgres, "COUNT_CAP", 2)
    result = search("주차", per_page=2)
    assert result.estimated and result.total >= 3 and len(result.hits) == 2
    html = client.get("/search?q=주차").get_data(as_text=True)
    assert "검색 결과 약" in html
    assert client.get("/api/v1/search?q=주차").get_json()["total_estimated"] is True
    monkeypatch.setattr(postgres, "COUNT_CAP", 10_000)
    assert search("주차").estimated is False and search("주차").total == 4


@pytest.fixture
def gin_index(app):
    """The index as it is without the RUM extension."""
    db.session.execute(text("DROP INDEX search.documents_terms"))
    db.session.execute(text("CREATE INDEX documents_terms ON search.documents USING gin (terms)"))
    db.session.commit()
    postgres._methods.clear()
    yield
    db.session.execute(text("DROP INDEX search.documents_terms"))
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
