"""A large generated park for the console benchmark: 2,000 enterprises, 10,000 listings and 5,000
completed exchanges, made through the public API as its users would (so every rule runs).

Listings come in offer/want pairs of all three kinds, and every pair is carried to completion,
which gives the ledger one entry per pair. Names and credit codes are synthetic.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rich.progress import Progress

from services.listings.domain.reference.credit_code import company_credit_code

from .demo import PROGRESS, Client, complete_exchange
from .demo_park import heat, material, water

CENTROID = (31.30, 120.72)  # Suzhou Industrial Park's latitude and longitude
ADMIN_DIVISION = "320571"
PARK = {
    "name": "苏州大型综合产业园（基准测试）",
    "province": "Jiangsu",
    "level": "national",
    "park_type": "industrial_park",
    "centroid": {"lat": CENTROID[0], "lon": CENTROID[1]},
    "baselines": [
        {
            "year": 2026,
            "gdp_10k_cny": 35_000_000,
            "energy_tce": 9_800_000,
            "water_m3": 180_000_000,
            "solid_waste_generated_t": 4_200_000,
        }
    ],
}
# (offer, want, agreed amount, unit, delivery amount, evidence field, substitution)
PAIRS = [
    (
        material("441-001-S02", 100),
        material(["441-001-S02"], 100),
        "100",
        "t",
        "80",
        "weighbridge_ticket",
        {"substitutes": "virgin_material", "material": "clinker"},
    ),
    (
        heat("steam", 250, 10, pressure_mpa=1.6),
        heat("steam", 200, 5, pressure_mpa=1.0),
        "2000",
        "GJ",
        "1500",
        "meter_reading",
        {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0.85"},
    ),
    (
        water("circulating_cooling", 1000),
        water("circulating_cooling", 500),
        "20000",
        "m3",
        "15000",
        "meter_reading",
        {"substitutes": "municipal_water"},
    ),
]


@dataclass(frozen=True)
class LargePark:
    park_id: str
    manager_key: str
    enterprises: int
    listings: int
    exchanges: int


def build(
    url: str, admin_key: str, enterprises: int = 2000, exchanges: int = 5000, workers: int = 8, seed: int = 20261129
) -> LargePark:
    rng = random.Random(seed)
    admin = Client(url, admin_key)
    park = admin.post("parks", PARK)
    manager = admin.post("keys", {"role": "park_manager", "label": "Large park manager", "park_id": park["id"]})
    places = [
        (CENTROID[0] + rng.uniform(-0.06, 0.06), CENTROID[1] + rng.uniform(-0.07, 0.07)) for _ in range(enterprises)
    ]

    def register(n: int) -> str:
        key = admin.post("keys", {"role": "enterprise", "label": f"enterprise {n}", "park_id": park["id"]})["key"]
        lat, lon = places[n]
        Client(url, key).post(
            "enterprises",
            {
                "name": f"园区企业{n:04d}有限公司",
                "credit_code": company_credit_code(ADMIN_DIVISION, f"MA{n:06d}"),
                "industry_code": "C2614",
                "location": {"lat": round(lat, 5), "lon": round(lon, 5)},
            },
        )
        return key

    def exchange(i: int) -> None:
        offer, want, agreed, unit, delivered, evidence, substitution = PAIRS[i % len(PAIRS)]
        supplier, receiver = keys[(2 * i) % enterprises], keys[(2 * i + 1) % enterprises]
        common = {"max_distance_km": 30, "available_from": "2025-01-01"}
        offer_id = Client(url, supplier).post("offers", {"title": f"供应{i}", **common, **offer})["id"]
        want_id = Client(url, receiver).post("wants", {"title": f"需求{i}", **common, **want})["id"]
        complete_exchange(
            url,
            {"s": supplier, "r": receiver},
            ("s", offer_id),
            ("r", want_id),
            agreed,
            unit,
            [(delivered, {evidence: f"LP-{i:05d}"}, substitution)],
        )

    with ThreadPoolExecutor(workers) as pool, Progress(console=PROGRESS) as progress:
        task = progress.add_task("Registering enterprises", total=enterprises)
        keys = []
        for key in pool.map(register, range(enterprises)):
            keys.append(key)
            progress.advance(task)
        task = progress.add_task("Listing and completing exchanges", total=exchanges)
        for _ in pool.map(exchange, range(exchanges)):
            progress.advance(task)
    return LargePark(park["id"], manager["key"], enterprises, 2 * exchanges, exchanges)
