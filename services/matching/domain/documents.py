"""What matching knows of a listing: a flat document built from listing events, the same
shape the search engines index. Quantities are normalised so offers and wants compare:
materials in tonnes a year, heat in MW, water in m³ a day."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.common.contracts import BoundPayload, EnterprisePayload, ListingPayload, MeasurePayload
from services.common.measures import measure_key

OPEN_END = "9999-12-31"  # an open availability window, as a date engines can range over
REUSE_RANK = {"washing": 1, "direct_cooling": 1, "circulating_cooling": 2, "boiler_makeup": 3, "process": 4}
PER_YEAR = {"one_off": 1, "per_month": 12, "per_year": 1}
TONNES = {"t": 1.0, "kg": 0.001, "m3": 1.0}  # liquid wastes by volume: taken at water's density


@dataclass(frozen=True)
class Licence:
    """What makes a receiver legal for one hazardous code: its business licence (any supplier),
    or a 点对点 directed-utilisation approval, which covers only the supplier it names."""

    code: str
    valid_from: str
    valid_until: str
    supplier: str | None = None  # an approval's supplier enterprise; None for a licence

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day.isoformat() <= self.valid_until

    def covers(self, code: str, day: date, supplier: str | None) -> bool:
        return self.code == code and self.valid_on(day) and self.supplier in (None, supplier)


@dataclass(frozen=True)
class ListingDoc:
    id: str
    side: str  # offer | want
    kind: str  # material | heat | water
    status: str
    enterprise_id: str
    park_id: str
    title: str
    lat: float
    lon: float
    max_distance_km: float
    available_from: str
    available_until: str
    quantity: float
    codes: tuple[str, ...] = ()
    hazardous: bool = False
    medium: str | None = None
    temperature_c: float | None = None
    pressure_mpa: float | None = None
    reuse_rank: int | None = None
    measures: tuple[tuple[str, float], ...] = ()  # offers: (key, value)
    bounds: tuple[tuple[str, float | None, float | None], ...] = ()  # wants: (key, min, max)
    licences: tuple[Licence, ...] = field(default=(), compare=False)
    # Bumped by the store on every change: engines keep the highest revision of a document, so a
    # late or replayed write of an older one (a reindex pass, a slower worker) never wins.
    revision: int = field(default=0, compare=False)

    @property
    def log_quantity(self) -> float:
        return math.log(self.quantity)

    def licensed_for(self, code: str, day: date, supplier: str | None = None) -> bool:
        """May this enterprise receive `code` on `day` (from `supplier`, when one is known)?"""
        return any(lic.covers(code, day, supplier) for lic in self.licences)

    def directed_suppliers(self, code: str, day: date) -> tuple[str, ...]:
        """The suppliers whose `code` an approval (not a licence) lets this enterprise receive on `day`."""
        return tuple(
            lic.supplier for lic in self.licences if lic.supplier is not None and lic.code == code and lic.valid_on(day)
        )

    def with_licences(self, licences: tuple[Licence, ...]) -> ListingDoc:
        return ListingDoc(**{**self.__dict__, "licences": licences})

    @classmethod
    def from_listing(cls, data: ListingPayload, licences: tuple[Licence, ...] = ()) -> ListingDoc:
        """From the listing that listing events carry (services/common/contracts.py's ListingPayload)."""
        kind = data["kind"]
        common: dict[str, Any] = dict(
            id=data["id"],
            side=data["side"],
            kind=kind,
            status=data["status"],
            enterprise_id=data["enterprise_id"],
            park_id=data["park_id"],
            title=data["title"],
            lat=data["location"]["lat"],
            lon=data["location"]["lon"],
            max_distance_km=data["max_distance_km"],
            available_from=data["available_from"],
            available_until=data["available_until"] or OPEN_END,
            licences=licences,
        )
        if kind == "material":
            material = data["material"]
            q = material["quantity"]
            codes = (material["waste_code"],) if data["side"] == "offer" else tuple(material["waste_codes"])
            return cls(
                **common,
                quantity=q["amount"] * TONNES[q["unit"]] * PER_YEAR[q["recurrence"]],
                codes=codes,
                hazardous=material["hazardous"],
                measures=_measures(material.get("properties")),
                bounds=_bounds(material.get("property_bounds")),
            )
        if kind == "heat":
            heat = data["heat"]
            return cls(
                **common,
                quantity=heat["thermal_power_mw"],
                medium=heat["medium"],
                temperature_c=heat["temperature_c"],
                pressure_mpa=heat.get("pressure_mpa"),
            )
        water = data["water"]
        return cls(
            **common,
            quantity=water["flow_m3_per_day"],
            reuse_rank=REUSE_RANK[water["reuse_category"]],
            measures=_measures(water.get("parameters")),
            bounds=_bounds(water.get("parameter_bounds")),
        )


def _measures(items: list[MeasurePayload] | None) -> tuple[tuple[str, float], ...]:
    return tuple((measure_key(m["name"], m["unit"]), float(m["value"])) for m in items or ())


def _bounds(items: list[BoundPayload] | None) -> tuple[tuple[str, float | None, float | None], ...]:
    return tuple((measure_key(b["name"], b["unit"]), b.get("min"), b.get("max")) for b in items or ())


def licences_from_enterprise(data: EnterprisePayload) -> tuple[Licence, ...]:
    """What an enterprise may receive, from its event: each code of its hazardous-waste licences,
    and each code of its directed-utilisation approvals with the supplier the approval names."""
    licences = tuple(
        Licence(code, lic["valid_from"], lic["valid_until"])
        for lic in data.get("licences", [])
        for code in lic["codes"]
    )
    approvals = tuple(
        Licence(code, a["valid_from"], a["valid_until"], a["supplier_enterprise_id"])
        for a in data.get("approvals", [])
        for code in a["codes"]
    )
    return licences + approvals


def doc_to_dict(doc: ListingDoc) -> dict:
    """The stored and indexed form; `location` and `log_quantity` are what engines query."""
    data = {k: v for k, v in doc.__dict__.items() if k not in ("measures", "bounds", "licences", "codes", "revision")}
    return {
        **data,
        "codes": list(doc.codes),
        "location": {"lat": doc.lat, "lon": doc.lon},
        "log_quantity": doc.log_quantity,
        "measures": [{"key": k, "value": v} for k, v in doc.measures],
        "bounds": [{"key": k, "min": lo, "max": hi} for k, lo, hi in doc.bounds],
        "licences": [
            {"code": lic.code, "valid_from": lic.valid_from, "valid_until": lic.valid_until, "supplier": lic.supplier}
            for lic in doc.licences
        ],
    }


def doc_from_dict(data: dict, revision: int = 0) -> ListingDoc:
    plain = {
        k: v
        for k, v in data.items()
        if k not in ("location", "log_quantity", "measures", "bounds", "licences", "codes")
    }
    return ListingDoc(
        **plain,
        revision=revision,
        codes=tuple(data["codes"]),
        measures=tuple((m["key"], m["value"]) for m in data["measures"]),
        bounds=tuple((b["key"], b["min"], b["max"]) for b in data["bounds"]),
        licences=tuple(Licence(**lic) for lic in data["licences"]),
    )
