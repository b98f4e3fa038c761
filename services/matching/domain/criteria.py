"""The hard filters a candidate must pass, derived once from the source listing and the
user's filters. No result may ever break one; adapters translate them (the embedded
matcher evaluates `accepts`, the engine adapters build query filters from the fields).

Compatibility rules (README.md, "Matching"; the hazardous-waste legality gate is README's "Domain rules
enforced on input"):
- same kind, opposite side, active, another enterprise, availability windows overlap from today on;
- distance within both listings' limits (and the user's, if smaller);
- material: the offer's code is one the want accepts; a hazardous code goes only to a
  receiver whose hazardous-waste licence covers it today, or whose 点对点 directed-utilisation
  approval covers it from this supplier today; the offer's properties lie within every
  bound the want sets (same name and unit);
- heat: a medium the want can use; supply ≥ required + ΔTmin; steam pressure ≥ required;
- water: the supply reaches the want's GB/T 19923 category; parameters within bounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .documents import ListingDoc

# Which supplied media can serve a wanted medium (a heat exchanger turns any hotter medium
# into hot water; steam and flue gas users need the medium itself).
USABLE_SUPPLY = {
    "steam": ("steam",),
    "hot_water": ("hot_water", "steam", "thermal_oil", "flue_gas"),
    "thermal_oil": ("thermal_oil", "flue_gas"),
    "flue_gas": ("flue_gas",),
}


def canonical_code(code: str) -> str:
    """A code as listings store it: `90024908` → `900-249-08`, `441001s02` → `441-001-S02`."""
    compact = code.strip().upper().replace("-", "").replace(" ", "")
    if re.fullmatch(r"\d{8}|\d{6}S\d{2}", compact):
        return f"{compact[:3]}-{compact[3:6]}-{compact[6:]}"
    return code.strip()


def is_hazardous_code(code: str) -> bool:
    """Canonical hazardous codes end in a 2-digit HW class (900-249-08); general ones in an
    S class (441-001-S02)."""
    return code[-3:-2] != "S"


@dataclass(frozen=True)
class Criteria:
    kind: str
    side: str  # the candidates' side
    exclude_enterprise: str
    origin: tuple[float, float]
    max_distance_km: float
    window_from: str
    window_until: str
    on: str  # today, for licence validity
    codes_any: tuple[str, ...] | None = None
    directed: tuple[tuple[str, str], ...] = ()  # (supplier, code): accepted from that supplier only
    licence_for: str | None = None
    licence_supplier: str | None = None  # the offer's enterprise, which an approval must name
    park_ids: tuple[str, ...] | None = None
    media: tuple[str, ...] | None = None
    temperature_min: float | None = None
    temperature_max: float | None = None
    pressure_min: float | None = None
    pressure_max: float | None = None  # a ceiling on what steam wants may require
    rank_min: int | None = None
    rank_max: int | None = None
    required_measures: tuple[tuple[str, float | None, float | None], ...] = ()  # candidate offers must meet
    offered_measures: dict[str, float] = field(default_factory=dict)  # must meet every candidate want bound

    def accepts(self, doc: ListingDoc, distance_km: float) -> bool:
        # One chain of `and`, cheapest and most selective first: the planner asks this once per candidate
        # pair of a park (a million at 10,000 listings), and most pairs fail on the first few checks.
        return (
            doc.kind == self.kind
            and doc.side == self.side
            and doc.status == "active"
            and doc.enterprise_id != self.exclude_enterprise
            and distance_km <= self.max_distance_km
            and distance_km <= doc.max_distance_km
            and doc.available_from <= self.window_until
            and doc.available_until >= self.window_from
            and (self.park_ids is None or doc.park_id in self.park_ids)
            and (self.media is None or doc.medium in self.media)
            and _at_least(doc.temperature_c, self.temperature_min)
            and _at_most(doc.temperature_c, self.temperature_max)
            and _at_least(doc.pressure_mpa, self.pressure_min)
            and (
                self.pressure_max is None
                or doc.medium != "steam"
                or doc.pressure_mpa is None
                or doc.pressure_mpa <= self.pressure_max
            )
            and _at_least(doc.reuse_rank, self.rank_min)
            and _at_most(doc.reuse_rank, self.rank_max)
            and (
                self.codes_any is None
                or any(code in self.codes_any for code in doc.codes)
                or any((doc.enterprise_id, code) in self.directed for code in doc.codes)
            )
            and (
                self.licence_for is None
                or doc.licensed_for(self.licence_for, date.fromisoformat(self.on), self.licence_supplier)
            )
            and all(_within(dict(doc.measures).get(key), low, high) for key, low, high in self.required_measures)
            and all(_within(self.offered_measures.get(key), low, high) for key, low, high in doc.bounds)
        )


def _at_least(value, limit) -> bool:
    return limit is None or (value is not None and value >= limit)


def _at_most(value, limit) -> bool:
    return limit is None or (value is not None and value <= limit)


def _within(value, low, high) -> bool:
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class MatchFilters:
    """What a user may add: codes, parks, a tighter distance, a minimum score."""

    codes: tuple[str, ...] | None = None
    park_ids: tuple[str, ...] | None = None
    max_distance_km: float | None = None
    min_score: float = 0.0


def criteria_for(source: ListingDoc, filters: MatchFilters, today: date, delta_t_min: float) -> Criteria:
    if filters.codes:  # users type codes with or without hyphens; listings carry them canonical
        filters = replace(filters, codes=tuple(canonical_code(c) for c in filters.codes))
    limit = min(source.max_distance_km, filters.max_distance_km or source.max_distance_km)
    base: dict[str, Any] = dict(
        kind=source.kind,
        side="want" if source.side == "offer" else "offer",
        exclude_enterprise=source.enterprise_id,
        origin=(source.lat, source.lon),
        max_distance_km=limit,
        window_from=max(source.available_from, today.isoformat()),
        window_until=source.available_until,
        on=today.isoformat(),
        park_ids=filters.park_ids,
    )
    if source.kind == "material":
        if source.side == "offer":
            code = source.codes[0]
            codes: tuple[str, ...] = (code,) if not filters.codes or code in filters.codes else ()
            hazardous = is_hazardous_code(code)
            return Criteria(
                **base,
                codes_any=codes,
                licence_for=code if hazardous else None,
                licence_supplier=source.enterprise_id if hazardous else None,
                offered_measures=dict(source.measures),
            )
        wanted = tuple(c for c in source.codes if not filters.codes or c in filters.codes)
        codes = tuple(c for c in wanted if not is_hazardous_code(c) or source.licensed_for(c, today))
        directed = tuple(
            (supplier, c)
            for c in wanted
            if is_hazardous_code(c) and c not in codes
            for supplier in source.directed_suppliers(c, today)
        )
        return Criteria(**base, codes_any=codes, directed=directed, required_measures=source.bounds)
    if source.kind == "heat":
        medium, temperature = source.medium, source.temperature_c
        assert medium is not None and temperature is not None  # every heat document states both
        if source.side == "want":
            return Criteria(
                **base,
                media=USABLE_SUPPLY[medium],
                temperature_min=temperature + delta_t_min,
                pressure_min=source.pressure_mpa if source.medium == "steam" else None,
            )
        media = tuple(m for m, supplies in USABLE_SUPPLY.items() if source.medium in supplies)
        return Criteria(
            **base,
            media=media,
            temperature_max=temperature - delta_t_min,
            pressure_max=source.pressure_mpa if source.medium == "steam" else None,
        )
    if source.side == "want":
        return Criteria(**base, rank_min=source.reuse_rank, required_measures=source.bounds)
    return Criteria(**base, rank_max=source.reuse_rank, offered_measures=dict(source.measures))
