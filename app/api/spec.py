"""The OpenAPI 3 document, built from the API's routes and the ``@documented`` metadata on each view."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app

_PATH_PARAM = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERRORS = {"$ref": "#/components/schemas/ValidationErrors"}


def documented(summary: str, *, tag: str, auth: bool = True, body: dict | None = None,
               responses: dict | None = None, query: list[dict] | None = None):
    """Attach an OpenAPI operation to a view. ``body`` is a JSON schema of the request body;
    ``responses`` maps status codes to (description, schema or None)."""

    def decorator(view):
        view._openapi = {
            "summary": summary, "tag": tag, "auth": auth, "body": body,
            "responses": responses or {200: ("OK", None)}, "query": query or [],
        }
        return view

    return decorator


def query_param(name: str, schema_type: str = "string", description: str = "", enum: list | None = None) -> dict:
    schema: dict[str, Any] = {"type": schema_type}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def build_openapi() -> dict:
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "_openapi", None)
        if meta is None:
            continue
        path = _PATH_PARAM.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        parameters = [
            {"name": m.group("name"), "in": "path", "required": True,
             "schema": {"type": "integer" if m.group("converter") == "int" else "string"}}
            for m in _PATH_PARAM.finditer(rule.rule)
        ] + meta["query"]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": f"{rule.endpoint.removeprefix('api.')}_{method.lower()}",
                "summary": meta["summary"],
                "tags": [meta["tag"]],
                "responses": _responses(meta),
            }
            if parameters:
                operation["parameters"] = parameters
            # An operation that needs a token says so; one without "security" is public (there is no
            # document-wide requirement) and carries the public rate limit's 429 response instead.
            if meta["auth"]:
                operation["security"] = [{"bearerAuth": []}]
            if meta["body"] is not None and method in {"POST", "PUT", "PATCH"}:
                operation["requestBody"] = {
                    "required": True, "content": {"application/json": {"schema": meta["body"]}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "Maeul API", "version": "1.0.0",
                 "description": "Resident participation platform: every action a page offers. Operations "
                                "with bearerAuth need a token from POST /api/v1/tokens; the others are public "
                                "and limited per address (PUBLIC_API_RATELIMIT) when sent without a token."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "object", "properties": {
                        "code": {"type": "integer"}, "message": {"type": "string"}}}},
                },
                "ValidationErrors": {
                    "type": "object",
                    "properties": {"errors": {"type": "object", "additionalProperties": {
                        "type": "array", "items": {"type": "string"}}}},
                },
            },
        },
    }


def _responses(meta: dict) -> dict:
    responses = {}
    for status, (description, schema) in meta["responses"].items():
        entry = {"description": description}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        responses[str(status)] = entry
    if meta["body"] is not None:
        responses.setdefault("422", {"description": "Invalid input",
                                     "content": {"application/json": {"schema": VALIDATION_ERRORS}}})
    if meta["auth"]:
        responses.setdefault("401", {"description": "Missing or invalid token",
                                     "content": {"application/json": {"schema": ERROR}}})
    else:
        responses.setdefault("429", {"description": "Too many requests without a token from this address "
                                                    "(PUBLIC_API_RATELIMIT)",
                                     "content": {"application/json": {"schema": ERROR}}})
    return responses
