import csv
import io

from flask import Response, abort, render_template
from flask_babel import gettext as _

from app.auth.permissions import is_staff, requires
from app.stats import bp
from app.stats.dashboard import working_figures
from app.stats.queries import Chart, all_charts, min_group
from app.stats.svg import bar_chart


def _page(template: str, **extra):
    charts = all_charts()
    by_key = {chart.key: chart for chart in charts}
    suppressed = _("fewer than %(n)s", n=min_group())
    return render_template(template, charts=charts, by_key=by_key, min_group=min_group(), suppressed=suppressed,
                           svg=lambda chart: bar_chart(chart, suppressed), **extra)


@bp.route("/")
def index():
    return _page("stats/index.html")


@bp.route("/staff")
@requires(is_staff)
def dashboard():
    return _page("stats/dashboard.html", figures=working_figures())


def chart_csv(chart: Chart) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Group"), str(chart.unit)])
    for row in chart.rows:
        writer.writerow([str(row.label), f"<{min_group()}" if row.value is None else row.value])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@bp.route("/<key>.csv")
def download(key: str):
    chart = next((c for c in all_charts() if c.key == key), None)
    if chart is None:
        abort(404)
    return Response(chart_csv(chart), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="maeul-{key}.csv"'})
