"""The console's vendored JavaScript and CSS (gateway/console/static/vendor/) are exactly what
gateway/console/assets/vendor.sh produced: every file in VENDOR.json is present with its recorded
SHA-256, nothing unlisted is served, and each entry names its licence and the version pinned in
gateway/console/assets/package.json. Rebuild with `bash gateway/console/assets/vendor.sh`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ASSETS = ROOT / "gateway" / "console" / "assets"
VENDOR = ROOT / "gateway" / "console" / "static" / "vendor"
REBUILD = "rebuild with: bash gateway/console/assets/vendor.sh"


def _manifest() -> list[dict]:
    return json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))


def _pinned() -> dict[str, str]:
    return json.loads((ASSETS / "package.json").read_text(encoding="utf-8"))["dependencies"]


ENTRIES = _manifest()


def _id(entry: dict) -> str:
    return entry.get("file", "?")


def test_the_manifest_lists_each_file_once():
    files = [entry["file"] for entry in ENTRIES]
    assert ENTRIES, f"VENDOR.json lists no files; {REBUILD}"
    duplicates = sorted({name for name in files if files.count(name) > 1})
    assert not duplicates, f"VENDOR.json lists these files more than once: {duplicates}"


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_each_listed_file_exists_with_its_recorded_sha256(entry):
    name = entry["file"]
    path = VENDOR / name
    assert Path(name).name == name, f"{name}: VENDOR.json names must be plain file names in static/vendor/"
    assert path.is_file(), f"{name}: listed in VENDOR.json but missing from static/vendor/; {REBUILD}"
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert actual == entry["sha256"], (
        f"{name}: SHA-256 is {actual} but VENDOR.json records {entry['sha256']}; "
        f"the file was edited by hand or the manifest is stale; {REBUILD}"
    )


def test_every_served_js_and_css_file_is_listed():
    listed = {entry["file"] for entry in ENTRIES}
    served = sorted(p.name for p in VENDOR.iterdir() if p.is_file() and p.suffix in {".js", ".css"})
    assert served, "static/vendor/ holds no .js or .css files"
    for name in served:
        assert name in listed, f"{name}: in static/vendor/ but not listed in VENDOR.json; {REBUILD}"


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_each_entry_names_a_licence_and_the_pinned_version(entry):
    name, package = entry["file"], entry.get("package")
    pinned = _pinned()
    assert package in pinned, f"{name}: package {package!r} is not pinned in gateway/console/assets/package.json"
    assert isinstance(entry.get("license"), str) and entry["license"].strip(), f"{name}: VENDOR.json names no licence"
    assert entry.get("version") == pinned[package], (
        f"{name}: VENDOR.json says {package} {entry.get('version')} but package.json pins {pinned[package]}; {REBUILD}"
    )
    licence_file = VENDOR / f"{package}.LICENSE.txt"
    assert licence_file.is_file(), f"{name}: the licence text {licence_file.name} is missing from static/vendor/"


def test_versions_are_pinned_exactly():
    for package, version in _pinned().items():
        assert version[:1].isdigit() and all(c.isdigit() or c == "." for c in version), (
            f"{package}: package.json must pin an exact version, not {version!r}"
        )
