from tests.factories import choices, make_proposal  # noqa: F401
