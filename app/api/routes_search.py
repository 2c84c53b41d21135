from flask import jsonify, request

from app.api import bp
from app.api.auth import api_user
from app.api.helpers import page_arg, per_page_arg
from app.api.spec import documented, query_param
from app.search import SearchResult, search as run_search

SEARCH_SCHEMA = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
    "type": {"type": "string"}, "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"},
    "snippet": {"type": "string", "description": "escaped HTML with <mark> around the matched words"}}}},
    "total": {"type": "integer"},
    "total_estimated": {"type": "boolean", "description": "true when total is an estimate (a very common word)"},
    "missing": {"type": "array", "items": {"type": "string"},
                "description": "words of the query that the best results lack (when no result has every word)"},
    "suggestion": {"type": "string", "nullable": True,
                   "description": "the query with a one-letter typo corrected, when nothing matched"}}}


@bp.route("/search")
@documented("Search proposals and comments (Korean aware)", tag="search", auth=False,
            query=[query_param("q"), query_param("page", "integer"), query_param("per_page", "integer")],
            responses={200: ("Results, best first", SEARCH_SCHEMA)})
def search():
    q = request.args.get("q", "").strip()[:200]
    result = run_search(q, viewer=api_user(), page=page_arg(), per_page=per_page_arg()) if q else SearchResult([], 0)
    return jsonify({"items": [{"type": h.type, "id": h.id, "title": h.title, "url": h.url, "snippet": h.snippet}
                              for h in result.hits], "total": result.total,
                    "total_estimated": result.estimated, "missing": result.missing,
                    "suggestion": result.suggestion})
