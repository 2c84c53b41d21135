from flask_babel import lazy_gettext as _l

from app.auth.models import ConsentItem, Role

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.STAFF: _l("Staff"),
    Role.ADMIN: _l("Administrator"),
    Role.REDEEMER: _l("Coupon redeemer (bank clerk)"),
}

CONSENT_LABELS = {
    ConsentItem.PRIVACY: _l("Privacy policy (required)"),
    ConsentItem.NOTIFICATIONS: _l("Notifications"),
    ConsentItem.LOCATION: _l("Location data"),
    ConsentItem.HEALTH: _l("Health data (steps)"),
    ConsentItem.GUARDIAN: _l("Guardian's consent"),
}

ACCESS_EVENT_LABELS = {
    "signup": _l("Signed up"),
    "login": _l("Logged in"),
    "login_failed": _l("Failed login (wrong password)"),
    "logout": _l("Logged out"),
    "api_token": _l("App or system signed in (API token)"),
    "api_token_failed": _l("Failed API sign-in (wrong password)"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset by email link"),
}


def access_event_label(event: str):
    return ACCESS_EVENT_LABELS.get(event, event)


def role_params(params: dict) -> dict:
    """Notification parameters with the role code replaced by its translated name."""
    try:
        return {**params, "role": ROLE_LABELS[Role(params["role"])]}
    except (KeyError, ValueError):
        return params
