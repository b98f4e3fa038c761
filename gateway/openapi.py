"""One OpenAPI document for the whole public API: the gateway's own paths plus each
service's, with the bearer-key security every /api/v1 call needs."""

from __future__ import annotations

import copy

import requests

from services.common.web import PROBLEM_JSON

UNAUTHORIZED = {
    "description": "Missing, unknown or revoked API key",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def fetch_service_specs(service_urls: dict[str, str], timeout_s: float = 5.0) -> dict[str, dict]:
    specs = {}
    for name, url in service_urls.items():
        response = requests.get(f"{url}/openapi.json", timeout=timeout_s)
        response.raise_for_status()
        specs[name] = response.json()
    return specs


def merge_specs(own: dict, services: dict[str, dict], version: str) -> dict:
    merged = copy.deepcopy(own)
    merged["info"] = {
        "title": "ParkLoop API",
        "version": version,
        "description": "Waste and by-product exchange for industrial parks. "
        "Every /api/v1 call needs `Authorization: Bearer <key>`.",
    }
    components = merged.setdefault("components", {})
    for name, spec in services.items():
        merged["paths"].update({p: op for p, op in spec.get("paths", {}).items() if p.startswith("/api/v1/")})
        for section, entries in spec.get("components", {}).items():
            target = components.setdefault(section, {})
            for key, value in entries.items():
                if key in target and target[key] != value:
                    raise ValueError(f"{name} redefines OpenAPI component {section}/{key} differently")
                target[key] = value
    components.setdefault("securitySchemes", {})["bearerAuth"] = {"type": "http", "scheme": "bearer"}
    merged["tags"] = sorted(
        {t["name"]: t for s in [own, *services.values()] for t in s.get("tags", [])}.values(), key=lambda t: t["name"]
    )
    for path, operations in merged["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["security"] = [{"bearerAuth": []}]
                operation["responses"].setdefault("401", UNAUTHORIZED)
    return merged
