"""Every notification kind and its message. Domain packages register their kinds here."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "role_granted": _l("You were given the role: %(role)s."),
    "role_revoked": _l("Your role was removed: %(role)s."),
}


def register(kind: str, message) -> None:
    MESSAGES[kind] = message


def render(kind: str, params: dict) -> str:
    message = MESSAGES.get(kind)
    if message is None:
        return kind
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return str(message)
