"""The open-data catalogue: every public data set, with its schema and a function yielding its rows.

A domain adds a data set with ``register_dataset(Dataset(...))`` from its own package (consultations
and survey results will register theirs this way). Rows must hold no personal data: an author
appears only as ``pseudonym(user_id)``."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import current_app


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, string, date, datetime, boolean, number
    description: object  # a lazy translated string


@dataclass(frozen=True)
class Dataset:
    name: str  # file name stem: letters, digits, underscores
    title: object
    description: object
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple]] = field(compare=False)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_DATASETS: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> None:
    _DATASETS[dataset.name] = dataset


def datasets() -> list[Dataset]:
    return list(_DATASETS.values())


def dataset(name: str) -> Dataset | None:
    return _DATASETS.get(name)


def pseudonym(user_id: int | None) -> str | None:
    """A stable code for an author: the same person always gets the same code, and the code cannot be
    turned back into the account without the key (HMAC-SHA256 of the id, 16 hex digits)."""
    if user_id is None:
        return None
    key = (current_app.config["OPENDATA_PSEUDONYM_KEY"] or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]
