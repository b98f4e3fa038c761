"""Parties of a run: a park, enterprises registered in it, each an API session holding its own key."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import requests

from .bodies import HERE


def session(key: str) -> requests.Session:
    client = requests.Session()
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def ok(response: requests.Response) -> dict:
    """The JSON of a 2xx answer; anything else raises, naming the call and the answer."""
    if not response.ok:
        raise RuntimeError(f"{response.request.method} {response.url} answered {response.status_code}: {response.text}")
    return response.json()


def create_park(api: str, admin: requests.Session, name: str, centroid: dict = HERE, **fields) -> str:
    body = {
        "name": name,
        "province": "Jiangsu",
        "level": "provincial",
        "park_type": "chemical_park",
        "centroid": centroid,
        "baselines": [
            {"year": 2025, "gdp_10k_cny": 100, "energy_tce": 50, "water_m3": 900, "solid_waste_generated_t": 40}
        ],
        **fields,
    }
    return ok(admin.post(f"{api}/parks", json=body, timeout=30))["id"]


@dataclass
class Enterprise:
    key: str
    session: requests.Session
    id: str


# A random start: credit codes must be new in every database a run meets, also one that earlier
# runs used (the real engines keep their data), and in every copy of this module a test imports.
_serial = iter(range(100000 + secrets.randbelow(800000), 999999))


def credit_code(serial: int) -> str:
    """A valid unified social credit code (its check character computed) for a six-digit serial."""
    from services.listings.domain.reference.credit_code import company_credit_code

    return company_credit_code("320703", f"MA{serial:06d}")


def register_enterprise(
    api: str, admin: requests.Session, park_id: str, name: str, location: dict = HERE
) -> Enterprise:
    """An enterprise key for the park, and the enterprise registered with it."""
    key = ok(admin.post(f"{api}/keys", json={"role": "enterprise", "label": name, "park_id": park_id}, timeout=30))
    client = session(key["key"])
    body = {
        "name": name,
        "credit_code": credit_code(next(_serial)),
        "industry_code": "C2614",
        "location": location,
        "contact": {"name": "EHS office", "phone": "0518-0000000"},
    }
    return Enterprise(key["key"], client, ok(client.post(f"{api}/enterprises", json=body, timeout=30))["id"])
