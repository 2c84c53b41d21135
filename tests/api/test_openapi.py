"""GET /api/v1/openapi.json is a valid OpenAPI 3 document that describes every API endpoint."""
import re

import pytest
from openapi_spec_validator import validate

_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_documented(app, spec):
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = _PARAM.sub(r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == [], "Add @documented(...) to: " + ", ".join(missing)


def test_operations_have_unique_ids_tags_and_declare_auth(spec):
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    token = spec["paths"]["/api/v1/tokens"]["post"]
    assert "security" not in token and "201" in token["responses"] and "401" in token["responses"]
    me = spec["paths"]["/api/v1/me"]
    assert set(me) >= {"get", "patch", "delete"} and me["get"]["security"] == [{"bearerAuth": []}]
    assert me["patch"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["display_name"]
    for path in spec["paths"].values():
        for operation in path.values():
            assert operation["tags"] and operation["summary"]
