from flask_babel import lazy_gettext as _l

from app.auth.models import Role

ACCESS_EVENT_LABELS = {
    "signup": _l("Signed up"),
    "login": _l("Logged in"),
    "login_failed": _l("Failed login (wrong password)"),
    "logout": _l("Logged out"),
    "api_token": _l("App or system signed in (API token)"),
    "api_token_failed": _l("Failed API sign-in (wrong password)"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset by email link"),
    "login_kakao": _l("Logged in with Kakao"),
    "login_naver": _l("Logged in with Naver"),
    "signup_kakao": _l("Signed up with Kakao"),
    "signup_naver": _l("Signed up with Naver"),
    "login_social_failed": _l("Failed login with Kakao or Naver"),
}


def access_event_label(event: str):
    return ACCESS_EVENT_LABELS.get(event, event)


def role_params(params: dict) -> dict:
    """Notification parameters with the role code replaced by its translated name."""
    try:
        return {**params, "role": Role(params["role"]).label}
    except (KeyError, ValueError):
        return params
