"""Server-side SVG: a bar chart of steps by day, the budget burn-down, and the coupon's barcode.

Only presentation attributes (fill, width, …), no style attributes, so the pages keep their strict
Content-Security-Policy. Every chart is paired on its page with a table holding the same numbers."""
from __future__ import annotations

from datetime import date

from barcode import Code128
from markupsafe import Markup, escape


def steps_chart(days: list[dict], *, title: str, goal: int = 5000) -> Markup:
    width, height, pad = 320, 160, 24
    count = max(len(days), 1)
    top = max([d["steps"] for d in days] + [goal, 1])
    bar = (width - 2 * pad) / count
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    goal_y = height - pad - (height - 2 * pad) * goal / top
    for index, day in enumerate(days):
        bar_height = (height - 2 * pad) * day["steps"] / top
        x = pad + index * bar
        colour = "#1b7f5a" if day["steps"] >= goal else "#9bb8ad"
        parts.append(f'<rect x="{x + 1:.1f}" y="{height - pad - bar_height:.1f}" width="{max(bar - 2, 1):.1f}" '
                     f'height="{bar_height:.1f}" fill="{colour}"/>')
        if count <= 7 or day["day"].day in (1, 10, 20):
            label = day["day"].strftime("%-m/%-d") if count <= 7 else str(day["day"].day)
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" '
                         f'fill="#333">{label}</text>')
    parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{goal_y:.1f}" y2="{goal_y:.1f}" stroke="#c0392b" '
                 f'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def burn_down_chart(points: list[tuple[date, int]], allocated: int, projection: date | None, *, title: str,
                    year_end: date) -> Markup:
    """Remaining budget by day, with a dashed line to the projected day it runs out."""
    width, height, pad = 320, 160, 24
    if not points:
        return Markup("")
    start = points[0][0]
    span = max((year_end - start).days, 1)
    top = max(allocated, 1)

    def xy(day: date, value: int) -> tuple[float, float]:
        return (pad + (width - 2 * pad) * (day - start).days / span,
                height - pad - (height - 2 * pad) * max(value, 0) / top)

    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(d, v) for d, v in points))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<polyline points="{path}" fill="none" stroke="#1b7f5a" stroke-width="2"/>']
    if projection is not None and projection <= year_end:
        x1, y1 = xy(*points[-1])
        x2, y2 = xy(projection, 0)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#c0392b" '
                     f'stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" y2="{height - pad}" stroke="#999"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def barcode_svg(number: str, *, label: str) -> Markup:
    """Code 128 (python-barcode computes the modules) drawn as SVG bars with a quiet zone, wide enough
    to scan from a phone screen (the page shows it full width)."""
    modules = Code128(number).build()[0]
    quiet, module_w, bar_h = 10, 3, 120
    width = (len(modules) + 2 * quiet) * module_w
    parts = [f'<svg class="barcode" viewBox="0 0 {width} {bar_h + 20}" role="img" aria-label="{escape(label)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
             f'<rect width="{width}" height="{bar_h + 20}" fill="#fff"/>']
    x = quiet * module_w
    run_start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and run_start is None:
            run_start = index
        elif module != "1" and run_start is not None:
            parts.append(f'<rect x="{x + run_start * module_w}" y="10" width="{(index - run_start) * module_w}" '
                         f'height="{bar_h}" fill="#000"/>')
            run_start = None
    parts.append("</svg>")
    return Markup("".join(parts))
