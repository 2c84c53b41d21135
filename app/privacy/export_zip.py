"""The resident's complete export as a zip: one JSON file with every section, and a CSV per section
that is a list of records (UTF-8 with BOM so that Excel opens Korean text correctly)."""
from __future__ import annotations

import csv
import io
import json
import zipfile

from app.auth.export import export_user_data
from app.auth.models import User

README = """Maeul: your data / 마을: 내 정보

data.json   every section, exactly as stored (times in UTC, ISO 8601)
<section>.csv   the sections that are lists, one row per record (UTF-8)
"""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def rows_to_csv(rows: list[dict]) -> bytes:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_zip(user: User) -> bytes:
    data = export_user_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for name, section in data.items():
            if isinstance(section, dict):
                section = [section]
            if isinstance(section, list) and all(isinstance(row, dict) for row in section):
                archive.writestr(f"{name}.csv", rows_to_csv(section))
    return buffer.getvalue()
