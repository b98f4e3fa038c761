"""Conversion and emission coefficients as versioned data, never as constants in code.

Each coefficient row (data/coefficients.csv) has an `id` (one published figure, e.g. the 2022
national grid factor), a `version` (a correction of that figure gets a new version, the old
one stays), a `name` (the quantity it answers, e.g. `grid_co2`), its value and unit, the year
and region it applies to (year blank = any year; region `CN` = national, `GLOBAL` = IPCC
default, provinces by GB/T 2260 code), and where it comes from and how it was checked.

Ledger entries record the `(id, version)` of every coefficient they used, so `get(id, version)`
returns exactly that figure for ever, and a new version never changes a past contribution.
`latest(name, year, region)` picks the figure for new computations and says when it had to
fall back (to the national value, or to the latest earlier year)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

DATA_FILE = Path(__file__).with_name("data") / "coefficients.csv"
NATIONAL, GLOBAL = "CN", "GLOBAL"


class CoefficientNotFound(LookupError):
    """No coefficient answers the question asked (unknown id/version, or no figure for that year)."""


@dataclass(frozen=True)
class Coefficient:
    id: str
    version: int
    name: str
    value: Decimal
    unit: str
    year: int | None
    region: str
    source: str
    edition: str
    reference: str
    verification: str

    @property
    def version_id(self) -> str:
        return f"{self.id}@v{self.version}"


@dataclass(frozen=True)
class Selected:
    """A coefficient chosen by `latest`, with the fallback taken to reach it (None if exact)."""

    coefficient: Coefficient
    fallback: str | None = None


def _row(raw: Mapping[str, str]) -> Coefficient:
    return Coefficient(
        id=raw["id"],
        version=int(raw["version"]),
        name=raw["name"],
        value=Decimal(raw["value"]),
        unit=raw["unit"],
        year=int(raw["year"]) if raw.get("year") else None,
        region=raw["region"],
        source=raw["source"],
        edition=raw.get("edition", ""),
        reference=raw.get("reference", ""),
        verification=raw.get("verification", ""),
    )


class Coefficients:
    """An immutable, append-only table of coefficient versions."""

    def __init__(self, rows: Iterable[Coefficient], pins: Mapping[str, int] | None = None) -> None:
        table: dict[tuple[str, int], Coefficient] = {}
        for row in rows:
            key = (row.id, row.version)
            if key in table:
                raise ValueError(f"coefficient {row.version_id} appears twice")
            table[key] = row
        _one_id_per_figure(table.values())
        self._table = MappingProxyType(table)
        self._pins = MappingProxyType(dict(pins or {}))
        for cid, version in self._pins.items():
            self.get(cid, version)
        self._chosen: dict[tuple[str, int | None, str | None], Selected] = {}  # latest(), the table being immutable

    @classmethod
    def load(cls, path: Path | str = DATA_FILE) -> Coefficients:
        with open(path, encoding="utf-8", newline="") as handle:
            return cls(_row(raw) for raw in csv.DictReader(handle))

    def __iter__(self):
        return iter(sorted(self._table.values(), key=lambda c: (c.id, c.version)))

    def get(self, cid: str, version: int) -> Coefficient:
        try:
            return self._table[(cid, int(version))]
        except KeyError:
            raise CoefficientNotFound(f"no coefficient {cid}@v{version}") from None

    def versions(self, cid: str) -> list[Coefficient]:
        return sorted((c for c in self._table.values() if c.id == cid), key=lambda c: c.version)

    def with_version(self, coefficient: Coefficient) -> Coefficients:
        """A new table with one more version of a figure; existing versions cannot be replaced."""
        existing = self.versions(coefficient.id)
        if existing and coefficient.version <= existing[-1].version:
            raise ValueError(f"{coefficient.version_id}: versions only grow (latest is v{existing[-1].version})")
        if existing and (coefficient.name, coefficient.year, coefficient.region) != (
            existing[-1].name,
            existing[-1].year,
            existing[-1].region,
        ):
            raise ValueError(f"{coefficient.version_id}: a new version must keep name, year and region")
        return Coefficients([*self._table.values(), coefficient], self._pins)

    def pinned(self, pins: Mapping[str, int]) -> Coefficients:
        """The same table, but `latest` answers with these exact versions (to replay an entry)."""
        return Coefficients(self._table.values(), {**self._pins, **pins})

    def _current(self, cid: str) -> Coefficient:
        if cid in self._pins:
            return self.get(cid, self._pins[cid])
        return self.versions(cid)[-1]

    def latest(self, name: str, year: int | None = None, region: str | None = None) -> Selected:
        """The figure for `name` in `year` and `region`, its newest version (or the pinned one).

        Region: the region asked for, else the national value, else the IPCC global default.
        Year: that year's figure, else a year-independent one, else the latest earlier year.
        Any step away from what was asked is recorded in `Selected.fallback`."""
        key = (name, year, region)
        if key not in self._chosen:
            self._chosen[key] = self._choose(name, year, region)
        return self._chosen[key]

    def _choose(self, name: str, year: int | None, region: str | None) -> Selected:
        named = [c for c in self._table.values() if c.name == name]
        wanted = [region] if region else []
        for place in [*wanted, NATIONAL, GLOBAL]:
            local = [c for c in named if c.region == place]
            if not local:
                continue
            chosen, year_note = self._by_year(local, year, name, place)
            notes = [f"no {name} figure for region {region}; used {place}"] if region and place != region else []
            notes += [year_note] if year_note else []
            return Selected(self._current(chosen.id), "; ".join(notes) or None)
        raise CoefficientNotFound(f"no coefficient named {name!r}")

    @staticmethod
    def _by_year(rows: list[Coefficient], year: int | None, name: str, place: str) -> tuple[Coefficient, str | None]:
        exact = [c for c in rows if c.year == year] if year is not None else []
        if exact:
            return exact[0], None
        timeless = [c for c in rows if c.year is None]
        if timeless:
            return timeless[0], None
        if year is None:
            raise CoefficientNotFound(f"{name} depends on the year; none given")
        earlier = [(c.year, c) for c in rows if c.year is not None and c.year < year]
        if not earlier:
            raise CoefficientNotFound(f"no {name} figure for {place} in {year} or any earlier year")
        best_year, best = max(earlier, key=lambda found: found[0])
        return best, f"no {name} figure published for {year}; used {best_year} (latest published before it)"


def _one_id_per_figure(rows: Iterable[Coefficient]) -> None:
    owner: dict[tuple[str, int | None, str], str] = {}
    for row in rows:
        key = (row.name, row.year, row.region)
        if owner.setdefault(key, row.id) != row.id:
            raise ValueError(
                f"{row.id} and {owner[key]} both claim {row.name} for {row.year or 'any year'} in "
                f"{row.region}; publish a correction as a new version of one id"
            )


def default_coefficients() -> Coefficients:
    return Coefficients.load()
