"""One search box over everything registered in app.search (proposals, comments, and later policies, labs)."""
from flask import Blueprint, Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import page_number
from app.ops.cache import public_page
from app.search import SearchResult, highlight_title
from app.search import search as run_search

bp = Blueprint("searchpage", __name__)

TYPE_LABELS = {
    "proposal": _l("Proposal"),
    "comment": _l("Comment"),
    "policy": _l("Policy"),
    "lab": _l("Living lab"),
    "consultation": _l("Consultation"),
    "survey": _l("Survey"),
}
PER_PAGE = 20
MAX_QUERY = 200


@bp.route("/search")
@public_page
def search():
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    page = page_number()
    result = run_search(q, viewer=current_user, page=page, per_page=PER_PAGE) if q else SearchResult([], 0)
    return render_template("searchpage/search.html", q=q, hits=result.hits, total=result.total,
                           missing=result.missing, suggestion=result.suggestion, estimated=result.estimated,
                           page=page, per_page=PER_PAGE,
                           highlight_title=highlight_title, type_labels=TYPE_LABELS)


def register(app: Flask) -> None:
    from app.search import search_cli
    from app.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    register_nav(90, "searchpage.search", _l("Search"))
