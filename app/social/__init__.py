"""Log in with Kakao (OpenID Connect) or Naver (OAuth 2.0); link and unlink them on the account page."""
from flask import Blueprint, Flask

bp = Blueprint("social", __name__)

from app.social import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app.social import export
    from app.social.providers import enabled_providers, label

    app.register_blueprint(bp)
    export.register()

    @app.context_processor
    def social_helpers():
        return {"social_providers": enabled_providers, "social_label": label}
