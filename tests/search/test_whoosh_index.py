"""The Whoosh index's layout: `ranking` reads it directly, so an index of another layout asks for a reindex."""
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from app.search import clear_index, query_index

SEARCH_BACKENDS = ("whoosh",)


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


def test_the_postgresql_backend_is_refused_on_sqlite(app):
    from tests.conftest import is_postgres

    if is_postgres():
        pytest.skip("the database is PostgreSQL")
    app.config["SEARCH_BACKEND"] = "postgresql"
    with pytest.raises(RuntimeError, match="needs a PostgreSQL database"):
        query_index("주차")
    app.config["SEARCH_BACKEND"] = "elasticsearch"
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND must be one of"):
        query_index("주차")
