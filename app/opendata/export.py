"""`flask opendata export`: write every data set as CSV (UTF-8 with BOM, for Excel) and JSON.

Files are written next to their final name and renamed into place, so a download never sees half a
file; ``manifest.json`` records when each file was exported and how many rows it holds."""
from __future__ import annotations

import csv
import io
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


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value)


def render(dataset: Dataset) -> tuple[bytes, bytes, int]:
    rows = [tuple(row) for row in dataset.rows()]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dataset.column_names)
    writer.writerows([_cell(v) for v in row] for row in rows)
    csv_bytes = ("\ufeff" + text.getvalue()).encode("utf-8")
    records = [dict(zip(dataset.column_names, row)) for row in rows]
    json_bytes = json.dumps({"dataset": dataset.name, "licence": current_app.config["OPENDATA_LICENCE"],
                             "columns": dataset.column_names, "items": records},
                            ensure_ascii=False, default=str).encode("utf-8")
    return csv_bytes, json_bytes, len(rows)


def export_all(now: datetime | None = None) -> dict:
    now = now or utcnow()
    os.makedirs(export_dir(), exist_ok=True)
    files = {}
    for dataset in datasets():
        csv_bytes, json_bytes, count = render(dataset)
        _write_atomically(os.path.join(export_dir(), f"{dataset.name}.csv"), csv_bytes)
        _write_atomically(os.path.join(export_dir(), f"{dataset.name}.json"), json_bytes)
        files[dataset.name] = {"rows": count, "csv_bytes": len(csv_bytes), "json_bytes": len(json_bytes)}
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
