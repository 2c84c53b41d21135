"""What comments can be attached to. Each domain registers its target types here.

A target type names how to load an object, who may read and comment on it, where it lives, its title
(for search results) and what to do after a comment (counters, follows, notifications)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort


@dataclass(frozen=True)
class CommentTarget:
    target_type: str
    load: Callable[[int], object | None]
    can_view: Callable[[object, object], bool]
    can_comment: Callable[[object, object], bool]
    url: Callable[[object], str]
    title: Callable[[object], str]
    after_comment: Callable[[object, object, object], None] | None = None
    count_changed: Callable[[object, int], None] | None = None
    model: Any = None  # lets lists of comments load their targets in one query


_TARGETS: dict[str, CommentTarget] = {}


def register_comment_target(target_type: str, *, load, can_view, can_comment, url, title,
                            after_comment=None, count_changed=None, model=None) -> None:
    """``after_comment(obj, comment, author)`` runs in the comment's transaction;
    ``count_changed(obj, delta)`` keeps a denormalized comment counter exact (+1 added, -1 deleted)."""
    _TARGETS[target_type] = CommentTarget(target_type, load, can_view, can_comment, url, title,
                                          after_comment, count_changed, model)


def comment_target(target_type: str) -> CommentTarget | None:
    return _TARGETS.get(target_type)


def target_types() -> list[str]:
    return sorted(_TARGETS)


def load_target_or_404(target_type: str, target_id: int) -> tuple[CommentTarget, object]:
    target = comment_target(target_type) or abort(404)
    obj = target.load(target_id)
    if obj is None:
        abort(404)
    return target, obj
