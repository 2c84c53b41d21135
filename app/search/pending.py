"""Index changes that could not be written after their commit, kept until the next write applies them.

One JSON file per failed write, in a folder beside the index (``<index>-pending``), so that every
process of the server sees them and a restart loses nothing; in memory only if even that file
cannot be written. A change is a key (``type:id``) and the document's fields, or None for a removal;
a newer change to the same key replaces an older one.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid

log = logging.getLogger("app.search")
_in_memory: list[dict] = []
_lock = threading.Lock()


def folder(index_dir: str) -> str:
    return index_dir.rstrip(os.sep) + "-pending"


def keep(index_dir: str, changes: dict) -> None:
    try:
        os.makedirs(folder(index_dir), exist_ok=True)
        path = os.path.join(folder(index_dir), f"{time.time_ns():020d}-{uuid.uuid4().hex}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            json.dump(changes, file, ensure_ascii=False)
        os.replace(path + ".tmp", path)
    except OSError:
        log.exception("Could not write the pending search changes to disk; keeping them in memory")
        with _lock:
            _in_memory.append(changes)


def load(index_dir: str) -> tuple[dict, list[str], int]:
    """Every pending change, oldest first merged; the files holding them; how many in-memory batches."""
    merged: dict = {}
    with _lock:
        batches = list(_in_memory)
    for batch in batches:
        merged.update(batch)
    paths = []
    if os.path.isdir(folder(index_dir)):
        paths = sorted(os.path.join(folder(index_dir), name) for name in os.listdir(folder(index_dir))
                       if name.endswith(".json"))
        for path in paths:
            with open(path, encoding="utf-8") as file:
                merged.update(json.load(file))
    return merged, paths, len(batches)


def forget(paths: list[str], in_memory: int) -> None:
    """Drops what has been applied (files and in-memory batches loaded before the write)."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    with _lock:
        del _in_memory[:in_memory]


def clear(index_dir: str) -> None:
    if os.path.isdir(folder(index_dir)):
        shutil.rmtree(folder(index_dir))
    with _lock:
        _in_memory.clear()
