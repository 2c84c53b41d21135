"""What the home page shows. Each domain adds a section provider in its ``register(app)``."""
from __future__ import annotations

from collections.abc import Callable

# (order, provider): sections appear by ascending order. Providers are module-level functions, so that
# registering again (every create_app) replaces rather than repeats them.
_PROVIDERS: list[tuple[int, Callable[[], dict | None]]] = []


def register_home_section(provider: Callable[[], dict | None], order: int = 50) -> None:
    """``provider`` returns ``{"template": ..., **context}`` or None to show nothing."""
    _PROVIDERS[:] = [entry for entry in _PROVIDERS if entry[1] is not provider]
    _PROVIDERS.append((order, provider))
    _PROVIDERS.sort(key=lambda entry: entry[0])


def home_sections() -> list[dict]:
    return [section for section in (provider() for _, provider in _PROVIDERS) if section]
