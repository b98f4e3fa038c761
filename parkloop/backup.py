"""`parkloop backup DEST` and `parkloop restore SRC DATA_DIR`: a consistent online copy of the
embedded default (SQLite databases and event log, and the data directory's secrets) while it runs.

Each database is copied with SQLite's online backup API in one step: a consistent snapshot of that
file, taken while the services keep writing (WAL lets them). The copies are taken at different
moments, so they are taken in an order, and two of them mended, that makes the restored system
converge on the copy of listings, where every change starts, with nothing lost or counted twice:

1. the consumer groups' positions are read from the live log first, then the consumers (matching,
   ledger) are copied: each holds at least what its position says (a consumer commits its position
   only after its own transaction), so the copy of the log is given back these positions, and the
   restored consumers replay from there and drop the event ids they had already applied;
2. the log is copied next, then listings: every event in the consumers' copies is in the log's copy;
   listings, copied last, may mark published an event the log's copy lacks, so such outbox rows are
   marked unpublished again in the copy, and the restored relay publishes them (the log drops an id it
   already holds).

A ledger entry or an alert thus never refers to a change the copy of listings does not hold. A
PostgreSQL database or Kafka is not copied here (README, "Backing up a deployment").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from services.common.config import Settings

ORDER = ("gateway", "matching", "ledger", "events", "listings")  # see the module's docstring
SECRETS = ("admin.key", "internal.secret", "console.secret", "ledger-signing.key", "webhook-secrets.key")
STATE = ("demo-loaded.json", "demo-keys.json")  # so a restored system does not load the demo park again
REFERENCE = "reference"  # code tables an operator imported (`parkloop codes import`)
MANIFEST = "manifest.json"


class BackupError(Exception):
    """What an operator must change before a backup or a restore can run."""


def _sqlite_file(url: str, variable: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise BackupError(
            f"{variable} is not SQLite: back that database up with its own tools (README, 'Backing up a deployment')"
        )
    return Path(url.removeprefix("sqlite:///"))


def _sources() -> dict[str, Path]:
    """Every database of this deployment, by name, in copying order."""
    found = {}
    for name in ORDER:
        if name == "events":
            found[name] = _sqlite_file(Settings.from_env("gateway").event_bus_url, "EVENT_BUS")
        else:
            found[name] = _sqlite_file(Settings.from_env(name).database_url, f"{name.upper()}_DATABASE_URL")
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


def _snapshot(source: Path, target: Path) -> None:
    """One consistent copy of a live database, as one self-contained file (no -wal beside it)."""
    if not source.exists():
        raise BackupError(f"{source} does not exist: is PARKLOOP_DATA the running deployment's data directory?")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: the snapshot of one moment, writers carry on (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()


def _group_offsets(log: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(log, timeout=30) as conn:
        return conn.execute("SELECT group_id, topic, next_offset FROM group_offsets").fetchall()


def _mend(copies: dict[str, Path], positions: list[tuple[str, str, int]]) -> None:
    """Give the log's copy the positions the consumers' copies hold, and mark unpublished the outbox
    rows of the listings copy whose events the log's copy lacks (see the module's docstring)."""
    with sqlite3.connect(copies["events"]) as log:
        log.executemany(
            "UPDATE group_offsets SET next_offset = ? WHERE group_id = ? AND topic = ?",
            [(offset, group, topic) for group, topic, offset in positions],
        )
        published = {row[0] for row in log.execute("SELECT event_id FROM events")}
    with sqlite3.connect(copies["listings"]) as listings:
        rows = listings.execute("SELECT seq, event_id FROM outbox WHERE published_at IS NOT NULL").fetchall()
        missing = [(seq,) for seq, event_id in rows if event_id not in published]
        listings.executemany("UPDATE outbox SET published_at = NULL WHERE seq = ?", missing)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(path.iterdir()):
        raise BackupError(f"{path} is not empty: a backup or a restore never overwrites files")


def _copy_private(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)


def backup(dest: Path, data_dir: Path) -> dict:
    """Copy every database, secret and state file of the running embedded deployment into `dest`."""
    sources = _sources()
    _private_dir(dest)
    positions = _group_offsets(sources["events"])  # before the consumers are copied
    copies = {}
    for name, source in sources.items():
        copies[name] = dest / f"{name}.db"
        _snapshot(source, copies[name])
        os.chmod(copies[name], 0o600)
    _mend(copies, positions)
    databases = {
        name: {"file": copy.name, "sha256": _sha256(copy), "rows": _row_counts(copy)} for name, copy in copies.items()
    }
    files = {}
    for name in (*SECRETS, *STATE):
        if (data_dir / name).exists():
            _copy_private(data_dir / name, dest / name)
            files[name] = _sha256(dest / name)
    if (data_dir / REFERENCE).is_dir():
        shutil.copytree(data_dir / REFERENCE, dest / REFERENCE)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "data_dir": str(data_dir),
        "databases": databases,
        "files": files,
        "not_in_data_dir": [name for name in SECRETS if name not in files],  # configured in the environment
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(source: Path, data_dir: Path) -> dict:
    """Bring a backup into a new, empty data directory, checking every file against the manifest."""
    manifest = json.loads((source / MANIFEST).read_text())
    expected = {db["file"]: db["sha256"] for db in manifest["databases"].values()} | manifest["files"]
    for name, sha256 in expected.items():
        if _sha256(source / name) != sha256:
            raise BackupError(f"{source / name} does not match the backup's manifest: it changed or is damaged")
    _private_dir(data_dir)
    for name, db in manifest["databases"].items():
        target = data_dir / f"{name}.db"
        _copy_private(source / db["file"], target)
        with sqlite3.connect(target) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{target} fails SQLite's integrity check")
    for name in manifest["files"]:
        _copy_private(source / name, data_dir / name)
    if (source / REFERENCE).is_dir():
        shutil.copytree(source / REFERENCE, data_dir / REFERENCE)
    return manifest
