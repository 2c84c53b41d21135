"""Every search test runs on each backend the database allows: Whoosh always, PostgreSQL on PostgreSQL.

A module lists the backends it is about in ``SEARCH_BACKENDS`` (the pending-write queue and
`ranking` are Whoosh's alone)."""
import pytest

from tests.conftest import is_postgres
from tests.factories import choices, make_comment, make_proposal, request_context  # noqa: F401


def pytest_generate_tests(metafunc):
    if "search_backend" in metafunc.fixturenames:
        wanted = getattr(metafunc.module, "SEARCH_BACKENDS", ("whoosh", "postgresql"))
        metafunc.parametrize("search_backend", [name for name in wanted if name == "whoosh" or is_postgres()],
                             indirect=True)


@pytest.fixture(autouse=True)
def search_backend(request, app):
    app.config["SEARCH_BACKEND"] = request.param
    yield request.param
    app.config["SEARCH_BACKEND"] = ""
