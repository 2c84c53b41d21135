from tests.factories import choices, make_proposal, request_context  # noqa: F401  (fixtures)
