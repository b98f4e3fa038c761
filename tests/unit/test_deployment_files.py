"""The scale-out deployment files agree with the code: no Docker here, so they are read, not run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.matching.adapters.elasticsearch_search import ElasticsearchSearch
from services.matching.adapters.opensearch_search import OpenSearchSearch
from services.matching.bootstrap import connect_search

ROOT = Path(__file__).resolve().parents[2]
SEARCHING = ("matching", "matching-worker", "webhook-dispatcher")  # every process that opens the index


def compose(*files: str) -> dict:
    """What `docker compose -f A -f B` sees for services: later files' maps merged into earlier ones."""
    services: dict = {}
    for name in files:
        for service, spec in yaml.safe_load((ROOT / name).read_text())["services"].items():
            merged = services.setdefault(service, {})
            for key, value in spec.items():
                merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return services


def entrypoint_roles() -> set[str]:
    script = (ROOT / "infra/docker/entrypoint.sh").read_text()
    return {role for pattern in re.findall(r"^\s+([a-z|-]+)\)", script, re.M) for role in pattern.split("|")}


def search_url(spec: dict) -> str:
    return re.sub(r"\$\{SEARCH_URL:-(.*)\}", r"\1", spec["environment"]["SEARCH_URL"])


def test_every_parkloop_container_runs_a_role_the_entrypoint_knows():
    roles = {name: spec["command"][0] for name, spec in compose("docker-compose.yml").items() if "build" in spec}
    assert set(roles.values()) <= entrypoint_roles()
    assert {
        "gateway",
        "listings",
        "matching",
        "ledger",
        "listings-relay",
        "matching-worker",
        "webhook-dispatcher",
        "ledger-worker",
    } <= set(roles.values())


def test_every_parkloop_container_names_the_database_its_role_needs_or_the_entrypoint_refuses_it():
    script = (ROOT / "infra/docker/entrypoint.sh").read_text()
    needs = {
        role: variable
        for roles, variable in re.findall(r"^\s+([a-z|-]+)\) database_variable=(\w+) ;;", script, re.M)
        for role in roles.split("|")
    }
    containers = {name: spec for name, spec in compose("docker-compose.yml").items() if "build" in spec}
    assert {spec["command"][0] for spec in containers.values()} <= set(needs)
    assert {name: needs[spec["command"][0]] in spec["environment"] for name, spec in containers.items()} == {
        name: True for name in containers
    }


@pytest.mark.parametrize(
    "files, adapter",
    [
        (("docker-compose.yml",), ElasticsearchSearch),
        (("docker-compose.yml", "infra/docker/opensearch.yml"), OpenSearchSearch),
    ],
    ids=["elasticsearch", "opensearch"],
)
def test_every_process_that_opens_the_index_reaches_the_chosen_engine(files, adapter):
    services = compose(*files)
    for name in SEARCHING:
        assert isinstance(connect_search(search_url(services[name]), None), adapter), name


def test_every_secret_the_compose_file_requires_is_in_the_env_example():
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert required and required <= example
