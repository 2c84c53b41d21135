"""What the home page shows. Each domain adds a section provider as it lands."""
from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: list[Callable[[], dict | None]] = []


def register_home_section(provider: Callable[[], dict | None]) -> None:
    """``provider`` returns ``{"template": ..., **context}`` or None to show nothing."""
    _PROVIDERS.append(provider)


def home_sections() -> list[dict]:
    return [section for section in (provider() for provider in _PROVIDERS) if section]
