"""A bar chart of one numeric column of a data set, drawn server-side as SVG geometry."""
from __future__ import annotations

from dataclasses import dataclass

from app.labs.csv_import import numeric, numeric_columns
from app.labs.models import DataSet

MAX_BARS = 40
WIDTH = 360
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 100


@dataclass
class Bar:
    label: str
    value: float
    y: int
    width: float


@dataclass
class Chart:
    numeric_columns: list[tuple[int, str]]
    column: int
    label_column: int
    bars: list[Bar]
    height: int
    maximum: float
    truncated: bool
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(dataset: DataSet, column: int | None, label_column: int | None) -> Chart | None:
    """Bars of ``column`` (the first numeric column by default), labelled by ``label_column`` (first column)."""
    candidates = numeric_columns(dataset.columns, dataset.rows)
    if not candidates:
        return None
    if column not in candidates:
        column = candidates[0]
    if label_column is None or not 0 <= label_column < len(dataset.columns):
        label_column = 0
    rows = [row for row in dataset.rows if numeric(row[column]) is not None]
    shown = rows[:MAX_BARS]
    values = [numeric(row[column]) for row in shown]
    maximum = max((abs(v) for v in values), default=0) or 1
    plot_width = WIDTH - LABEL_WIDTH - 50
    bars = [Bar(label=row[label_column][:12], value=value, y=index * (BAR_HEIGHT + GAP),
                width=round(abs(value) / maximum * plot_width, 1))
            for index, (row, value) in enumerate(zip(shown, values))]
    return Chart(numeric_columns=[(i, dataset.columns[i]) for i in candidates], column=column,
                 label_column=label_column, bars=bars, height=max(len(bars), 1) * (BAR_HEIGHT + GAP),
                 maximum=maximum, truncated=len(rows) > MAX_BARS)
