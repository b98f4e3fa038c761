"""The ledger's HTTP API (services/ledger/app.create_app) as the gateway calls it, with signed
principals: exact leaf bytes, proofs that verify against the published checkpoint and key, who may
see which entries and reports, admin-only audits and corrections, RFC 9457 problems naming the
bad field, and the annual report as CSV."""

from __future__ import annotations

import base64
import csv
import io
import re
import uuid
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, localcontext

import pytest

from services.common.config import Settings
from services.common.events import Event
from services.common.identity import Principal, Role, sign_principal
from services.ledger.adapters.tables import entries
from services.ledger.app import create_app
from services.ledger.domain import merkle
from services.ledger.domain.audit import audit_ledger
from services.ledger.domain.canonical import is_canonical
from services.ledger.domain.checkpoint import open_checkpoint
from services.ledger.domain.report import CSV_HEADER
from services.ledger.service_layer.recording import apply_event, record_batch, sign_latest

SECRET = "integration-secret"
YEAR = 2026
PARK_A, PARK_B = "park-a", "park-b"
ADMIN = Principal(Role.ADMIN, "admin-key")
MANAGER_A = Principal(Role.PARK_MANAGER, "manager-a", park_id=PARK_A)
MANAGER_B = Principal(Role.PARK_MANAGER, "manager-b", park_id=PARK_B)
DYE_WORKS = Principal(Role.ENTERPRISE, "dye-works-key", park_id=PARK_A, enterprise_id="dye-works")
CEMENT = Principal(Role.ENTERPRISE, "cement-key", park_id=PARK_B, enterprise_id="cement")
ENROLLING = Principal(Role.ENTERPRISE, "enrolment-key", park_id=PARK_A, enterprise_id=None)
INDICATORS = {
    "energy_saved_tce",
    "water_saved_m3",
    "co2_reduced_t",
    "solid_waste_utilised_t",
    "hazardous_waste_utilised_t",
    "wastewater_avoided_m3",
}
RATES = {"solid_waste_utilisation_rate_pct", "energy_per_gdp_tce_per_10k_cny", "water_per_gdp_m3_per_10k_cny"}


def delivery(kind: str, amount: str) -> dict:
    unit, evidence, substitution = {
        "heat": (
            "GJ",
            {"meter_reading": "FT-301"},
            {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"},
        ),
        "water": ("m3", {"meter_reading": "RW-02"}, {"substitutes": "municipal_water"}),
        "material": ("t", {"weighbridge_ticket": "HB-WB-0001"}, {"substitutes": "virgin_material"}),
    }[kind]
    return {
        "id": str(uuid.uuid4()),
        "delivered_on": f"{YEAR}-06-15",
        "amount": amount,
        "unit": unit,
        "evidence": evidence,
        "substitution": substitution,
    }


def completed(
    kind: str,
    amount: str,
    supplier: tuple[str, str],
    receiver: tuple[str, str],
    completed_at: str = f"{YEAR}-06-30T02:00:00+00:00",
) -> Event:
    d = delivery(kind, amount)
    payload = {
        "exchange_id": str(uuid.uuid4()),
        "kind": kind,
        "offer_id": str(uuid.uuid4()),
        "want_id": None,
        "supplier": {"enterprise_id": supplier[0], "park_id": supplier[1]},
        "receiver": {"enterprise_id": receiver[0], "park_id": receiver[1]},
        "waste_code": "441-001-S02" if kind == "material" else None,
        "hazardous": False,
        "agreed_amount": amount,
        "agreed_unit": d["unit"],
        "completed_at": completed_at,
        "deliveries": [d],
    }
    return Event("ExchangeCompleted", payload["exchange_id"], payload)


def park_created(park_id: str, name: str, baselines=()) -> Event:
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


BASELINE_A = {
    "year": YEAR,
    "gdp_10k_cny": 50000.0,
    "energy_tce": 20000.0,
    "water_m3": 1000000.0,
    "solid_waste_generated_t": 8000.0,
}


def standard_events() -> list[Event]:
    """Entries 0..4: three exchanges inside park A, one from A to B, one inside park B."""
    return [
        park_created(PARK_A, "Park A", [BASELINE_A]),
        park_created(PARK_B, "Park B"),
        completed("heat", "1000", ("steam-co", PARK_A), ("dye-works", PARK_A)),  # 0
        completed("water", "500", ("wwtp", PARK_A), ("refinery", PARK_A)),  # 1
        completed("material", "2000", ("power", PARK_A), ("cement", PARK_B)),  # 2
        completed("water", "999", ("wwtp-b", PARK_B), ("paper", PARK_B)),  # 3
        completed("heat", "200", ("steam-co", PARK_A), ("refinery", PARK_A)),  # 4
    ]


class Caller:
    """A Flask test client that sends each request as the gateway would, for one principal."""

    def __init__(self, client, principal: Principal | None):
        self.client, self.principal = client, principal

    def _headers(self):
        return sign_principal(self.principal, SECRET) if self.principal else {}

    def get(self, path, **params):
        return self.client.get(f"/api/v1/{path}", query_string=params, headers=self._headers())

    def post(self, path, body=None):
        return self.client.post(f"/api/v1/{path}", json=body if body is not None else {}, headers=self._headers())


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.delenv("LEDGER_SIGNING_KEY", raising=False)
    monkeypatch.delenv("LEDGER_ORIGIN", raising=False)
    settings = Settings(
        service="ledger",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        event_bus_url=f"sqlite:///{tmp_path / 'events.db'}",
        internal_secret=SECRET,
    )
    application = create_app(settings)
    yield application
    application.extensions["parkloop.ledger"].store.engine.dispose()


def feed(app, events) -> None:
    ctx = app.extensions["parkloop.ledger"]
    for event in events:
        apply_event(ctx, event)
    sign_latest(ctx)


@pytest.fixture
def ledger(app):
    feed(app, standard_events())
    return app


def as_(app, principal: Principal | None) -> Caller:
    return Caller(app.test_client(), principal)


def indexes(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["index"] for item in response.get_json()["items"]]


def published_checkpoint(caller: Caller):
    text = caller.get("ledger/checkpoint")
    key = caller.get("ledger/public-key")
    assert text.status_code == 200 and text.mimetype == "text/plain"
    assert key.status_code == 200 and key.mimetype == "text/plain"
    return open_checkpoint(text.get_data(as_text=True), key.get_data(as_text=True).strip())


def assert_problem(response, status: int, field: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert field in body["errors"], body


# --- entries and proofs ----------------------------------------------------------------------


def test_an_entry_is_served_as_exactly_its_leaf_bytes(ledger):
    ctx = ledger.extensions["parkloop.ledger"]
    for index in range(5):
        response = as_(ledger, ADMIN).get(f"ledger/entries/{index}")
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.get_data() == ctx.store.entry(index).leaf_data
        assert is_canonical(response.get_data())


def test_the_entry_list_gives_each_entry_with_its_leaf_hash(ledger):
    body = as_(ledger, ADMIN).get("ledger/entries", page_size=2, page=2).get_json()
    assert body["total"] == 5 and [item["index"] for item in body["items"]] == [2, 3]
    for item in body["items"]:
        leaf = as_(ledger, ADMIN).get(f"ledger/entries/{item['index']}").get_data()
        assert base64.b64decode(item["leaf_hash"]) == merkle.leaf_hash(leaf)
        assert item["entry"]["exchange"]["kind"] in ("material", "water")


def test_entries_can_be_filtered_by_kind_and_year(ledger):
    admin = as_(ledger, ADMIN)
    assert indexes(admin.get("ledger/entries", kind="water")) == [1, 3]
    assert indexes(admin.get("ledger/entries", year=YEAR)) == [0, 1, 2, 3, 4]
    assert indexes(admin.get("ledger/entries", year=YEAR - 1)) == []


def test_entries_can_be_filtered_by_waste_code_and_the_csv_names_each_code(ledger):
    admin = as_(ledger, ADMIN)
    assert indexes(admin.get("ledger/entries", code="441-001-S02")) == [2]
    assert indexes(admin.get("ledger/entries", code="900-249-08")) == []
    rows = list(csv.DictReader(io.StringIO(admin.get("ledger/entries.csv", code="441-001-S02").get_data(as_text=True))))
    assert [(r["index"], r["kind"], r["waste_code"]) for r in rows] == [("2", "material", "441-001-S02")]
    every = list(csv.DictReader(io.StringIO(admin.get("ledger/entries.csv").get_data(as_text=True))))
    assert [r["waste_code"] for r in every] == ["", "", "441-001-S02", "", ""]


def test_every_inclusion_proof_verifies_against_the_published_checkpoint_and_key(ledger):
    admin = as_(ledger, ADMIN)
    cp = published_checkpoint(admin)
    assert cp.size == 5
    for index in range(5):
        leaf = admin.get(f"ledger/entries/{index}").get_data()
        proof = admin.get(f"ledger/entries/{index}/proof").get_json()
        assert proof["tree_size"] == 5
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        assert merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(leaf), hashes, cp.root)


def test_a_consistency_proof_links_an_earlier_checkpoint_to_the_latest(ledger):
    admin = as_(ledger, ADMIN)
    old = published_checkpoint(admin)
    feed(ledger, [completed("water", str(n), ("wwtp", PARK_A), ("refinery", PARK_A)) for n in (1, 2, 3)])
    new = published_checkpoint(admin)
    assert (old.size, new.size) == (5, 8)
    body = admin.get("ledger/consistency", **{"from": 5, "to": 8}).get_json()
    assert body["to"] == 8
    hashes = [base64.b64decode(h) for h in body["hashes"]]
    assert merkle.verify_consistency(5, 8, old.root, new.root, hashes)
    # an inclusion proof against the older tree still verifies with the older checkpoint
    proof = admin.get("ledger/entries/1/proof", tree_size=5).get_json()
    leaf = admin.get("ledger/entries/1").get_data()
    assert merkle.verify_inclusion(
        1, 5, merkle.leaf_hash(leaf), [base64.b64decode(h) for h in proof["hashes"]], old.root
    )


def test_proofs_keep_verifying_as_the_ledger_grows_between_requests(ledger):
    """The service keeps its tree between requests and reads only the entries added since."""
    admin = as_(ledger, ADMIN)
    for round_ in range(3):
        cp = published_checkpoint(admin)
        for index in (0, cp.size - 1):
            leaf = admin.get(f"ledger/entries/{index}").get_data()
            proof = admin.get(f"ledger/entries/{index}/proof").get_json()
            assert proof["tree_size"] == cp.size == 5 + 2 * round_
            assert merkle.verify_inclusion(
                index, cp.size, merkle.leaf_hash(leaf), [base64.b64decode(h) for h in proof["hashes"]], cp.root
            )
        feed(ledger, [completed("water", str(n), ("wwtp", PARK_A), ("refinery", PARK_A)) for n in (1, 2)])


def test_a_proof_is_refused_rather_than_built_on_a_store_missing_an_entry(app):
    feed(app, standard_events())
    with app.extensions["parkloop.ledger"].store.engine.begin() as conn:
        conn.execute(entries.delete().where(entries.c.idx == 2))
    response = as_(app, ADMIN).get("ledger/entries/0/proof")
    assert response.status_code == 409 and "ledger/verify" in response.get_json()["detail"]


def test_a_consistency_proof_names_both_tree_sizes(ledger):
    body = as_(ledger, ADMIN).get("ledger/consistency", **{"from": 2, "to": 5}).get_json()
    assert (body.get("from"), body["to"]) == (2, 5)


def test_an_empty_ledger_has_no_checkpoint_yet(app):
    assert as_(app, ADMIN).get("ledger/checkpoint").status_code == 404
    assert as_(app, ADMIN).get("ledger/entries").get_json()["total"] == 0


def test_the_export_verifies_offline_with_the_published_key(ledger):
    admin = as_(ledger, ADMIN)
    response = admin.get("ledger/export")
    assert response.is_streamed and response.mimetype == "application/json"  # written as the store is read
    exported = response.get_json()
    assert len(exported["checkpoints"]) >= 1 and exported["checkpoints"][-1] == exported["checkpoint"]
    key = admin.get("ledger/public-key").get_data(as_text=True).strip()
    result = audit_ledger(
        [base64.b64decode(e) for e in exported["entries"]],
        exported["checkpoint"],
        key,
        recorded_leaf_hashes=[base64.b64decode(h) for h in exported["leaf_hashes"]],
        origin=exported["origin"],
    )
    assert result.ok and result.checkpoint.size == 5
    assert admin.post("ledger/verify").get_json() == {
        "ok": True,
        "first_bad_index": None,
        "kind": None,
        "reason": result.reason,
        "size": 5,
    }


# --- who sees what -----------------------------------------------------------------------------


def test_a_park_manager_lists_only_the_entries_touching_their_park(ledger):
    assert indexes(as_(ledger, MANAGER_A).get("ledger/entries")) == [0, 1, 2, 4]
    assert indexes(as_(ledger, MANAGER_B).get("ledger/entries")) == [2, 3]
    # asking for the other park changes nothing: the scope is the manager's own park
    assert indexes(as_(ledger, MANAGER_A).get("ledger/entries", park_id=PARK_B)) == [0, 1, 2, 4]


def test_a_park_manager_cannot_read_or_prove_another_parks_entry(ledger):
    manager = as_(ledger, MANAGER_A)
    assert manager.get("ledger/entries/3").status_code == 404
    assert manager.get("ledger/entries/3/proof").status_code == 404
    assert manager.get("ledger/entries/2").status_code == 200  # park A supplied it


def test_a_park_manager_reads_their_parks_report_and_not_another_parks(ledger):
    own = as_(ledger, MANAGER_A).get(f"parks/{PARK_A}/reports/{YEAR}")
    assert own.status_code == 200 and own.get_json()["park_id"] == PARK_A
    other = as_(ledger, MANAGER_A).get(f"parks/{PARK_B}/reports/{YEAR}")
    assert other.status_code == 404 and other.mimetype == "application/problem+json"
    assert as_(ledger, MANAGER_B).get(f"parks/{PARK_B}/reports/{YEAR}").status_code == 200


def test_an_enterprise_sees_only_the_entries_of_its_own_exchanges(ledger):
    assert indexes(as_(ledger, DYE_WORKS).get("ledger/entries")) == [0]
    assert indexes(as_(ledger, CEMENT).get("ledger/entries")) == [2]
    assert indexes(as_(ledger, DYE_WORKS).get("ledger/entries", enterprise_id="refinery")) == [0]
    assert as_(ledger, DYE_WORKS).get("ledger/entries/0").status_code == 200
    assert as_(ledger, DYE_WORKS).get("ledger/entries/1").status_code == 404
    assert as_(ledger, DYE_WORKS).get("ledger/entries/1/proof").status_code == 404


def test_an_enterprise_gets_no_park_report(ledger):
    assert as_(ledger, DYE_WORKS).get(f"parks/{PARK_A}/reports/{YEAR}").status_code == 404


def test_an_enterprise_key_without_an_enterprise_lists_no_entries(ledger):
    response = as_(ledger, ENROLLING).get("ledger/entries")
    assert response.status_code == 403 or indexes(response) == []


def test_an_enterprise_key_without_an_enterprise_cannot_read_an_entry(ledger):
    assert as_(ledger, ENROLLING).get("ledger/entries/0").status_code == 404


def test_the_proof_material_is_public_to_every_signed_caller(ledger):
    for principal in (MANAGER_B, DYE_WORKS):
        caller = as_(ledger, principal)
        assert published_checkpoint(caller).size == 5
        assert caller.get("ledger/consistency", **{"from": 2, "to": 5}).status_code == 200


def test_a_request_that_did_not_come_through_the_gateway_is_refused(ledger):
    response = as_(ledger, None).get("ledger/entries/0")
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    forged = ledger.test_client().get("/api/v1/ledger/entries/0", headers=sign_principal(ADMIN, "wrong-secret"))
    assert forged.status_code == 403


@pytest.mark.parametrize("principal", [MANAGER_A, DYE_WORKS], ids=["park-manager", "enterprise"])
def test_verify_export_and_corrections_are_for_admins_only(ledger, principal):
    caller = as_(ledger, principal)
    assert caller.post("ledger/verify").status_code == 403
    assert caller.get("ledger/export").status_code == 403
    refused = caller.post("ledger/corrections", {"corrects": 0, "reason": "wrong meter"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert as_(ledger, ADMIN).get("ledger/entries").get_json()["total"] == 5


# --- corrections --------------------------------------------------------------------------------


def test_an_admin_correction_appends_a_reversing_entry_and_the_report_drops_the_exchange(ledger):
    admin = as_(ledger, ADMIN)
    before = admin.get(f"parks/{PARK_A}/reports/{YEAR}").get_json()
    original = admin.get("ledger/entries/1").get_data()

    response = admin.post("ledger/corrections", {"corrects": 1, "reason": "meter RW-02 misread"})
    assert response.status_code == 201 and response.get_json() == {"index": 5}
    assert admin.get("ledger/entries/1").get_data() == original
    correction = admin.get("ledger/entries/5").get_json()
    assert (correction["type"], correction["corrects"]) == ("Correction", 1)
    assert published_checkpoint(admin).size == 6

    after = admin.get(f"parks/{PARK_A}/reports/{YEAR}").get_json()
    assert Decimal(before["indicators"]["water_saved_m3"]["value"]) == Decimal("500")
    assert Decimal(after["indicators"]["water_saved_m3"]["value"]) == Decimal("0")
    assert after["entries"]["indexes"] == [0, 2, 4]
    assert admin.get(f"parks/{PARK_A}/reports/{YEAR}").get_json() == after, "asked again, the same report"


def test_a_second_correction_or_a_correction_of_a_correction_is_a_conflict(ledger):
    admin = as_(ledger, ADMIN)
    assert admin.post("ledger/corrections", {"corrects": 1, "reason": "first"}).status_code == 201
    again = admin.post("ledger/corrections", {"corrects": 1, "reason": "again"})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert admin.post("ledger/corrections", {"corrects": 5, "reason": "undo"}).status_code == 409
    assert admin.post("ledger/corrections", {"corrects": 99, "reason": "nothing there"}).status_code == 404
    assert admin.get("ledger/entries").get_json()["total"] == 6


# --- bad input: 422 problems naming the field ---------------------------------------------------


@pytest.mark.parametrize(
    "path, params, field",
    [
        ("ledger/entries", {"year": "1900"}, "year"),
        ("ledger/entries", {"year": "last"}, "year"),
        ("ledger/entries", {"kind": "steam"}, "kind"),
        ("ledger/entries", {"page_size": "0"}, "page_size"),
        ("ledger/entries/0/proof", {"tree_size": "0"}, "tree_size"),
        ("ledger/entries/0/proof", {"tree_size": "6"}, "tree_size"),
        ("ledger/entries/3/proof", {"tree_size": "3"}, "tree_size"),
        ("ledger/consistency", {"from": "4", "to": "2"}, "from"),
        ("ledger/consistency", {"from": "2", "to": "9"}, "from"),
        ("ledger/consistency", {"from": "2"}, "to"),
        ("ledger/consistency", {"from": "x", "to": "3"}, "from"),
        (f"parks/{PARK_A}/reports/{YEAR}", {"format": "xml"}, "format"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(f"{k}={x}" for k, x in v.items()),
)
def test_a_bad_query_value_is_a_422_problem_naming_the_field(ledger, path, params, field):
    assert_problem(as_(ledger, ADMIN).get(path, **params), 422, field)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "no index"}, "corrects"),
        ({"corrects": 1}, "reason"),
        ({"corrects": -1, "reason": "negative"}, "corrects"),
        ({"corrects": 1, "reason": "x" * 1001}, "reason"),
    ],
)
def test_a_bad_correction_is_a_422_problem_naming_the_field(ledger, body, field):
    assert_problem(as_(ledger, ADMIN).post("ledger/corrections", body), 422, field)
    assert as_(ledger, ADMIN).get("ledger/entries").get_json()["total"] == 5


# --- the annual report --------------------------------------------------------------------------


def test_the_report_json_carries_amounts_as_decimal_strings(ledger):
    report = as_(ledger, MANAGER_A).get(f"parks/{PARK_A}/reports/{YEAR}").get_json()
    assert report["entries"]["indexes"] == [0, 1, 2, 4]
    energy = report["indicators"]["energy_saved_tce"]
    assert isinstance(energy["value"], str)
    # (1,000 + 200) GJ / 0.9 = 1,333,333.33 MJ; x 1000 / 29,307 kJ/kgce / 1000 = 45.4954 tce
    assert round(Decimal(energy["value"]), 4) == Decimal("45.4954")
    assert Decimal(report["rates"]["solid_waste_utilisation_rate_pct"]["value"]) == Decimal("25")


def test_the_report_as_csv_has_a_header_and_a_row_per_indicator(ledger):
    response = as_(ledger, MANAGER_A).get(f"parks/{PARK_A}/reports/{YEAR}", format="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == CSV_HEADER
    assert all(len(row) == len(CSV_HEADER) for row in rows)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    park_rows = {r["indicator"]: r for r in records if r["section"] == "park"}
    assert set(park_rows) == INDICATORS | RATES and len(park_rows) == len(INDICATORS | RATES)
    assert park_rows["water_saved_m3"]["value"] == "500" and park_rows["water_saved_m3"]["unit"] == "m3"
    assert park_rows["solid_waste_utilisation_rate_pct"]["value"] == "25"
    assert park_rows["energy_saved_tce"]["complete"] == "no"  # the fly ash's energy is not computed
    assert {r["group"] for r in records if r["section"] == "kind"} == {"heat", "water", "material"}


def test_a_report_without_a_baseline_says_the_rates_are_unknown_in_json_and_csv(ledger):
    manager = as_(ledger, MANAGER_B)
    report = manager.get(f"parks/{PARK_B}/reports/{YEAR}").get_json()
    assert all(rate["value"] is None and rate["unknown"] for rate in report["rates"].values())
    rows = list(
        csv.DictReader(io.StringIO(manager.get(f"parks/{PARK_B}/reports/{YEAR}", format="csv").get_data(as_text=True)))
    )
    for row in (r for r in rows if r["section"] == "park" and r["indicator"] in RATES):
        assert row["value"] == "" and row["complete"] == "no" and "no park baseline" in row["not_computed"]


# A decimal written in exponent form, as str(Decimal) writes 0E+1, 1.000E+4 or 5.5E-7.
EXPONENT = re.compile(r"\d(?:\.\d+)?E[+-]?\d")


def report_items(report: dict):
    """Every indicator and rate of a JSON report: the park's, per kind and per enterprise view."""
    yield from report["indicators"].items()
    yield from report["rates"].items()
    for items in report["by_kind"].values():
        yield from items.items()
    for views in report["by_enterprise"].values():
        for items in views.values():
            yield from items.items()


def test_a_park_with_a_baseline_and_no_exchanges_gets_its_report_with_zeros_and_unknowns_with_reasons(app):
    # The ledger has no entry at all: the parks are known from their events only.
    no_gdp = {**BASELINE_A, "gdp_10k_cny": 0.0, "solid_waste_generated_t": 0.0}
    feed(
        app,
        [
            park_created(PARK_A, "Park A", [BASELINE_A]),
            park_created(PARK_B, "Park B"),
            Event("ParkBaselineSet", PARK_B, {"park_id": PARK_B, **no_gdp}),
        ],
    )
    assert app.extensions["parkloop.ledger"].store.size() == 0

    response = as_(app, MANAGER_A).get(f"parks/{PARK_A}/reports/{YEAR}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert not EXPONENT.search(response.get_data(as_text=True))  # the utilisation rate was "0E+1"
    report = response.get_json()
    assert report["entries"]["included"] == 0 and report["by_kind"] == {} and report["by_enterprise"] == {}
    for name, item in report["indicators"].items():
        assert (item["value"], item["exact_value"], item["complete"], item["deliveries"]) == ("0", "0", True, 0), name
    rates = report["rates"]
    assert rates["solid_waste_utilisation_rate_pct"]["value"] == "0"  # 0 t of 8,000 t generated
    assert rates["energy_per_gdp_tce_per_10k_cny"]["value"] == "0.4"
    assert rates["water_per_gdp_m3_per_10k_cny"]["value"] == "20"
    assert "Energy saved: 0 tce (no contributing exchanges)" in report["summary"]["en"]

    # What cannot be computed from park B's baseline is unknown, with the reason, never zero.
    other = as_(app, MANAGER_B).get(f"parks/{PARK_B}/reports/{YEAR}")
    assert other.status_code == 200, other.get_data(as_text=True)
    rates = other.get_json()["rates"]
    for name, reason in [
        ("energy_per_gdp_tce_per_10k_cny", "baseline GDP is zero"),
        ("water_per_gdp_m3_per_10k_cny", "baseline GDP is zero"),
        ("solid_waste_utilisation_rate_pct", "no solid waste generated or drawn from storage"),
    ]:
        assert (rates[name]["value"], rates[name]["exact_value"], rates[name]["complete"]) == (None, None, False)
        assert rates[name]["unknown"].startswith(reason), name
    assert all(item["value"] == "0" for item in other.get_json()["indicators"].values())

    rows = list(
        csv.DictReader(
            io.StringIO(as_(app, ADMIN).get(f"parks/{PARK_A}/reports/{YEAR}", format="csv").get_data(as_text=True))
        )
    )
    park = {r["indicator"]: r for r in rows if r["section"] == "park"}
    assert park["water_saved_m3"]["value"] == park["water_saved_m3"]["exact_value"] == "0"
    assert park["solid_waste_utilisation_rate_pct"]["value"] == "0"
    # a park the ledger has not heard of (yet) is still not found
    assert as_(app, ADMIN).get(f"parks/park-c/reports/{YEAR}").status_code == 404


def test_an_event_the_ledger_cannot_compute_is_set_aside_and_the_parks_behind_it_still_get_their_report(app):
    # Contract-valid, but 1E+40 GJ cannot be computed to 34 digits. It used to fail the worker's whole
    # batch on every retry, so no park created after it ever reached the ledger: their reports were 404.
    huge = completed("heat", "1E+40", ("steam-co", PARK_A), ("dye-works", PARK_A))
    ctx = app.extensions["parkloop.ledger"]
    assert record_batch(ctx, [park_created(PARK_B, "Park B"), huge, park_created(PARK_A, "Park A", [BASELINE_A])]) == 0

    assert as_(app, MANAGER_A).get(f"parks/{PARK_A}/reports/{YEAR}").status_code == 200
    [item] = as_(app, ADMIN).get("ledger/rejected-events").get_json()["items"]
    assert item["event_id"] == huge.id and "deliveries[0]" in item["reason"]


def test_the_report_rounds_for_people_and_its_exact_values_reconcile_with_the_entries(ledger):
    manager = as_(ledger, MANAGER_A)
    report = manager.get(f"parks/{PARK_A}/reports/{YEAR}").get_json()
    for name, item in report_items(report):
        if item["exact_value"] is None:
            assert item["value"] is None, name
            continue
        value, exact = item["value"], item["exact_value"]
        assert not EXPONENT.search(value) and not EXPONENT.search(exact), (name, value, exact)
        places = value.partition(".")[2]
        assert len(places) <= 4 and not places.endswith("0"), (name, value)
        assert Decimal(value) == Decimal(exact).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN), name
    # (1,000 + 200) GJ of steam / 0.9 / 29,307: 45.4954 tce for people, every digit beside it
    energy = report["indicators"]["energy_saved_tce"]
    assert energy["value"] == "45.4954" and len(energy["exact_value"]) > 30
    # An auditor adds up the entries' own values, without rounding, and gets exactly the exact value.
    listed = manager.get("ledger/entries", page_size=100).get_json()["items"]
    in_report = [i["entry"] for i in listed if i["index"] in report["entries"]["indexes"]]
    for name in INDICATORS:
        values = [
            Decimal(ind["value"])
            for e in in_report
            for d in e["contribution"]["deliveries"]
            for ind in d["indicators"]
            if ind["name"] == name and ind["value"] is not None
        ]
        with localcontext(Context(prec=200, traps=[Inexact])):
            total = sum(values, Decimal(0))
        assert total == Decimal(report["indicators"][name]["exact_value"]), name


def test_a_new_entry_and_every_answer_about_it_write_decimals_in_plain_notation(app):
    # 9,000,000 GJ / 0.9 = 10,000,000,000 MJ: the entry's CO2 basis said "= 1.000E+4 TJ"
    event = completed("heat", "9000000", ("steam-co", PARK_A), ("dye-works", PARK_A))
    feed(app, [park_created(PARK_A, "Park A", [BASELINE_A]), event])
    admin = as_(app, ADMIN)
    leaf = admin.get("ledger/entries/0").get_data(as_text=True)
    assert not EXPONENT.search(leaf) and "= 10000 TJ; x 56.1 tCO2/TJ" in leaf
    for response in (
        admin.get("ledger/entries"),
        admin.get("ledger/entries.csv"),
        admin.get(f"parks/{PARK_A}/reports/{YEAR}"),
        admin.get(f"parks/{PARK_A}/reports/{YEAR}", format="csv"),
    ):
        assert response.status_code == 200
        assert not EXPONENT.search(response.get_data(as_text=True)), response.request.url
    co2 = admin.get(f"parks/{PARK_A}/reports/{YEAR}").get_json()["indicators"]["co2_reduced_t"]
    assert (co2["value"], co2["exact_value"]) == ("561000", "561000")


def test_the_year_filter_agrees_with_the_year_the_report_counts_an_entry_in(ledger):
    feed(
        ledger,
        [completed("water", "42", ("wwtp", PARK_A), ("refinery", PARK_A), completed_at=f"{YEAR}-12-31T20:00:00+00:00")],
    )
    admin = as_(ledger, ADMIN)
    assert admin.get(f"parks/{PARK_A}/reports/{YEAR + 1}").get_json()["entries"]["indexes"] == [5]
    assert indexes(admin.get("ledger/entries", year=YEAR + 1)) == [5]


# --- events set aside ------------------------------------------------------------------------


def test_an_admin_sees_each_event_the_ledger_set_aside_and_the_fields_at_fault(ledger):
    good = completed("water", "10", ("dye-works", PARK_A), ("cement", PARK_B))
    broken = Event(
        "ExchangeCompleted",
        "exchange-x",
        {
            **completed("water", "10", ("dye-works", PARK_A), ("cement", PARK_B)).payload,
            "deliveries": [{"amount": 10}],
            "hazardous": "no",
        },
    )
    feed(ledger, [broken, good])

    body = as_(ledger, ADMIN).get("ledger/rejected-events").get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["event_id"] == broken.id and item["type"] == "ExchangeCompleted"
    assert "hazardous" in item["reason"] and "deliveries.0.amount" in item["reason"]
    assert item["event"]["payload"]["deliveries"] == [{"amount": 10}]
    assert good.payload["exchange_id"] in [
        i["entry"]["exchange"]["exchange_id"]
        for i in as_(ledger, ADMIN).get("ledger/entries", page_size=100).get_json()["items"]
    ]


def test_only_an_admin_reads_the_events_set_aside(ledger):
    assert as_(ledger, MANAGER_A).get("ledger/rejected-events").status_code == 403
    assert as_(ledger, DYE_WORKS).get("ledger/rejected-events").status_code == 403
