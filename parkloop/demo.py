"""Loads the demo park through the public API, exactly as its users would create it."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import requests
from rich.console import Console
from rich.progress import track

from services.listings.domain.reference.credit_code import company_credit_code

from . import demo_park

MARKER = "demo-loaded.json"
PROGRESS = Console(stderr=True)  # progress bars never mix with what a command prints on stdout


def credit_code(org_body: str) -> str:
    return company_credit_code(demo_park.ADMIN_DIVISION, org_body)


class Client:
    def __init__(self, url: str, key: str):
        self.url, self.session = url.rstrip("/"), requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def post(self, path: str, body: dict) -> dict:
        response = self.session.post(f"{self.url}/api/v1/{path}", json=body, timeout=30)
        if response.status_code >= 400:
            raise RuntimeError(f"POST {path} failed ({response.status_code}): {response.text}")
        return response.json()


def complete_exchange(url: str, keys: dict, offer: tuple, want: tuple, amount: str, unit: str, deliveries) -> None:
    """The supplier proposes, the receiver accepts, the supplier delivers with evidence, then completes."""
    (supplier, offer_id), (receiver, want_id) = offer, want
    seller, buyer = Client(url, keys[supplier]), Client(url, keys[receiver])
    exchange = seller.post(
        "exchanges", {"offer_id": offer_id, "want_id": want_id, "agreed_amount": amount, "agreed_unit": unit}
    )
    buyer.post(f"exchanges/{exchange['id']}/accept", {})
    for delivered, evidence, substitution in deliveries:
        seller.post(
            f"exchanges/{exchange['id']}/deliveries",
            {
                "delivered_on": date.today().isoformat(),
                "amount": delivered,
                "unit": unit,
                "evidence": evidence,
                "substitution": substitution,
            },
        )
    seller.post(f"exchanges/{exchange['id']}/complete", {})


def _admin_key(data_dir: Path, given: str | None) -> str:
    return given or os.environ.get("PARKLOOP_ADMIN_KEY") or (data_dir / "admin.key").read_text().strip()


def load_demo(url: str, data_dir: Path, admin_key: str | None = None) -> dict:
    """Create the park, a manager key, a reviewer key for its province, each enterprise (with its own key)
    and their listings."""
    admin = Client(url, _admin_key(data_dir, admin_key))
    park = admin.post("parks", demo_park.PARK)
    manager = admin.post("keys", {"role": "park_manager", "label": "Demo park manager", "park_id": park["id"]})
    reviewer = admin.post(
        "keys",
        {"role": "province", "label": "Demo provincial reviewer", "province": demo_park.PARK["province"]},
    )
    keys, ids = {"park_manager": manager["key"], "province": reviewer["key"]}, {}
    for e in track(demo_park.ENTERPRISES, description="Registering enterprises", console=PROGRESS):
        issued = admin.post("keys", {"role": "enterprise", "label": e["name"], "park_id": park["id"]})
        client = Client(url, issued["key"])
        body = {
            "name": e["name"],
            "credit_code": credit_code(e["org"]),
            "industry_code": e["industry_code"],
            "location": e["location"],
            "licences": e.get("licences", []),
            "contact": {"name": "Environmental Office", "email": f"{e['key'].replace('_', '-')}@example.com"},
        }
        ids[e["key"]] = client.post("enterprises", body)["id"]
        keys[e["key"]] = issued["key"]
    listings = [("offers", o) for o in demo_park.OFFERS] + [("wants", w) for w in demo_park.WANTS]
    posted = {}  # title -> (owner, id)
    for path, (owner, title, max_km, details) in track(listings, description="Posting listings", console=PROGRESS):
        created = Client(url, keys[owner]).post(
            path, {"title": title, "max_distance_km": max_km, "available_from": "2025-01-01", **details}
        )
        posted[title] = (owner, created["id"])
    for offer, want, amount, unit, deliveries in track(
        demo_park.EXCHANGES, description="Completing exchanges", console=PROGRESS
    ):
        complete_exchange(url, keys, posted[offer], posted[want], amount, unit, deliveries)
    summary = {
        "park_id": park["id"],
        "enterprises": len(ids),
        "offers": len(demo_park.OFFERS),
        "wants": len(demo_park.WANTS),
        "completed_exchanges": len(demo_park.EXCHANGES),
    }
    _write_private(data_dir / "demo-keys.json", {"park_id": park["id"], "keys": keys})
    return summary


def load_demo_once(url: str, data_dir: Path) -> None:
    marker = data_dir / MARKER
    if marker.exists():
        return
    summary = load_demo(url, data_dir)
    marker.write_text(json.dumps(summary))
    print(
        f"Loaded the demo park: {summary['enterprises']} enterprises, {summary['offers']} offers, "
        f"{summary['wants']} wants, {summary['completed_exchanges']} completed exchanges; "
        f"their keys are in {data_dir / 'demo-keys.json'}"
    )


def _write_private(path: Path, data: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
