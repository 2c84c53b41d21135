from tests.factories import choices, make_comment, make_proposal  # noqa: F401
