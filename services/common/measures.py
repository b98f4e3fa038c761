"""How quality properties are compared across services: by name (case and surrounding space
ignored) and unit together, so `CaO %` and `cao %` are one property and `COD mg/L` and
`COD g/L` are two."""

from __future__ import annotations


def measure_key(name: str, unit: str) -> str:
    return f"{name.strip().lower()}|{unit.strip()}"
