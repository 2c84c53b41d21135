from app.committees import bp  # noqa: F401
