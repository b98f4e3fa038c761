"""Every value the API accepts is bounded by what stores or filters it, as each service documents it:
integers fit a 32-bit INTEGER column (PostgreSQL refuses more with a 500 otherwise), and strings have
a maximum length (a VARCHAR(36) id column refuses more, and an unbounded text is a memory sink)."""

from __future__ import annotations

import logging

import pytest

from services.common.schemas import COLUMN_INT_MAX

# Strings bounded by what they are rather than by a length.
SELF_BOUNDED_FORMATS = {"date", "date-time", "uuid"}


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def unbounded(spec: dict, schema: dict, path: str) -> list[str]:
    """The places under `schema` that accept an unbounded integer or string."""
    schema = _resolve(spec, schema)
    found = [p for part in schema.get("allOf", []) for p in unbounded(spec, part, path)]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            found += [] if sub.get("readOnly") else unbounded(spec, sub, f"{path}.{name}")
        if isinstance(schema.get("additionalProperties"), dict):
            found += unbounded(spec, schema["additionalProperties"], f"{path}.*")
    elif kind == "array":
        found += unbounded(spec, schema.get("items", {}), f"{path}[]")
    elif kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None or high is None or low < -COLUMN_INT_MAX - 1 or high > COLUMN_INT_MAX:
            found.append(f"{path}: integer in [{low}, {high}]")
    elif kind == "string" and "enum" not in schema and schema.get("format") not in SELF_BOUNDED_FORMATS:
        if "maxLength" not in schema:
            found.append(f"{path}: string without maxLength")
    return found


def _spec(service: str, monkeypatch, tmp_path) -> dict:
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    logging.disable(logging.INFO)  # the start-up lines
    try:
        if service == "gateway":
            from gateway.app import create_app
        else:
            create_app = __import__(f"services.{service}.app", fromlist=["create_app"]).create_app
        app = create_app()
    finally:
        logging.disable(logging.NOTSET)
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


@pytest.mark.parametrize("service", ["gateway", "listings", "matching", "ledger"])
def test_every_integer_and_string_a_request_carries_is_bounded(service, monkeypatch, tmp_path):
    spec = _spec(service, monkeypatch, tmp_path)
    found = []
    for path, operations in spec["paths"].items():
        shared = operations.get("parameters", [])
        for method, operation in operations.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            for parameter in shared + operation.get("parameters", []):
                if parameter["in"] != "path":  # path parts are matched, never stored; <int:> is bounded
                    found += unbounded(spec, parameter.get("schema", {}), f"{where} {parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            found += unbounded(spec, body.get("schema", {}), f"{where} body")
    assert found == []


def test_a_ledger_index_in_a_path_is_bounded_by_the_column(monkeypatch, tmp_path):
    spec = _spec("ledger", monkeypatch, tmp_path)
    [index] = [p for p in spec["paths"]["/api/v1/ledger/entries/{index}"]["parameters"] if p["name"] == "index"]
    assert index["schema"] == {"type": "integer", "minimum": 0, "maximum": COLUMN_INT_MAX}
