"""The park planner as a new user meets it: the demo park's manager asks for a plan and gets pairings
with their gains, the ledger's figures for the year to compare, and a reason for every listing left
unpaired; a suggestion reaches both enterprises as a signed `plan.suggested` webhook."""

from __future__ import annotations

import json
from datetime import date

import pytest
from standardwebhooks import Webhook

from .conftest import PARK, Receiver, eventually, new_enterprise, start_system, stop_system


def demo_park(system):
    keys = json.loads((system.data_dir / "demo-keys.json").read_text())
    return keys["park_id"], {name: system.client(key) for name, key in keys["keys"].items()}


@pytest.fixture(scope="module")
def demo(system):
    return demo_park(system)


@pytest.fixture(scope="module")
def untouched_demo(tmp_path_factory):
    """The demo park as a new user first sees it: in the shared system other tests (the fuzzers among
    them) add listings of every odd size to the demo park, and the plan would be theirs too."""
    running = start_system(tmp_path_factory.mktemp("planner-demo"), demo=True)
    try:
        yield demo_park(running)
    finally:
        stop_system(running.process)


def active_listings(manager) -> set[str]:
    found = set()
    for side in ("offers", "wants"):
        items = manager.get(side, params={"page_size": 100, "status": "active"}).json()["items"]
        found |= {item["id"] for item in items}
    return found


def test_the_demo_park_manager_gets_a_plan_with_gains_beside_the_ledger_and_reasons(untouched_demo):
    park_id, clients = untouched_demo
    manager = clients["park_manager"]
    body = {"priorities": ["co2_reduced_t", "hazardous_waste_utilised_t", "solid_waste_utilised_t", "water_saved_m3"]}
    plan = eventually(
        lambda: manager.post(f"parks/{park_id}/plans", body),
        lambda r: r.status_code == 201 and len(r.json()["pairings"]) + len(r.json()["unpaired"]) > 0,
        "a plan of the demo park",
    ).json()

    assert plan["solver"]["optimal"] and plan["solver"]["status"] == "optimal"
    assert plan["pairings"] and all(p["gains"] and p["quantity"] > 0 for p in plan["pairings"])
    heat = [p for p in plan["pairings"] if p["kind"] == "heat"]
    assert heat and all(p["per_year"]["unit"] == "GJ" for p in heat)
    assert [p["per_year"]["amount"] for p in heat] == pytest.approx([p["quantity"] * 8000 * 3.6 for p in heat])
    assert plan["totals"]["co2_reduced_t"] > 0
    greedy = plan["greedy"]["objective_value"]
    assert plan["objective_value"] >= greedy - 1e-6 * max(1.0, abs(greedy))  # the solver's own tolerance
    paired = {p[side]["id"] for p in plan["pairings"] for side in ("offer", "want")}
    unpaired = {u["listing"]["id"]: u for u in plan["unpaired"]}
    assert paired | set(unpaired) == active_listings(manager)
    assert all(u["reason"] and u["detail"] for u in unpaired.values())
    report = manager.get(plan["ledger_report"].removeprefix("/api/v1/"))
    assert report.status_code == 200 and report.json()["year"] == date.today().year

    assert manager.get(f"parks/{park_id}/plans/{plan['id']}").json() == plan
    assert plan["id"] in [p["id"] for p in manager.get(f"parks/{park_id}/plans").json()["items"]]


def test_plans_are_refused_to_enterprises_and_other_parks(demo, world):
    park_id, clients = demo
    assert clients["power"].post(f"parks/{park_id}/plans", {}).status_code == 403
    assert clients["power"].get(f"parks/{park_id}/plans").status_code == 403
    assert world.manager_a.api.post(f"parks/{park_id}/plans", {}).status_code == 404
    assert world.manager_a.api.get(f"parks/{park_id}/plans").status_code == 404


def test_a_park_with_no_listings_gets_an_empty_plan(admin):
    park_id = admin.post("parks", {**PARK, "name": "Empty Park"}).json()["id"]
    plan = admin.post(f"parks/{park_id}/plans", {})
    assert plan.status_code == 201, plan.text
    assert (plan.json()["pairings"], plan.json()["unpaired"], plan.json()["totals"]) == ([], [], {})


def test_bad_objectives_are_refused_naming_the_field(admin, world):
    refused = admin.post(f"parks/{world.park_a}/plans", {"weights": {"happiness": 1}, "heat_pipeline_max_km": -1})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert {"weights.happiness.key", "heat_pipeline_max_km"} <= set(refused.json()["errors"])


def test_a_suggested_pairing_reaches_both_enterprises_signed_and_once(system, admin):
    receiver = Receiver()
    try:
        park = admin.post("parks", {**PARK, "name": "Suggestion Park"}).json()["id"]
        supplier = new_enterprise(system, admin, park, "Suggest Steam Co")
        buyer = new_enterprise(system, admin, park, "Suggest Dye Works")
        secrets = {}
        for tenant in (supplier, buyer):
            made = tenant.api.post("webhooks", {"url": receiver.url, "min_score": 0.99}).json()
            secrets[tenant.enterprise_id] = made["secret"]
        offer = supplier.api.post("offers", steam_like("offer")).json()["id"]
        want = buyer.api.post("wants", steam_like("want")).json()["id"]
        plan = eventually(
            lambda: admin.post(f"parks/{park}/plans", {}).json(),
            lambda body: len(body["pairings"]) == 1,
            "the suggestion park's plan",
        )
        sent = admin.post(f"parks/{park}/plans/{plan['id']}/suggestions", {"offer_id": offer, "want_id": want})
        assert sent.status_code == 201, sent.text
        again = admin.post(f"parks/{park}/plans/{plan['id']}/suggestions", {"offer_id": offer, "want_id": want})
        assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]

        got = eventually(
            lambda: [r for r in receiver.received if json.loads(r[1])["type"] == "plan.suggested"],
            lambda found: len(found) >= 2,
            "two plan.suggested webhooks",
        )
        assert len(got) == 2
        for headers, raw in got:
            verified = next((m for s in secrets.values() if (m := try_verify(s, raw, headers)) is not None), None)
            assert verified is not None and verified["data"]["offer"]["id"] == offer
        for tenant in (supplier, buyer):
            seen = tenant.api.get("plan-suggestions").json()["items"]
            assert [s["id"] for s in seen] == [sent.json()["id"]]
    finally:
        receiver.close()


def try_verify(secret: str, raw: bytes, headers: dict):
    try:
        return Webhook(secret).verify(raw, headers)
    except Exception:
        return None


def steam_like(side: str) -> dict:
    heat = {"medium": "steam", "temperature_c": 250, "pressure_mpa": 1.6, "thermal_power_mw": 8}
    if side == "want":
        heat = {"medium": "hot_water", "temperature_c": 90, "thermal_power_mw": 5}
    return {
        "kind": "heat",
        "title": f"suggestion {side}",
        "max_distance_km": 10,
        "heat": {**heat, "hours_per_day": 24, "days_per_year": 330},
    }
