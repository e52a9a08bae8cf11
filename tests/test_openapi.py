"""/api/v1/openapi.json is a well-formed OpenAPI 3 document that matches the real routes."""
import re

import pytest

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# The document does not describe itself.
UNDOCUMENTED = {("/openapi.json", "get")}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def rule_to_openapi(rule: str) -> str:
    """'/api/v1/attempts/<public_id>/questions/<int:number>' -> '/attempts/{public_id}/questions/{number}'."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def api_routes(app) -> set[tuple[str, str]]:
    return {
        (rule_to_openapi(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def documented(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS}


def test_top_level_structure(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["paths"]
    assert all(path.startswith("/") for path in document["paths"])


def test_every_operation_is_well_formed(document):
    for path, item in document["paths"].items():
        template_names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            assert method in HTTP_METHODS, (path, method)
            assert operation["summary"]
            assert operation["responses"], (path, method)
            for code, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", code), (path, method, code)
                assert response["description"]
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                assert parameter["name"] and "schema" in parameter
                if parameter["in"] == "path":
                    assert parameter["required"] is True
            path_params = {p["name"] for p in parameters if p["in"] == "path"}
            assert path_params == template_names, (path, method)
            if method in {"post", "put", "patch", "delete"}:
                assert any(p["in"] == "header" and p["name"] == "X-CSRFToken" for p in parameters), (path, method)


def test_every_reference_resolves(document):
    def refs(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "$ref":
                    yield inner
                else:
                    yield from refs(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from refs(inner)

    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/")
        target = document
        for part in ref[2:].split("/"):
            assert part in target, ref
            target = target[part]


def test_every_documented_operation_exists(app, document):
    missing = documented(document) - api_routes(app)
    assert not missing


def test_every_api_route_is_documented(app, document):
    undocumented = api_routes(app) - documented(document) - UNDOCUMENTED
    assert not undocumented


def test_documented_success_codes_match_the_api(document):
    assert "201" in document["paths"]["/attempts"]["post"]["responses"]
    assert "200" in document["paths"]["/attempts/{public_id}/questions/{number}/answer"]["post"]["responses"]


def test_the_question_schema_has_no_answer_key(document):
    schemas = document["components"]["schemas"]
    question = schemas["Question"]["properties"]
    assert "correct" not in question and "explanation" not in question
    option = question["options"]["items"]["properties"]
    assert set(option) == {"key", "text"}


def test_every_operation_has_a_unique_operation_id(document):
    ids = [op["operationId"] for item in document["paths"].values() for method, op in item.items()
           if method in HTTP_METHODS]
    assert len(ids) == len(set(ids)) == len(documented(document))
    assert document["paths"]["/attempts/{public_id}/questions/{number}/answer"]["post"]["operationId"] == (
        "postAttemptsByPublicIdQuestionsByNumberAnswer")


def test_security_schemes_say_how_to_authenticate(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie"}
    assert schemes["csrf"]["in"] == "header" and schemes["csrf"]["name"] == "X-CSRFToken"
    paths = document["paths"]
    assert paths["/verify/{code}"]["get"]["security"] == []
    assert paths["/session"]["post"]["security"] == [{"csrf": []}]
    assert paths["/attempts"]["post"]["security"] == [{"session": [], "csrf": []}]
    assert paths["/applications"]["get"]["security"] == [{"session": []}]
    for item in paths.values():
        for method, op in item.items():
            for requirement in op["security"]:
                assert set(requirement) <= set(schemes)
                if method != "get":
                    assert "csrf" in requirement


def test_every_link_names_an_operation_and_its_path_parameters(document):
    operations = {op["operationId"]: (path, op) for path, item in document["paths"].items()
                  for method, op in item.items() if method in HTTP_METHODS}
    links = [(code, link) for item in document["paths"].values() for op in item.values()
             for code, response in op["responses"].items() for link in response.get("links", {}).values()]
    assert len(links) >= 40
    for code, link in links:
        assert code.startswith("2"), link
        path, target = operations[link["operationId"]]
        assert set(link.get("parameters", {})) <= set(re.findall(r"{([^}]+)}", path)), link
        assert all(value.startswith("$response.body#/") for value in link.get("parameters", {}).values()), link
    start = document["paths"]["/applications"]["get"]["responses"]["200"]["links"]["StartAttempt"]
    assert start["requestBody"] == {"application_id": "$response.body#/applications/0/id", "consent": True}


def json_schema(schema, components: dict):
    """An OpenAPI 3.0 schema as plain JSON Schema for checking an example: references
    inlined, `nullable` as a null type, and objects closed to undeclared properties (an
    example must not show a field the document does not describe)."""
    if isinstance(schema, list):
        return [json_schema(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return json_schema(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    converted = {key: json_schema(value, components) for key, value in schema.items()
                 if key not in ("nullable", "example", "description", "format")}
    if schema.get("nullable") and "type" in schema:
        converted["type"] = [schema["type"], "null"]
    if schema.get("type") == "object" and "properties" in schema:
        converted["additionalProperties"] = False
    return converted


def test_every_json_body_and_response_has_an_example_that_fits_its_schema(document):
    """Issue 13: examples for client generators, mock servers and readers; each one valid."""
    import jsonschema_rs

    components = document["components"]["schemas"]
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            bodies = [("request", operation.get("requestBody", {}).get("content", {}).get("application/json"))]
            bodies += [(code, response.get("content", {}).get("application/json"))
                       for code, response in operation["responses"].items()]
            for where, media in bodies:
                if media is None:
                    continue
                assert "example" in media, (method, path, where)
                validator = jsonschema_rs.Draft4Validator(json_schema(media["schema"], components))
                errors = [error.message for error in validator.iter_errors(media["example"])]
                assert errors == [], (method, path, where, errors)
                checked += 1
    assert checked > 100
