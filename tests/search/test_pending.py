"""A failed index write after a commit never turns a saved action into an error."""
import logging

import pytest
from sqlalchemy import func, select
from whoosh import index as whoosh_index

from app.extensions import db
from app.proposals.models import Proposal
from app.search import clear_index, pending_changes, query_index

SEARCH_BACKENDS = ("whoosh",)
NEW = {"title": "음수대 설치 요청", "body": "공원에 음수대가 없어 여름에 아이들이 힘들어합니다.",
       "field": "transport", "topics": ["parks"]}


@pytest.fixture
def locked_index(app):
    """The index's write lock held, as by a long `flask search reindex` in another process."""
    app.config["SEARCH_WRITE_TIMEOUT"] = 0.05
    clear_index()
    ix = whoosh_index.open_dir(app.config["SEARCH_INDEX_DIR"])
    lock = ix.lock("WRITELOCK")
    assert lock.acquire()
    yield lock
    if lock.fd is not None:  # not released by the test
        lock.release()
    app.config["SEARCH_WRITE_TIMEOUT"] = 10.0


def test_the_resident_gets_their_page_and_the_document_is_found_after_the_next_write(
        client, login, make_user, make_proposal, choices, locked_index, caplog):
    login(make_user())
    with caplog.at_level(logging.ERROR, logger="app.search"):
        response = client.post("/proposals/new", data={"title": NEW["title"], "body": NEW["body"],
                                                       "field": "transport", "topics": ["parks"]})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1
    assert "kept pending" in caplog.text
    assert pending_changes() == 1 and query_index("음수대")[1] == 0
    locked_index.release()
    make_proposal(title="가로등 고장 신고", body="골목 가로등이 꺼졌습니다.")  # the next write applies the queue
    assert pending_changes() == 0
    assert query_index("음수대")[1] == 1 and query_index("가로등")[1] == 1


def test_an_api_client_gets_201_once_and_a_retry_is_not_needed(client, auth_header, make_user, choices,
                                                             locked_index):
    headers = auth_header(make_user())
    response = client.post("/api/v1/proposals", json=NEW, headers=headers)
    assert response.status_code == 201
    assert pending_changes() == 1
    locked_index.release()


def test_a_newer_pending_change_replaces_an_older_one_and_a_delete_stays_a_delete(
        make_user, make_comment, make_proposal, locked_index):
    from app.comments.services import delete_comment, edit_comment

    proposal = make_proposal(title="놀이터 개선")  # written while locked: pending
    author = make_user()
    comment = make_comment(author, proposal, "그늘막이 필요합니다")
    edit_comment(author, comment, "음수대가 필요합니다")
    db.session.commit()
    delete_comment(author, comment)
    db.session.commit()
    assert pending_changes() == 2  # the proposal and the comment, whose last change is its removal
    locked_index.release()
    make_proposal(title="벤치 설치", body="공원에 벤치가 부족합니다.")
    assert pending_changes() == 0
    assert query_index("놀이터")[1] == 1 and query_index("음수대")[1] == 0 and query_index("그늘막")[1] == 0


def test_reindex_applies_what_was_pending(runner, make_proposal, locked_index):
    make_proposal(title="분수대 고장", body="분수대가 멈췄습니다.")
    assert pending_changes() == 1
    locked_index.release()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert pending_changes() == 0 and query_index("분수대")[1] == 1


def test_pending_changes_survive_when_the_pending_folder_cannot_be_written(app, make_proposal, locked_index):
    pending = app.config["SEARCH_INDEX_DIR"].rstrip("/") + "-pending"
    with open(pending, "w") as blocker:  # a file where the folder should be: the queue stays in memory
        blocker.write("")
    try:
        make_proposal(title="분수대 고장", body="분수대가 멈췄습니다.")
        assert pending_changes() == 1
    finally:
        import os

        os.remove(pending)
    locked_index.release()
    make_proposal(title="벤치 설치", body="공원에 벤치가 부족합니다.")
    assert pending_changes() == 0 and query_index("분수대")[1] == 1
