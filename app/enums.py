"""One way to give an enum's members a translated name.

    class Stance(LabelledEnum):
        FOR_ = "for", _l("For")

``Stance.FOR_.value`` is ``"for"`` (what the database and the API store), ``Stance.FOR_.label`` the lazy
translated name shown on pages, and ``Stance.choices()`` the ``(value, label)`` pairs of a select field."""
from __future__ import annotations

import enum


class LabelledEnum(enum.Enum):
    _label: object

    # ``label`` has a default only for type checkers, which read ``Stance("for")`` (a lookup) as a call to
    # ``__new__``; every member gives its label.
    def __new__(cls, value: str, label: object = None):
        member = object.__new__(cls)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self):
        """The member's name in the reader's language (a lazy string)."""
        return self._label

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        return [(member.value, member.label) for member in cls]
