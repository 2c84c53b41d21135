"""Steps from files: the phone's own exports (Samsung Health CSV, Apple Health export.zip) and the
staff batch import of an operator's pedometer programme.

Apple exports reach hundreds of MB, so export.xml is read from the zip as a stream with
``iterparse`` and each finished element is cleared at once: memory stays constant whatever the
size. Python's bundled expat refuses entity-expansion bombs, and the export's DTD declares no
entities."""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from datetime import date, datetime, timezone
from xml.etree import ElementTree

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth.models import User
from app.core import ValidationFailed
from app.extensions import db
from app.walking.models import ParticipationStatus, WalkingParticipant
from app.walking.services.bulk import one_of
from app.walking.services.steps import IngestResult, Outcome, RecordCheck, store, submit_steps, window

STEP_TYPE = "HKQuantityTypeIdentifierStepCount"
MAX_REPORTED_ERRORS = 20
_NOT_SOURCE = re.compile(r"[^A-Za-z0-9_.-]+")


def source_slug(prefix: str, name: str) -> str:
    slug = _NOT_SOURCE.sub("-", name or "").strip("-").lower()
    if not slug:
        slug = hashlib.sha1((name or "").encode()).hexdigest()[:8]
    return f"{prefix}-{slug}"[:40]


def _records(totals: dict) -> list[dict]:
    return [{"date": day.isoformat(), "steps": steps, "source": source}
            for (day, source), steps in sorted(totals.items())]


def read_apple_export(stream) -> list[dict]:
    """Daily step totals per source from an Apple Health export.zip (a file object)."""
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as error:
        raise ValidationFailed(
            {"file": [_l("This is not a zip file. Upload the export.zip from the Health app.")]}) from error
    with archive:
        member = next((n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "export.xml"), None)
        if member is None:
            raise ValidationFailed(
                {"file": [_l("The zip file has no export.xml: upload the Health app's export.zip.")]})
        totals: dict[tuple[date, str], int] = defaultdict(int)
        with archive.open(member) as xml:
            depth, root = 0, None
            try:
                for event, element in ElementTree.iterparse(xml, events=("start", "end")):
                    if event == "start":
                        depth += 1
                        if root is None:
                            root = element
                        continue
                    depth -= 1
                    if depth == 1:  # a direct child of <HealthData> is complete
                        if element.tag == "Record" and element.get("type") == STEP_TYPE:
                            _add_apple_record(totals, element)
                        if root is not None:  # set by the first start event
                            root.clear()
            except ElementTree.ParseError as error:
                raise ValidationFailed(
                    {"file": [_l("export.xml is damaged (%(detail)s).", detail=str(error))]}) from error
    return _records(totals)


def _add_apple_record(totals, element) -> None:
    start = element.get("startDate", "")
    try:
        day = date.fromisoformat(start[:10])  # "2026-11-20 08:00:00 +0900": the phone's local date
        steps = int(float(element.get("value", "")))
    except ValueError:
        return
    if steps < 0:
        return
    totals[(day, source_slug("apple", element.get("sourceName", "")))] += steps


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp949")
        except UnicodeDecodeError as error:
            raise ValidationFailed(
                {"file": [_l("The file is neither UTF-8 nor CP949 text. Save it as CSV (UTF-8).")]}) from error


SAMSUNG_COUNT = ("count", "com.samsung.health.step_count.count")
SAMSUNG_DAY = ("day_time",)
SAMSUNG_START = ("com.samsung.health.step_count.start_time", "start_time")


def read_samsung_csv(data: bytes) -> list[dict]:
    """Samsung Health's step CSV: ``step_daily_trend`` (a total per day and device: the highest counts)
    or ``pedometer_step_count`` (intervals: summed per day). The first line naming the data type is skipped."""
    lines = _decode(data).splitlines()
    header_at = next((i for i, line in enumerate(lines[:3])
                      if any(name in line.split(",") for name in SAMSUNG_COUNT)), None)
    if header_at is None:
        raise ValidationFailed({"file": [_l("This is not a Samsung Health step file: no step count column.")]})
    reader = csv.reader(lines[header_at + 1:])
    columns = [c.strip() for c in lines[header_at].split(",")]
    count_at = next(columns.index(c) for c in SAMSUNG_COUNT if c in columns)
    daily = next((columns.index(c) for c in SAMSUNG_DAY if c in columns), None)
    start_at = next((columns.index(c) for c in SAMSUNG_START if c in columns), None)
    date_at = daily if daily is not None else start_at
    if date_at is None:
        raise ValidationFailed({"file": [_l("This is not a Samsung Health step file: no date column.")]})
    totals: dict[tuple[date, str], int] = defaultdict(int)
    for row in reader:
        if len(row) <= max(count_at, date_at):
            continue
        try:
            steps = int(float(row[count_at]))
            if daily is not None:
                cell = row[daily].strip()
                day = (datetime.fromtimestamp(int(cell) / 1000, tz=timezone.utc).date() if cell.isdigit()
                       else date.fromisoformat(cell[:10]))
            else:
                day = date.fromisoformat(row[date_at].strip()[:10])
        except ValueError:
            continue
        key = (day, "samsung-health")
        totals[key] = max(totals[key], steps) if daily is not None else totals[key] + steps
    return _records(totals)


def upload_phone_export(user, filename: str, stream) -> IngestResult:
    """Read a phone export (by its name: .zip is Apple, .csv Samsung) and take its days like the API does."""
    name = (filename or "").lower()
    if name.endswith(".zip"):
        records = read_apple_export(stream)
    elif name.endswith(".csv"):
        records = read_samsung_csv(stream.read())
    else:
        raise ValidationFailed({"file": [_l("Upload Apple Health's export.zip or a Samsung Health step CSV.")]})
    if not records:
        raise ValidationFailed({"file": [_l("The file holds no step counts.")]})
    first, _last = window()
    recent = [r for r in records if r["date"] >= first.isoformat()]
    old = len(records) - len(recent)
    result = IngestResult(outcomes=[])
    for start in range(0, len(recent), 1000):
        part = submit_steps(user, recent[start:start + 1000])
        result.outcomes.extend(part.outcomes)
        result.credited_won += part.credited_won
        result.paused = result.paused or part.paused
    result.counts = {"old": old}
    return result


def import_staff_csv(data: bytes, *, actor) -> IngestResult:
    """An operator's CSV (email,date,steps[,source]): every row valid or nothing saved, errors by row."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = [c.strip().lower() for c in next(reader, [])]
    missing = [c for c in ("email", "date", "steps") if c not in header]
    if missing:
        raise ValidationFailed({"file": [_l("Row 1 must name the columns email, date, steps (and source).")]})
    width = len(header)
    email_at, date_at, steps_at = header.index("email"), header.index("date"), header.index("steps")
    source_at = header.index("source") if "source" in header else None
    max_rows = current_app.config["WALKING_IMPORT_MAX_ROWS"]
    check = RecordCheck(*window())
    rows: list[tuple[str, Outcome]] = []  # (email, outcome) of each data row
    errors: list[tuple[int, str]] = []  # (row number, message)
    for count, row in enumerate(reader, start=1):
        if count > max_rows:
            raise ValidationFailed({"file": [_l("The file has more than %(rows)s rows.", rows=max_rows)]})
        email = row[email_at].strip().lower() if len(row) >= width else ""
        if not email and not any(cell.strip() for cell in row):
            continue  # an empty line
        if len(row) < width:
            errors.append((reader.line_num, _l("Row %(row)s: expected %(expected)s values, found %(found)s.",
                                               row=reader.line_num, expected=width, found=len(row))))
            continue
        source = row[source_at].strip() if source_at is not None else ""
        rows.append((email, check(reader.line_num, row[date_at], row[steps_at], source or "pedometer")))
    users = _participants_by_email({email for email, _outcome in rows})
    outcomes = []
    for email, outcome in rows:
        outcome.user_id = users.get(email)
        if outcome.user_id is None:
            errors.append((outcome.index, _l("Row %(row)s: %(email)s does not take part in the walking programme.",
                                             row=outcome.index, email=email)))
        elif outcome.status == "refused":
            errors.append((outcome.index, _l("Row %(row)s: %(reason)s", row=outcome.index, reason=outcome.reason)))
        outcomes.append(outcome)
    if errors:
        errors.sort(key=lambda error: error[0])
        shown = [message for _row, message in errors[:MAX_REPORTED_ERRORS]]
        if len(errors) > MAX_REPORTED_ERRORS:
            shown.append(_l("… and %(count)s more errors.", count=len(errors) - MAX_REPORTED_ERRORS))
        raise ValidationFailed({"file": shown})
    if not outcomes:
        raise ValidationFailed({"file": [_l("The file has no data rows below its header.")]})
    return store(outcomes, actor=actor)


def _participants_by_email(emails: set[str]) -> dict[str, int]:
    """The active participants among ``emails`` (lower case), in one query on the unique email index.

    Accounts store their email in lower case; the rare older account with capitals is looked up only
    when some address was not found, in one more query over such accounts alone."""
    if not emails:
        return {}
    users, participants = User.__table__, WalkingParticipant.__table__  # Core rows: no ORM work per row
    active = select(users.c.email, users.c.id).join(participants, participants.c.user_id == users.c.id).where(
        participants.c.status == ParticipationStatus.ACTIVE)
    found: dict[str, int] = dict(db.session.execute(active.where(one_of(users.c.email, emails))).tuples().all())
    if len(found) < len(emails):
        for email, user_id in db.session.execute(active.where(users.c.email != func.lower(users.c.email))):
            if email.lower() in emails:
                found[email.lower()] = user_id
    return found
