from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import api_user
from app.api.helpers import page_arg, per_page_arg
from app.api.spec import VALIDATION_ERRORS, documented, query_param
from app.core import ValidationFailed
from app.search import SearchResult
from app.search.counts import CAP, search_and_count
from app.searchpage import TYPES, parse_type

SEARCH_SCHEMA = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
    "type": {"type": "string", "enum": TYPES}, "id": {"type": "integer"}, "title": {"type": "string"},
    "url": {"type": "string"},
    "snippet": {"type": "string", "description": "escaped HTML with <mark> around the matched words"}}}},
    "total": {"type": "integer", "description": "results of the chosen type (or of every type)"},
    "total_estimated": {"type": "boolean", "description": "true when total is an estimate (a very common word)"},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"},
               "description": f"results of each type, whatever type is chosen; a count above {CAP} is {CAP + 1}"},
    "missing": {"type": "array", "items": {"type": "string"},
                "description": "words of the query that the best results lack (when no result has every word)"},
    "suggestion": {"type": "string", "nullable": True,
                   "description": "the query with a one-letter typo corrected, when nothing matched"}}}


@bp.route("/search")
@documented("Search proposals, comments, policies, living labs, consultations and surveys (Korean aware)",
            tag="search", auth=False,
            query=[query_param("q"),
                   query_param("type", description="only results of this type (default: every type); "
                                                   "an unknown type is a 422", enum=TYPES),
                   query_param("page", "integer"), query_param("per_page", "integer")],
            responses={200: ("Results, best first", SEARCH_SCHEMA), 422: ("Unknown type", VALIDATION_ERRORS)})
def search():
    q = request.args.get("q", "").strip()[:200]
    try:
        chosen = parse_type(request.args.get("type"))
    except ValueError:
        raise ValidationFailed({"type": [_l("Choose one of: %(types)s.", types=", ".join(TYPES))]}) from None
    viewer = api_user()
    if q:
        result, counts = search_and_count(q, TYPES, viewer=viewer, chosen=chosen, page=page_arg(),
                                          per_page=per_page_arg())
    else:
        result, counts = SearchResult([], 0), dict.fromkeys(TYPES, 0)
    return jsonify({"items": [{"type": h.type, "id": h.id, "title": h.title, "url": h.url, "snippet": h.snippet}
                              for h in result.hits], "total": result.total,
                    "total_estimated": result.estimated, "counts": counts, "missing": result.missing,
                    "suggestion": result.suggestion})
