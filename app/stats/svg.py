"""Server-side SVG bar charts: no script, no inline style (the CSP forbids both), readable without
colour because every bar carries its number, and every chart comes with its table."""
from __future__ import annotations

from markupsafe import Markup, escape

from app.stats.queries import Chart

WIDTH = 320  # viewBox units; the SVG scales to the column width on a phone
LABEL = 110
BAR_HEIGHT = 22
GAP = 8


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def bar_chart(chart: Chart, suppressed_label: str) -> Markup:
    rows = chart.rows
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP)
    top = chart.max_value or 1
    span = WIDTH - LABEL - 50
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="chart-{escape(chart.key)}-title" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-{escape(chart.key)}-title">{escape(str(chart.title))}</title>']
    for index, row in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        label = escape(str(row.label))
        parts.append(f'<text class="chart-label" x="{LABEL - 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" '
                     f'text-anchor="end">{label}</text>')
        if row.value is None:
            parts.append(f'<text class="chart-suppressed" x="{LABEL}" y="{y + BAR_HEIGHT * 0.7:.1f}">'
                         f'{escape(suppressed_label)}</text>')
            continue
        length = max(1.0, span * row.value / top) if row.value else 0
        parts.append(f'<rect class="chart-bar" x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"/>')
        parts.append(f'<text class="chart-value" x="{LABEL + length + 4:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}">'
                     f'{escape(_number(row.value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
