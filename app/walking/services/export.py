"""The staff CSV export of every resident's days, streamed row by row."""
from __future__ import annotations

import csv
import io

from app.walking.services.stats import export_rows


def csv_lines():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "date", "steps", "reward_won", "credited_won", "waiting_for_budget"])
    yield "\ufeff" + buffer.getvalue()
    for email, day, steps, reward, credited, pending in export_rows():
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([email, day.isoformat(), steps, reward, credited, "yes" if pending else "no"])
        yield buffer.getvalue()
