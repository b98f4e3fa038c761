"""A deterministic synthetic data set of listings, for the search contract tests and the match
benchmark: parks in five provinces, enterprises around them (some with hazardous-waste
licences of various validity, some with directed-utilisation approvals for a neighbour's
hazardous waste), and material, heat and water offers and wants. Documents are built the
production way: listing event dicts (the shape of `Listing.to_dict`) through
`ListingDoc.from_listing`, and licences from enterprise event dicts through
`licences_from_enterprise`.

Hazardous codes come from the shipped seed table (2021 list); the general codes are
format-valid test values only (class S01-S59), not claims about the official catalogue.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from services.matching.domain.criteria import MatchFilters
from services.matching.domain.documents import ListingDoc, licences_from_enterprise

TODAY = date(2026, 6, 1)
SEED = 20260601

# (province, park, lat, lon): clusters of parks; the two Suzhou parks are ~12 km apart.
PARKS = [
    ("Jiangsu", "Suzhou Industrial Park", 31.3000, 120.7200),
    ("Jiangsu", "Suzhou New District", 31.3000, 120.5900),
    ("Jiangsu", "Nanjing Jiangbei New Materials", 32.2500, 118.7500),
    ("Jiangsu", "Lianyungang Xuwei Petrochemical", 34.6000, 119.2200),
    ("Shandong", "Zibo Qilu Chemical", 36.8100, 118.0500),
    ("Shandong", "Qingdao West Coast", 35.9600, 120.1800),
    ("Shandong", "Dongying Port", 37.4500, 118.5800),
    ("Zhejiang", "Ningbo Zhenhai", 29.9500, 121.7100),
    ("Zhejiang", "Hangzhou Bay Shangyu", 30.1000, 120.8700),
    ("Zhejiang", "Jiaxing Port", 30.6000, 121.0400),
    ("Guangdong", "Huizhou Daya Bay", 22.7500, 114.5300),
    ("Guangdong", "Zhanjiang Donghai Island", 21.1500, 110.4500),
    ("Guangdong", "Foshan Nanhai", 23.0300, 113.1500),
    ("Sichuan", "Chengdu Pengzhou", 31.0000, 103.9500),
    ("Sichuan", "Luzhou Chemical", 28.8700, 105.4400),
    ("Sichuan", "Panzhihua Steel", 26.5800, 101.7200),
]

HAZARDOUS_CODES = ["900-249-08", "900-214-08", "900-006-09", "900-404-06", "900-300-34", "772-007-50"]
LIQUID_HW_CLASSES = {"08", "09", "06", "34", "35"}
GENERAL_CODES = ["441-001-S02", "441-002-S03", "311-001-S01", "261-001-S05", "304-001-S17"]
MATERIAL_PROPERTIES = [
    ("CaO", "%", 20.0, 60.0),
    ("moisture", "%", 2.0, 40.0),
    ("Fe", "%", 10.0, 65.0),
    ("oil", "%", 5.0, 80.0),
    ("calorific value", "MJ/kg", 5.0, 30.0),
]
WATER_PARAMETERS = [
    ("COD", "mg/L", 10.0, 80.0),
    ("TDS", "mg/L", 200.0, 1500.0),
    ("NH3-N", "mg/L", 0.5, 15.0),
    ("turbidity", "NTU", 1.0, 10.0),
    ("pH", "-", 6.0, 9.0),
]
REUSE_CATEGORIES = ["washing", "direct_cooling", "circulating_cooling", "boiler_makeup", "process"]
HEAT_SUPPLY_C = {
    "steam": (140.0, 320.0),
    "hot_water": (60.0, 140.0),
    "flue_gas": (150.0, 450.0),
    "thermal_oil": (200.0, 330.0),
}
HEAT_DEMAND_C = {
    "steam": (110.0, 260.0),
    "hot_water": (40.0, 110.0),
    "flue_gas": (120.0, 300.0),
    "thermal_oil": (150.0, 280.0),
}


@dataclass(frozen=True)
class Dataset:
    docs: list[ListingDoc]
    park_ids: list[str]
    enterprises: list[dict]

    def by_id(self) -> dict[str, ListingDoc]:
        return {d.id: d for d in self.docs}


@dataclass(frozen=True)
class Case:
    label: str
    source: ListingDoc
    filters: MatchFilters


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _near(rng: random.Random, lat: float, lon: float, sigma_km: float) -> tuple[float, float]:
    dy, dx = rng.gauss(0, sigma_km), rng.gauss(0, sigma_km)
    return round(lat + dy / 111.2, 6), round(lon + dx / (111.2 * math.cos(math.radians(lat))), 6)


def _licences(rng: random.Random) -> list[dict]:
    windows = [  # valid today, expired yesterday, starting tomorrow, starting today, ending today
        (date(2024, 1, 1), date(2029, 12, 31)),
        (date(2021, 6, 1), date(2026, 5, 31)),
        (date(2026, 6, 2), date(2031, 6, 1)),
        (TODAY, date(2027, 12, 31)),
        (date(2023, 1, 1), TODAY),
    ]
    out = []
    for _ in range(rng.choice([1, 1, 2])):
        start, end = rng.choice(windows)
        out.append(
            {
                "number": f"JS{rng.randrange(10**6):06d}",
                "codes": rng.sample(HAZARDOUS_CODES, rng.randint(2, 5)),
                "capacity_t_per_year": float(rng.choice([500, 2000, 10000])),
                "valid_from": start.isoformat(),
                "valid_until": end.isoformat(),
            }
        )
    return out


def _add_approvals(rng: random.Random, enterprises: list[dict], listings: list[dict]) -> None:
    """Give some enterprises 点对点 directed-utilisation approvals for hazardous codes that a
    neighbour in their park offers, so that approvals (each for one supplier) decide matches."""
    offered: dict[str, list[tuple[str, str]]] = {}
    for data in listings:
        if data["kind"] == "material" and data["side"] == "offer" and data["material"]["hazardous"]:
            offered.setdefault(data["park_id"], []).append((data["enterprise_id"], data["material"]["waste_code"]))
    windows = [(date(2024, 1, 1), date(2029, 12, 31)), (date(2021, 6, 1), date(2026, 5, 31)), (TODAY, TODAY)]
    for enterprise in enterprises:
        pairs = sorted({p for p in offered.get(enterprise["park_id"], []) if p[0] != enterprise["id"]})
        if not pairs or rng.random() < 0.4:
            continue
        enterprise["approvals"] = []
        for supplier, code in rng.sample(pairs, min(len(pairs), rng.randint(1, 3))):
            start, end = rng.choice(windows)
            enterprise["approvals"].append(
                {
                    "number": f"JSDX{rng.randrange(10**4):04d}",
                    "authority": "provincial environment department",
                    "supplier_enterprise_id": supplier,
                    "codes": [code],
                    "valid_from": start.isoformat(),
                    "valid_until": end.isoformat(),
                    "capacity_t_per_year": float(rng.choice([100, 500])),
                }
            )


def _enterprises(rng: random.Random, park_ids: list[str]) -> list[dict]:
    out = []
    for park_id, (_, name, lat, lon) in zip(park_ids, PARKS, strict=True):
        for n in range(rng.randint(10, 16)):
            elat, elon = _near(rng, lat, lon, 2.0)
            out.append(
                {
                    "id": _uuid(rng),
                    "park_id": park_id,
                    "name": f"{name} enterprise {n}",
                    "location": {"lat": elat, "lon": elon},
                    "licences": _licences(rng) if rng.random() < 0.5 else [],
                }
            )
    return out


def _material(rng: random.Random, side: str) -> dict:
    def code() -> str:
        # a few common codes (fly ash, waste mineral oil…) make most of the market
        if rng.random() < 0.45:
            return rng.choices(HAZARDOUS_CODES, weights=[6, 2, 1, 1, 1, 1])[0]
        return rng.choices(GENERAL_CODES, weights=[6, 3, 1, 1, 1])[0]

    amount = round(math.exp(rng.uniform(math.log(2), math.log(20000))), 2)
    spec = {"price_cny_per_t": round(rng.uniform(-1500, 800), 0)}
    if side == "offer":
        c = code()
        unit = "m3" if c[-2:] in LIQUID_HW_CLASSES and rng.random() < 0.5 else rng.choice(["t", "t", "t", "kg"])
        props = rng.sample(MATERIAL_PROPERTIES, rng.randint(1, 4))
        spec.update(
            hazardous=c[-3] != "S",
            waste_code=c,
            properties=[{"name": n, "value": round(rng.uniform(lo, hi), 1), "unit": u} for n, u, lo, hi in props],
        )
        codes = [c]
    else:
        codes = list(dict.fromkeys(code() for _ in range(rng.randint(1, 4))))
        unit = rng.choice(["t", "t", "kg"])
        bounds = []
        for n, u, lo, hi in rng.sample(MATERIAL_PROPERTIES, rng.choice([0, 0, 0, 0, 1, 1, 2])):
            mid = rng.uniform(lo, hi)
            shape = rng.choice(["min", "max", "both"])
            bounds.append(
                {
                    "name": n,
                    "unit": u,
                    "min": round(mid - (hi - lo) * 0.3, 1) if shape != "max" else None,
                    "max": round(mid + (hi - lo) * 0.3, 1) if shape != "min" else None,
                }
            )
        spec.update(hazardous=any(c[-3] != "S" for c in codes), waste_codes=codes, property_bounds=bounds)
    spec["quantity"] = {"amount": amount, "unit": unit, "recurrence": rng.choice(["one_off", "per_month", "per_year"])}
    return spec


def _heat(rng: random.Random, side: str) -> dict:
    medium = rng.choice(["steam", "steam", "hot_water", "hot_water", "flue_gas", "thermal_oil"])
    lo, hi = (HEAT_SUPPLY_C if side == "offer" else HEAT_DEMAND_C)[medium]
    pressure = None
    if medium == "steam" and (side == "offer" or rng.random() < 0.6):
        pressure = round(rng.uniform(0.3, 4.0), 2)
    elif medium == "hot_water" and rng.random() < 0.2:
        pressure = round(rng.uniform(0.4, 1.6), 2)
    return {
        "medium": medium,
        "temperature_c": round(rng.uniform(lo, hi), 1),
        "pressure_mpa": pressure,
        "thermal_power_mw": round(math.exp(rng.uniform(math.log(0.3), math.log(40))), 2),
        "hours_per_day": float(rng.choice([8, 16, 24])),
        "days_per_year": rng.choice([250, 300, 330, 365]),
        "price_cny_per_gj": round(rng.uniform(30, 90), 1),
    }


def _water(rng: random.Random, side: str) -> dict:
    spec = {
        "reuse_category": rng.choice(REUSE_CATEGORIES),
        "flow_m3_per_day": round(math.exp(rng.uniform(math.log(100), math.log(30000))), 1),
        "price_cny_per_m3": round(rng.uniform(0.8, 4.5), 2),
    }
    chosen = rng.sample(WATER_PARAMETERS, rng.randint(2, 4) if side == "offer" else rng.choice([0, 1, 1, 2, 3]))
    if side == "offer":
        spec["parameters"] = [{"name": n, "value": round(rng.uniform(lo, hi), 2), "unit": u} for n, u, lo, hi in chosen]
    else:
        bounds = []
        for n, u, lo, hi in chosen:
            if n == "pH":
                bounds.append({"name": n, "unit": u, "min": 6.5, "max": 8.5})
            else:
                bounds.append({"name": n, "unit": u, "min": None, "max": round(rng.uniform(lo, hi), 1)})
        spec["parameter_bounds"] = bounds
    return spec


MAX_DISTANCE = {
    "material": lambda r: r.choice([30, 80, 150, 300, 600, 1500, 5000]) * r.uniform(0.8, 1.2),
    "heat": lambda r: r.uniform(1.0, 15.0),
    "water": lambda r: r.uniform(3.0, 60.0),
}
SPEC = {"material": _material, "heat": _heat, "water": _water}


def _listing(rng: random.Random, n: int, enterprise: dict) -> dict:
    kind = rng.choices(["material", "heat", "water"], weights=[50, 25, 25])[0]
    side = rng.choice(["offer", "want"])
    loc = enterprise["location"]
    lat, lon = (loc["lat"], loc["lon"]) if rng.random() < 0.6 else _near(rng, loc["lat"], loc["lon"], 0.3)
    start = TODAY + timedelta(days=rng.randint(-500, 120))
    ends = rng.random()
    if ends < 0.4:
        until = None  # open-ended
    elif ends < 0.5:  # ended before today: never a match
        until = start + timedelta(days=rng.randint(0, max(0, (TODAY - start).days - 1)))
    else:  # ends today or later (today itself now and then)
        until = max(start, TODAY) + timedelta(days=rng.choice([0, rng.randint(1, 900)]))
    return {
        "id": _uuid(rng),
        "side": side,
        "kind": kind,
        "status": rng.choices(["active", "paused", "withdrawn"], weights=[88, 7, 5])[0],
        "enterprise_id": enterprise["id"],
        "park_id": enterprise["park_id"],
        "title": f"{enterprise['name']}: {kind} {side} {n}",
        "location": {"lat": lat, "lon": lon},
        "max_distance_km": round(MAX_DISTANCE[kind](rng), 2),
        "available_from": start.isoformat(),
        "available_until": until.isoformat() if until else None,
        kind: SPEC[kind](rng, side),
        "created_at": "2026-05-01T00:00:00+00:00",
        "updated_at": "2026-05-01T00:00:00+00:00",
        "version": 1,
    }


def generate(n_listings: int = 4000, seed: int = SEED) -> Dataset:
    rng = random.Random(seed)
    park_ids = [_uuid(rng) for _ in PARKS]
    enterprises = _enterprises(rng, park_ids)
    by_id = {e["id"]: e for e in enterprises}
    listings: list[dict] = []
    while len(listings) < n_listings:
        if listings and rng.random() < 0.02:  # a repost: same everything but the id (exact score ties)
            listings.append({**rng.choice(listings), "id": _uuid(rng)})
        else:
            listings.append(_listing(rng, len(listings), rng.choice(enterprises)))
    _add_approvals(random.Random(seed + 7), enterprises, listings)  # its own stream: the listings stay the same
    licences = {e["id"]: licences_from_enterprise(e) for e in enterprises}
    docs = [ListingDoc.from_listing(data, licences[data["enterprise_id"]]) for data in listings]
    for d in docs:  # the events' path, and the dict shape, are what production feeds matching
        assert by_id[d.enterprise_id]["park_id"] == d.park_id
    return Dataset(docs, park_ids, enterprises)


def sample_cases(dataset: Dataset, per_group: int = 10, seed: int = SEED + 1) -> list[Case]:
    """`per_group` active sources for each (side, kind), some with user filters."""
    rng = random.Random(seed)
    cases = []
    for kind in ("material", "heat", "water"):
        for side in ("offer", "want"):
            pool = sorted(
                (d for d in dataset.docs if d.kind == kind and d.side == side and d.status == "active"),
                key=lambda d: d.id,
            )
            for i, source in enumerate(rng.sample(pool, per_group)):
                variant = i % 6
                if variant == 1 and kind == "material":
                    codes = tuple(rng.sample(source.codes, 1)) + tuple(rng.sample(GENERAL_CODES, 2))
                    filters, label = MatchFilters(codes=codes), "codes"
                elif variant == 1 or variant == 2:
                    nearby = sorted(dataset.park_ids, key=lambda p: p != source.park_id)[:1] + rng.sample(
                        dataset.park_ids, 2
                    )
                    filters, label = MatchFilters(park_ids=tuple(nearby)), "parks"
                elif variant == 3:
                    filters, label = MatchFilters(max_distance_km=round(source.max_distance_km * 0.4, 2)), "nearer"
                elif variant == 4:
                    filters, label = MatchFilters(min_score=rng.choice([0.2, 0.35, 0.5])), "min_score"
                elif variant == 5 and kind == "material" and side == "offer":
                    filters, label = MatchFilters(codes=("000-000-S99",)), "codes_excluded"
                else:
                    filters, label = MatchFilters(), "plain"
                cases.append(Case(f"{kind}-{side}-{i}-{label}", source, filters))
    return cases + _approval_cases(dataset, per_group // 3)


def _approval_cases(dataset: Dataset, count: int) -> list[Case]:
    """Sources whose matches an approval decides: hazardous offers of a supplier some approval
    valid today names, and wants of enterprises holding such an approval."""
    approved = {
        (lic.supplier, lic.code)
        for d in dataset.docs
        for lic in d.licences
        if lic.supplier is not None and lic.valid_on(TODAY)
    }
    holders = {
        d.enterprise_id
        for d in dataset.docs
        if any(lic.supplier is not None and lic.valid_on(TODAY) for lic in d.licences)
    }
    active = sorted((d for d in dataset.docs if d.kind == "material" and d.status == "active"), key=lambda d: d.id)
    offers = [d for d in active if d.side == "offer" and (d.enterprise_id, d.codes[0]) in approved][:count]
    wants = [d for d in active if d.side == "want" and d.enterprise_id in holders][:count]
    return [Case(f"material-{d.side}-{i}-approval", d, MatchFilters()) for i, d in enumerate(offers + wants)]


def single_park(n_listings: int, seed: int = SEED) -> Dataset:
    """`generate`'s listings gathered into one park: each park's enterprises keep their places relative
    to their park's centre, moved onto the first park's. A dense park, as a planner benchmark wants."""
    data = generate(n_listings, seed)
    home = data.park_ids[0]
    _, _, lat0, lon0 = PARKS[0]
    centre = {park_id: (lat, lon) for park_id, (_, _, lat, lon) in zip(data.park_ids, PARKS, strict=True)}
    docs = [
        replace(
            d,
            park_id=home,
            lat=round(d.lat - centre[d.park_id][0] + lat0, 6),
            lon=round(d.lon - centre[d.park_id][1] + lon0, 6),
        )
        for d in data.docs
    ]
    return Dataset(docs, [home], data.enterprises)
