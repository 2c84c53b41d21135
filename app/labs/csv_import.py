"""Reading an uploaded CSV data set: all rows or nothing, every error with its row number."""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import ValidationFailed

MAX_REPORTED_ERRORS = 20


@dataclass
class ParsedCsv:
    columns: list[str]
    rows: list[list[str]]
    encoding: str


def max_upload_bytes() -> int:
    return _limits()[0]


def _limits() -> tuple[int, int]:
    config = current_app.config
    return config["LAB_CSV_MAX_BYTES"], config["LAB_CSV_MAX_ROWS"]


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or CP949, the encoding Korean Excel saves CSV in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "cp949"
    except UnicodeDecodeError:
        raise ValidationFailed(
            {"file": [_l("The file is neither UTF-8 nor CP949 text. Save it as CSV (UTF-8).")]}) from None


def parse_csv(data: bytes) -> ParsedCsv:
    max_bytes, max_rows = _limits()
    if len(data) > max_bytes:
        raise ValidationFailed({"file": [_l("The file is larger than %(size)s KB.", size=max_bytes // 1000)]})
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list = []
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ValidationFailed({"file": [_l("The file is empty: its first row must name the columns.")]})
        columns = [cell.strip() for cell in header]
        if any(not name for name in columns):
            errors.append(_l("Row 1: every column needs a name."))
        if len(set(columns)) != len(columns):
            errors.append(_l("Row 1: column names must be different from each other."))
        rows: list[list[str]] = []
        for row in reader:
            row_number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= max_rows:
                raise ValidationFailed({"file": [_l("The file has more than %(rows)s rows.", rows=max_rows)]})
            if len(row) != len(columns):
                errors.append(_l("Row %(row)s: expected %(expected)s values, found %(found)s.",
                                 row=row_number, expected=len(columns), found=len(row)))
            else:
                rows.append([cell.strip() for cell in row])
    except csv.Error as error:
        errors.append(_l("Row %(row)s: the CSV is malformed (%(detail)s).", row=reader.line_num, detail=str(error)))
        rows, columns = [], []
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > MAX_REPORTED_ERRORS:
            shown.append(_l("… and %(count)s more errors.", count=len(errors) - MAX_REPORTED_ERRORS))
        raise ValidationFailed({"file": shown})
    if not rows:
        raise ValidationFailed({"file": [_l("The file has no data rows below its header.")]})
    return ParsedCsv(columns=columns, rows=rows, encoding=encoding)


def numeric(value: str) -> float | None:
    """A cell as a number ("1,234" and "12.5%" count), or None."""
    cleaned = value.replace(",", "").replace("%", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def numeric_columns(columns: list[str], rows: list[list[str]]) -> list[int]:
    """Indexes of the columns whose every non-empty cell is a number."""
    result = []
    for index in range(len(columns)):
        cells = [row[index] for row in rows if row[index]]
        if cells and all(numeric(cell) is not None for cell in cells):
            result.append(index)
    return result
