"""One search box over everything registered in app.search: proposals, comments, policies, living labs,
consultations and surveys, with a tab per type and its count."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import page_number
from app.ops.cache import public_page
from app.search import SearchHit, SearchResult, highlight_title
from app.search.counts import CAP, search_and_count

bp = Blueprint("searchpage", __name__)

TYPE_LABELS = {
    "proposal": _l("Proposal"),
    "comment": _l("Comment"),
    "policy": _l("Policy"),
    "lab": _l("Living lab"),
    "consultation": _l("Consultation"),
    "survey": _l("Survey"),
}
# The tabs: plural names of each type, in this order.
TAB_LABELS = {
    "proposal": _l("Proposals"),
    "comment": _l("Comments"),
    "policy": _l("Policies"),
    "lab": _l("Living labs"),
    "consultation": _l("Consultations"),
    "survey": _l("Surveys"),
}
TYPES = list(TYPE_LABELS)
PER_PAGE = 20
MAX_QUERY = 200


@dataclass
class ResultGroup:
    """One item of the result list: a hit, and the matching comments on the same page under it.

    Comments on one proposal (or policy, lab, ...) are gathered under that proposal's hit when it is
    on the page, else under a heading naming it, at the place of the best of them."""
    title: str
    url: str
    hit: SearchHit | None  # None: a heading for comments whose proposal is not itself a result here
    comments: list[SearchHit] = field(default_factory=list)


def _target_url(hit: SearchHit) -> str:
    return hit.url.split("#", 1)[0]


def group_hits(hits: list[SearchHit]) -> list[ResultGroup]:
    groups: list[ResultGroup] = []
    by_url: dict[str, ResultGroup] = {}
    for hit in hits:  # the targets first, so their comments join them wherever they rank
        if hit.type != "comment":
            by_url.setdefault(hit.url, ResultGroup(hit.title, hit.url, hit))
    placed: set[int] = set()
    for hit in hits:
        if hit.type == "comment":
            group = by_url.get(_target_url(hit))
            if group is None:
                group = by_url[_target_url(hit)] = ResultGroup(hit.title, _target_url(hit), None)
            group.comments.append(hit)
        else:
            group = by_url[hit.url]
            if group.hit is not hit:  # the same document twice (cannot happen, but never drop it)
                group = ResultGroup(hit.title, hit.url, hit)
        if id(group) not in placed:
            placed.add(id(group))
            groups.append(group)
    return groups


def parse_type(raw: str | None) -> str | None:
    """The ``type`` argument: None for every type; ValueError for a type search does not know."""
    raw = (raw or "").strip()
    if not raw or raw == "all":
        return None
    if raw not in TYPE_LABELS:
        raise ValueError(raw)
    return raw


@bp.route("/search")
@public_page
def search():
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    page = page_number()
    try:
        chosen = parse_type(request.args.get("type"))
        unknown_type = False
    except ValueError:
        chosen, unknown_type = None, True
    if q:
        result, counts = search_and_count(q, TYPES, viewer=current_user, chosen=chosen, page=page, per_page=PER_PAGE)
    else:
        result, counts = SearchResult([], 0), dict.fromkeys(TYPES, 0)
    status = 400 if unknown_type else 200
    return render_template("searchpage/search.html", q=q, hits=result.hits, groups=group_hits(result.hits),
                           total=result.total, missing=result.missing, suggestion=result.suggestion,
                           estimated=result.estimated, page=page, per_page=PER_PAGE, chosen=chosen,
                           unknown_type=unknown_type, counts=counts, all_count=sum(counts.values()), cap=CAP,
                           tab_labels=TAB_LABELS, highlight_title=highlight_title,
                           type_labels=TYPE_LABELS), status


def register(app: Flask) -> None:
    from app.search import search_cli
    from app.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    register_nav(90, "searchpage.search", _l("Search"))
