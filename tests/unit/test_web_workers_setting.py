"""`parkloop run --web-workers` (or PARKLOOP_WEB_WORKERS): how many gunicorn workers each web process runs."""

from __future__ import annotations

import pytest

from parkloop.cli import build_parser


def workers(*argv: str) -> dict[str, int]:
    return build_parser().parse_args(["run", *argv]).web_workers


def test_one_worker_per_web_process_unless_asked(monkeypatch):
    monkeypatch.delenv("PARKLOOP_WEB_WORKERS", raising=False)
    assert workers() == {"gateway": 1, "listings": 1, "matching": 1, "ledger": 1}


def test_a_number_applies_to_every_web_process_and_names_set_only_those():
    assert workers("--web-workers", "3") == {"gateway": 3, "listings": 3, "matching": 3, "ledger": 3}
    named = {"gateway": 2, "listings": 4, "matching": 1, "ledger": 1}
    assert workers("--web-workers", "gateway=2, listings=4") == named


def test_the_environment_sets_the_default_and_the_flag_wins(monkeypatch):
    monkeypatch.setenv("PARKLOOP_WEB_WORKERS", "matching=2")
    assert workers()["matching"] == 2
    assert workers("--web-workers", "1")["matching"] == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gatway=2", "unknown web process 'gatway'"),
        ("two", "'two' is not a whole number"),
        ("0", "0 is outside 1 to 32"),
        ("ledger=100", "100 is outside 1 to 32"),
    ],
)
def test_a_bad_setting_is_refused_naming_what_is_wrong(spec, message, capsys):
    with pytest.raises(SystemExit) as refused:
        workers("--web-workers", spec)
    assert refused.value.code == 2
    assert message in capsys.readouterr().err
