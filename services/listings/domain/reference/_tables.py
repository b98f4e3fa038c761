"""Read the reference CSV files shipped under ``data/``.

Every data file opens with a ``#`` comment block that says where its rows come from, which
edition, and when they were checked; the provenance lives next to the rows so that nobody
can update one without seeing the other. This reader skips that block (and any other
``#`` line) and returns plain dict rows. ``# key: value`` lines are also returned as
metadata so a file written by an import can carry its own edition label.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


def read_table(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Return ``(metadata, rows)`` of a commented CSV file, rows keyed by the header."""
    metadata: dict[str, str] = {}
    data_lines: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line in handle:
            if line.startswith("#"):
                key, sep, value = line[1:].partition(":")
                if sep and key.strip().isidentifier():
                    metadata[key.strip()] = value.strip()
                continue
            if line.strip():
                data_lines.append(line)
    rows = [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(data_lines)]
    return metadata, rows
