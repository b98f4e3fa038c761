"""From a completed exchange to evidence an auditor can check, through the gateway of the running
embedded system: the exchange's ledger entry appears, its inclusion proof verifies against the
signed checkpoint with the published key, the park's annual report counts it, and
`parkloop ledger export` / `parkloop ledger verify` pass on the export and fail on a tampered copy,
naming the entry."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from services.ledger.domain import merkle
from services.ledger.domain.canonical import is_canonical
from services.ledger.domain.checkpoint import open_checkpoint
from services.ledger.domain.report import china_date

from .conftest import PARK, Tenant, complete_steam_exchange, eventually, new_enterprise, steam_offer

REPO = Path(__file__).resolve().parents[2]
CHINA = timezone(timedelta(hours=8))


def entry_of(manager: Tenant, exchange_id: str) -> dict | None:
    items = manager.api.get("ledger/entries", params={"page_size": 100}).json()["items"]
    return next((i for i in items if i["entry"]["exchange"]["exchange_id"] == exchange_id), None)


def parkloop(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "parkloop.cli", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def ledger_park(system, admin):
    """A park with this year's baseline, its manager, a steam supplier, a dye works and a bystander."""
    year = datetime.now(CHINA).year
    park = admin.post("parks", {**PARK, "name": "Ledger Flow Park"}).json()["id"]
    baseline = {
        "year": year,
        "gdp_10k_cny": 50000,
        "energy_tce": 20000,
        "water_m3": 1000000,
        "solid_waste_generated_t": 8000,
    }
    assert admin.put(f"parks/{park}/baselines", baseline).status_code == 200
    key = admin.post("keys", {"role": "park_manager", "label": "ledger manager", "park_id": park}).json()["key"]
    return {
        "park": park,
        "year": year,
        "manager": Tenant(key, system.client(key)),
        "steam_co": new_enterprise(system, admin, park, "Ledger Steam Co"),
        "dye_works": new_enterprise(system, admin, park, "Ledger Dye Works"),
        "bystander": new_enterprise(system, admin, park, "Ledger Bystander"),
    }


@pytest.fixture(scope="module")
def completed_steam(ledger_park):
    """1,000 GJ of steam, replacing the dye works' natural-gas boiler (η = 0.9), delivered and completed."""
    steam_co, dye_works = ledger_park["steam_co"], ledger_park["dye_works"]
    offer = steam_co.api.post("offers", steam_offer(title="Ledger steam")).json()
    exchange_id = complete_steam_exchange(
        steam_co, dye_works, "1000", offer_id=offer["id"], receiver_enterprise_id=dye_works.enterprise_id
    )

    item = eventually(
        lambda: entry_of(ledger_park["manager"], exchange_id),
        lambda found: found is not None,
        f"the ledger entry of exchange {exchange_id}",
    )
    return {"exchange_id": exchange_id, "index": item["index"], "entry": item["entry"]}


def test_a_completed_exchange_becomes_a_ledger_entry_with_its_evidence(completed_steam, ledger_park):
    entry = completed_steam["entry"]
    assert entry["type"] == "ExchangeCompleted"
    assert entry["exchange"]["supplier"]["enterprise_id"] == ledger_park["steam_co"].enterprise_id
    assert entry["exchange"]["receiver"]["enterprise_id"] == ledger_park["dye_works"].enterprise_id
    [delivery] = entry["exchange"]["deliveries"]
    assert delivery["evidence"] == {"meter_reading": "FT-301 0001000 GJ"}
    assert delivery["substitution"] == {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"}


def test_the_entrys_inclusion_proof_verifies_against_the_signed_checkpoint_with_the_published_key(
    completed_steam, ledger_park
):
    manager, index = ledger_park["manager"].api, completed_steam["index"]
    checkpoint = manager.get("ledger/checkpoint")
    key = manager.get("ledger/public-key")
    assert checkpoint.headers["Content-Type"].startswith("text/plain")
    cp = open_checkpoint(checkpoint.text, key.text.strip())
    leaf = manager.get(f"ledger/entries/{index}").content
    assert is_canonical(leaf)
    proof = manager.get(f"ledger/entries/{index}/proof", params={"tree_size": cp.size}).json()
    assert proof["tree_size"] == cp.size > index
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(leaf), hashes, cp.root)


def test_each_party_sees_the_entry_and_another_enterprise_does_not(completed_steam, ledger_park):
    index = completed_steam["index"]
    for party in ("steam_co", "dye_works"):
        assert ledger_park[party].api.get(f"ledger/entries/{index}").status_code == 200
    assert ledger_park["bystander"].api.get(f"ledger/entries/{index}").status_code == 404


def test_the_parks_annual_report_shows_the_exchanges_contribution(completed_steam, ledger_park):
    year = china_date(completed_steam["entry"]["exchange"]["completed_at"]).year
    manager = ledger_park["manager"].api
    path = f"parks/{ledger_park['park']}/reports/{year}"
    report = eventually(
        lambda: manager.get(path).json(),
        lambda body: body.get("rates", {}).get("energy_per_gdp_tce_per_10k_cny", {}).get("value"),
        "the report's energy per GDP",
    )
    assert report["entries"]["indexes"] == [completed_steam["index"]]
    ind, rates = report["indicators"], report["rates"]
    # 1,000 GJ / 0.9 = 1,111,111.1 MJ of gas not burnt; x 1000 / 29,307 kJ/kgce / 1000 = 37.9128 tce
    assert round(Decimal(ind["energy_saved_tce"]["value"]), 4) == Decimal("37.9128")
    # 1.1111 TJ x 56.1 t CO2/TJ = 62.333 t
    assert round(Decimal(ind["co2_reduced_t"]["value"]), 3) == Decimal("62.333")
    # from this year's baseline: 20,000 tce / 50,000 x 10k CNY; 1,000,000 m3 / 50,000 x 10k CNY
    assert Decimal(rates["energy_per_gdp_tce_per_10k_cny"]["value"]) == Decimal("0.4")
    assert Decimal(rates["water_per_gdp_m3_per_10k_cny"]["value"]) == Decimal("20")
    assert ledger_park["dye_works"].enterprise_id in report["by_enterprise"]
    # for people: at most 4 places; beside it every digit, as the entry has it
    assert ind["energy_saved_tce"]["value"] == "37.9128"
    [delivery] = completed_steam["entry"]["contribution"]["deliveries"]
    assert ind["energy_saved_tce"]["exact_value"] == next(
        i["value"] for i in delivery["indicators"] if i["name"] == "energy_saved_tce"
    )
    csv_report = manager.get(path, params={"format": "csv"})
    assert csv_report.headers["Content-Type"].startswith("text/csv")
    assert csv_report.text.splitlines()[0].startswith("section,group,view,indicator,value")


def test_a_new_park_with_a_baseline_and_no_exchanges_gets_its_report_not_a_404(system, admin):
    year = datetime.now(CHINA).year
    baseline = {"year": year, "gdp_10k_cny": 100, "energy_tce": 50, "water_m3": 900, "solid_waste_generated_t": 40}
    park = admin.post("parks", {**PARK, "name": "Quiet Park", "baselines": [baseline]}).json()["id"]
    # 404 only until the ledger worker has recorded the park's ParkCreated event
    response = eventually(
        lambda: admin.get(f"parks/{park}/reports/{year}"),
        lambda r: r.status_code != 404,
        "the ledger to learn the new park",
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert {item["value"] for item in report["indicators"].values()} == {"0"}
    assert report["rates"]["solid_waste_utilisation_rate_pct"]["value"] == "0"  # was "0E+1"
    assert report["rates"]["energy_per_gdp_tce_per_10k_cny"]["value"] == "0.5"
    assert report["rates"]["water_per_gdp_m3_per_10k_cny"]["value"] == "9"


def test_another_parks_manager_cannot_read_this_parks_report(completed_steam, ledger_park, world):
    year = china_date(completed_steam["entry"]["exchange"]["completed_at"]).year
    assert world.manager_a.api.get(f"parks/{ledger_park['park']}/reports/{year}").status_code == 404
    assert world.manager_a.api.get(f"ledger/entries/{completed_steam['index']}").status_code == 404


def test_parkloop_ledger_export_and_verify_pass_and_a_tampered_copy_fails_naming_the_entry(
    completed_steam, ledger_park, system, tmp_path
):
    env = {"PARKLOOP_ADMIN_KEY": system.admin_key, "PARKLOOP_DATA": str(tmp_path / "cli-data")}
    export = tmp_path / "ledger-export.json"
    exported = parkloop("ledger", "export", str(export), "--url", system.url, env=env)
    assert exported.returncode == 0, exported.stderr
    assert "exported" in exported.stdout

    verified = parkloop("ledger", "verify", str(export), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("OK")

    # An auditor supplies the key obtained independently (from the public endpoint).
    key_file = tmp_path / "ledger.pub"
    key_file.write_text(ledger_park["manager"].api.get("ledger/public-key").text)
    with_key = parkloop("ledger", "verify", str(export), "--public-key", str(key_file), env=env)
    assert with_key.returncode == 0 and with_key.stdout.startswith("OK"), with_key.stdout + with_key.stderr

    index = completed_steam["index"]
    data = json.loads(export.read_text())
    leaf = base64.b64decode(data["entries"][index])
    assert b'"amount":"1000"' in leaf
    data["entries"][index] = base64.b64encode(leaf.replace(b'"amount":"1000"', b'"amount":"9000"')).decode()
    tampered = tmp_path / "ledger-export-tampered.json"
    tampered.write_text(json.dumps(data))

    failed = parkloop("ledger", "verify", str(tampered), env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stdout.startswith("FAILED") and f"entry {index}" in failed.stdout
