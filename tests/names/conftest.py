from tests.factories import choices, make_comment, make_proposal, request_context  # noqa: F401
