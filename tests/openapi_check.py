"""Check a real API response against /api/v1/openapi.json (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

import re

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def _match_path(spec, url_path):
    path = url_path.split("?", 1)[0].removeprefix("/api/v1")
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def assert_matches_openapi(client, method, url, response):
    """The response's status is documented for this operation and its JSON body fits the schema."""
    spec = client.get("/api/v1/openapi.json").get_json()
    template = _match_path(spec, url)
    operation = spec["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not documented"
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {template} does not document status {response.status_code}"
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    content = documented.get("content", {}).get("application/json")
    if content is None:
        return
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(
        {**spec, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    schema = {"$ref": "urn:openapi#/paths/" + _escape(template) + f"/{method.lower()}/responses/"
              + str(response.status_code) + "/content/application~1json/schema"}
    if "$ref" in operation["responses"][str(response.status_code)]:
        name = operation["responses"][str(response.status_code)]["$ref"].rsplit("/", 1)[1]
        schema = {"$ref": f"urn:openapi#/components/responses/{name}/content/application~1json/schema"}
    validator = Draft202012Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: e.path)
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


def _escape(template):
    return template.replace("~", "~0").replace("/", "~1")
