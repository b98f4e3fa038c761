"""`parkloop ledger export|verify` say what stopped them, in one line, with exit status 2."""

from __future__ import annotations

import json
import socket

from parkloop.benchmarks.ledger import write_export
from parkloop.cli import main


def test_verifying_a_file_that_is_not_there_says_so(tmp_path, capsys):
    assert main(["ledger", "verify", str(tmp_path / "ledger.json")]) == 2
    assert "cannot read a ledger export" in capsys.readouterr().err


def test_verifying_a_file_that_is_not_an_export_names_what_is_missing(tmp_path, capsys):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps({"entries": []}))
    assert main(["ledger", "verify", str(path)]) == 2
    assert "public_key" in capsys.readouterr().err


def test_exporting_from_a_system_that_is_not_running_says_where_it_looked(tmp_path, capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    assert main(["ledger", "export", str(tmp_path / "ledger.json"), "--url", url, "--admin-key", "plk_x"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach ParkLoop" in err and "--url" in err
    assert not (tmp_path / "ledger.json").exists()


def test_exporting_without_any_admin_key_says_how_to_give_one(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PARKLOOP_ADMIN_KEY", raising=False)
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    assert main(["ledger", "export", str(tmp_path / "ledger.json")]) == 2
    assert "--admin-key" in capsys.readouterr().err


def test_verify_streams_an_export_and_the_checkpoints_name_an_entry_rewritten_with_its_recorded_hash(tmp_path, capsys):
    path = tmp_path / "ledger.json"
    write_export(path, 40, every=8)
    assert main(["ledger", "verify", str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK: 40 entries")
    write_export(path, 40, every=1, rewrite=13)
    assert main(["ledger", "verify", str(path)]) == 1
    assert "FAILED: entry 13 (forged): entry 13 was rewritten" in capsys.readouterr().out
    write_export(path, 40, every=8, rewrite=13)
    assert main(["ledger", "verify", str(path)]) == 1
    assert "FAILED: entry 8 (forged): one of entries 8..15 was rewritten" in capsys.readouterr().out
