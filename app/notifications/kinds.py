"""Every notification kind and its message. Domain packages register their kinds here."""
from __future__ import annotations

from collections.abc import Callable

MESSAGES: dict[str, object] = {}
PARAM_FORMATTERS: dict[str, Callable[[dict], dict]] = {}


def register(kind: str, message, params: Callable[[dict], dict] | None = None) -> None:
    """``message`` is a lazy string with %(name)s placeholders; ``params`` may turn stored codes
    (a role, a status) into translated words when the notification is shown."""
    MESSAGES[kind] = message
    if params is not None:
        PARAM_FORMATTERS[kind] = params


def render(kind: str, params: dict) -> str:
    message = MESSAGES.get(kind)
    if message is None:
        return kind
    formatter = PARAM_FORMATTERS.get(kind)
    try:
        return str(message) % (formatter(params) if formatter else params)
    except (KeyError, TypeError, ValueError):
        return str(message)
