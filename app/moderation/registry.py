"""What residents can report and staff can hide. Each moderated model registers itself here.

The model must carry :class:`app.moderation.models.ModeratedMixin` and an ``author_id`` column."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModerationTarget:
    target_type: str
    model: Any  # a mapped class
    title: Callable[[object], str]
    url: Callable[[object], str]
    visible_to: Callable[[object, object], bool]  # may this user see (and so report) the object?
    after_change: Callable[[object], None] | None = None  # e.g. update the search index
    preload: Callable[[list], list] | None = None  # fetch what title/url need for many objects at once


_TARGETS: dict[str, ModerationTarget] = {}


def register_moderation_target(target_type: str, *, model, title, url, visible_to, after_change=None,
                               preload=None) -> None:
    _TARGETS[target_type] = ModerationTarget(target_type, model, title, url, visible_to, after_change, preload)


def moderation_target(target_type: str) -> ModerationTarget | None:
    return _TARGETS.get(target_type)


def moderation_types() -> list[str]:
    return sorted(_TARGETS)
