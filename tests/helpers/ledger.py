"""The ledger's input and the worker's steps, shared by the ledger's integration and contract tests.

Events as the listings service emits them (ExchangeCompleted payloads as services/common/contracts.py
writes them down, park events with their baselines), a test ledger bootstrapped on a given database, and
what the worker and the API do with a `LedgerContext`: apply a batch and sign, open the checkpoint,
decode a proof. Heat and material deliveries carry Chinese text in their evidence and substitution, so
their leaves hold multi-byte UTF-8.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from services.common.config import Settings
from services.common.events import Event
from services.ledger.adapters.tables import entries
from services.ledger.bootstrap import bootstrap
from services.ledger.domain.checkpoint import open_checkpoint
from services.ledger.service_layer import queries, recording
from services.ledger.service_layer.recording import LedgerContext

PARK_A, PARK_B = "park-a", "park-b"
YEAR = 2026
COMPLETED_AT = f"{YEAR}-06-30T02:00:00+00:00"


def ledger_settings(data_dir: Path, database_url: str) -> Settings:
    """The ledger on `database_url`, its signing key under `data_dir` and its event bus a SQLite file there."""
    return Settings(
        service="ledger",
        data_dir=data_dir,
        database_url=database_url,
        event_bus_url=f"sqlite:///{data_dir / 'events.db'}",
        internal_secret="test-secret",
    )


@contextmanager
def fresh_ledger(monkeypatch, data_dir: Path, database_url: str) -> Iterator[LedgerContext]:
    """The ledger bootstrapped (migrations included) on `database_url` as on its first start, its engine disposed
    afterwards. LEDGER_SIGNING_KEY and LEDGER_ORIGIN are cleared for the test, so it creates its own signing key
    under `data_dir` and uses the default origin."""
    monkeypatch.delenv("LEDGER_SIGNING_KEY", raising=False)
    monkeypatch.delenv("LEDGER_ORIGIN", raising=False)
    context = bootstrap(ledger_settings(data_dir, database_url))
    try:
        yield context
    finally:
        context.store.engine.dispose()


# --- events as listings emits them -----------------------------------------------------------------


def heat_delivery(gj: str = "1000", fuel: str = "natural_gas", efficiency: str | None = "0.9") -> dict:
    substitution = {"substitutes": "boiler_heat", "fuel": fuel}
    if efficiency is not None:
        substitution["boiler_efficiency"] = efficiency
    return {
        "id": str(uuid.uuid4()),
        "delivered_on": f"{YEAR}-06-15",
        "amount": gj,
        "unit": "GJ",
        "evidence": {"meter_reading": "FT-301 0001000 GJ 蒸汽表", "period": f"{YEAR}-06"},
        "substitution": substitution,
    }


def water_delivery(m3: str = "500") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "delivered_on": f"{YEAR}-06-15",
        "amount": m3,
        "unit": "m3",
        "evidence": {"meter_reading": "RW-02 500 m3"},
        "substitution": {"substitutes": "municipal_water"},
    }


def material_delivery(t: str = "2000") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "delivered_on": f"{YEAR}-06-15",
        "amount": t,
        "unit": "t",
        "evidence": {"weighbridge_ticket": "HB-WB-0001"},
        "substitution": {"substitutes": "virgin_material", "material": "熟料 clinker"},
    }


def exchange(
    kind: str = "heat",
    deliveries: list[dict] | None = None,
    supplier=("steam-co", PARK_A),
    receiver=("dye-works", PARK_A),
    completed_at: str = COMPLETED_AT,
    **overrides,
) -> dict:
    """A valid ExchangeCompleted payload (services/common/contracts.py)."""
    deliveries = deliveries or [{"heat": heat_delivery, "water": water_delivery, "material": material_delivery}[kind]()]
    unit = deliveries[0]["unit"]
    total = str(sum(Decimal(d["amount"]) for d in deliveries))
    payload = {
        "exchange_id": str(uuid.uuid4()),
        "kind": kind,
        "offer_id": str(uuid.uuid4()),
        "want_id": None,
        "supplier": {"enterprise_id": supplier[0], "park_id": supplier[1]},
        "receiver": {"enterprise_id": receiver[0], "park_id": receiver[1]},
        "waste_code": "441-001-S02" if kind == "material" else None,
        "hazardous": False,
        "agreed_amount": total,
        "agreed_unit": unit,
        "completed_at": completed_at,
        "deliveries": deliveries,
    }
    return {**payload, **overrides}


def completed(payload: dict) -> Event:
    return Event("ExchangeCompleted", payload["exchange_id"], payload)


def park_created(park_id: str, name: str = "Lianyungang Petrochemical Park", baselines: list[dict] = ()) -> Event:
    return Event(
        "ParkCreated",
        park_id,
        {
            "id": park_id,
            "name": name,
            "province": "Jiangsu",
            "level": "national",
            "park_type": "chemical_park",
            "centroid": {"lat": 34.6, "lon": 119.6},
            "baselines": list(baselines),
        },
    )


def baseline(
    year: int = YEAR, gdp: float = 50000.0, energy: float = 20000.0, water: float = 1000000.0, waste: float = 8000.0
) -> dict:
    """As listings sends it: plain numbers (floats), no storage draw."""
    return {"year": year, "gdp_10k_cny": gdp, "energy_tce": energy, "water_m3": water, "solid_waste_generated_t": waste}


def baseline_set(park_id: str, **figures) -> Event:
    return Event("ParkBaselineSet", park_id, {"park_id": park_id, **baseline(**figures)})


# --- what the worker and the API do with a LedgerContext ------------------------------------------


def feed(ctx, *events: Event) -> list[bool]:
    """What the worker does with a batch: apply each event, then sign a checkpoint. Says which events added an entry."""
    added = [recording.apply_event(ctx, event) for event in events]
    recording.sign_latest(ctx)
    return added


def record_six_water_exchanges(ctx) -> None:
    """Six completed water exchanges (500 m3 each) in park A, a checkpoint signed over them."""
    feed(ctx, park_created(PARK_A), *[completed(exchange("water")) for _ in range(6)])


def checkpoint(ctx):
    """The latest signed checkpoint, opened with the ledger's own verifier key."""
    return open_checkpoint(queries.checkpoint_text(ctx), ctx.signing_key.verifier_text(), origin=ctx.origin)


def proof_hashes(proof: dict) -> list[bytes]:
    """The hashes of an inclusion or consistency proof as the queries return it (base64), decoded."""
    return [base64.b64decode(h) for h in proof["hashes"]]


def set_leaf_data(ctx, index: int, data: bytes) -> None:
    """Tamper with a stored row behind the ledger's back."""
    with ctx.store.engine.begin() as conn:
        conn.execute(entries.update().where(entries.c.idx == index).values(leaf_data=data))
