from tests.factories import choices, make_comment, make_proposal, request_context  # noqa: F401
# Every test taking search_backend runs on Whoosh and, on PostgreSQL, on PostgreSQL's search too.
from tests.search.conftest import pytest_generate_tests, search_backend  # noqa: F401
