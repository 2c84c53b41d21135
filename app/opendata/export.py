"""`flask opendata export`: write every data set as CSV (UTF-8 with BOM, for Excel) and JSON.

Files are written next to their final name and renamed into place, so a download never sees half a
file; ``manifest.json`` records when each file was exported and how many rows it holds."""
from __future__ import annotations

import csv
import json
import os
import tempfile
from datetime import datetime

from flask import current_app

from app.core import utcnow
from app.opendata.registry import Dataset, datasets

MANIFEST = "manifest.json"


def export_dir() -> str:
    return current_app.config["OPENDATA_DIR"]


def _write_atomically(path: str, content: bytes) -> None:
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _write_dataset(dataset: Dataset, directory: str) -> dict:
    """Stream the rows once into both files (a million comments never sit in memory), then move the
    finished files into place."""
    csv_tmp = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=directory, prefix=".tmp-",
                                          delete=False)
    json_tmp = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, prefix=".tmp-", delete=False)
    count = 0
    try:
        with csv_tmp, json_tmp:
            csv_tmp.write("\ufeff")
            writer = csv.writer(csv_tmp, lineterminator="\r\n")
            writer.writerow(dataset.column_names)
            head = json.dumps({"dataset": dataset.name, "licence": current_app.config["OPENDATA_LICENCE"],
                               "columns": dataset.column_names}, ensure_ascii=False)
            json_tmp.write(head[:-1] + ', "items": [')
            for row in dataset.rows():
                writer.writerow([_cell(v) for v in row])
                json_tmp.write((",\n" if count else "\n") + json.dumps(dict(zip(dataset.column_names, row)),
                                                                        ensure_ascii=False, default=str))
                count += 1
            json_tmp.write("\n]}")
        os.replace(csv_tmp.name, os.path.join(directory, f"{dataset.name}.csv"))
        os.replace(json_tmp.name, os.path.join(directory, f"{dataset.name}.json"))
    except BaseException:
        for name in (csv_tmp.name, json_tmp.name):
            if os.path.exists(name):
                os.remove(name)
        raise
    return {"rows": count, "csv_bytes": os.path.getsize(os.path.join(directory, f"{dataset.name}.csv")),
            "json_bytes": os.path.getsize(os.path.join(directory, f"{dataset.name}.json"))}


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value)


def export_all(now: datetime | None = None) -> dict:
    now = now or utcnow()
    os.makedirs(export_dir(), exist_ok=True)
    files = {}
    for dataset in datasets():
        files[dataset.name] = _write_dataset(dataset, export_dir())
    manifest = {"exported_at": now.isoformat() + "Z", "datasets": files}
    _write_atomically(os.path.join(export_dir(), MANIFEST), json.dumps(manifest).encode())
    current_app.logger.info("open data exported: %s", ", ".join(f"{k}={v['rows']}" for k, v in files.items()))
    return manifest


def read_manifest() -> dict | None:
    try:
        with open(os.path.join(export_dir(), MANIFEST), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def exported_at(manifest: dict | None) -> datetime | None:
    if not manifest:
        return None
    return datetime.fromisoformat(manifest["exported_at"].removesuffix("Z"))
