"""Schemathesis drives every documented operation with generated input and valid keys:
no 5xx, and every response matches the merged OpenAPI document; on the embedded default and on
PostgreSQL + Kafka + Elasticsearch (where a 32-bit column refuses what SQLite stores).

Fuzzing changes and revokes whatever it can reach, so it gets a system of its own (with the
demo park for data) and fuzzes as an enterprise before the admin run can revoke that key."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import start_system, stop_system
from .test_real_engines import real_deployment

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


@pytest.fixture(scope="module", params=["embedded", "postgres-kafka-elasticsearch"])
def fuzzed(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fuzzed")
    if request.param == "embedded":
        running = start_system(data_dir, demo=True)
        yield running
        stop_system(running.process)
    else:
        with real_deployment(data_dir, demo=True) as (running, *_):
            yield running


def run_schemathesis(system, key: str, max_examples: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "schemathesis"),
            "run",
            f"{system.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(max_examples),
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "1004",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=system.data_dir,
    )  # its state files stay out of the repo


def failures(result: subprocess.CompletedProcess) -> str:
    """The report's failures section (each with its curl reproduction), not the progress lines."""
    out = result.stdout
    start = out.find("FAILURES")
    return (out[start : start + 12000] if start >= 0 else out[-6000:]) + result.stderr[-2000:]


def test_fuzzing_as_an_enterprise_finds_no_server_error_and_no_response_off_schema(fuzzed):
    key = json.loads((fuzzed.data_dir / "demo-keys.json").read_text())["keys"]["power"]
    result = run_schemathesis(fuzzed, key, 20)
    assert result.returncode == 0, failures(result)


def test_fuzzing_every_operation_as_an_admin_finds_no_server_error_and_no_response_off_schema(fuzzed):
    result = run_schemathesis(fuzzed, fuzzed.admin_key, 40)
    assert result.returncode == 0, failures(result)
