"""The whole system on the real engines, started as a user does (`parkloop run`): PostgreSQL for
every database, Kafka as the bus, Elasticsearch for matching; and matching on OpenSearch.

The engines may be shared with earlier runs: each run here uses its own databases, its own
index alias (MATCHING_INDEX_ALIAS) and its own consumer groups (a new group replays the topics
from the start, which is why the ledger deadline leaves room for the backlog), and its listings
sit at a random place, far from anybody else's. Everything waits by polling against a deadline."""

from __future__ import annotations

import base64
import math
import random
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import requests
from real_engines import engine_address, fresh_postgres_database
from standardwebhooks import Webhook

from parkloop.harness.bodies import heat_want
from services.common.bus.kafka_bus import KafkaEventBus
from services.common.events import LISTINGS_TOPIC
from services.ledger.domain import merkle
from services.ledger.domain.canonical import is_canonical
from services.ledger.domain.checkpoint import open_checkpoint
from services.ledger.domain.entries import read_entry

from .conftest import (
    PARK,
    Receiver,
    Tenant,
    complete_steam_exchange,
    eventually,
    new_enterprise,
    start_system,
    steam_offer,
    stop_system,
)

CHINA = timezone(timedelta(hours=8))
MATCH_DEADLINE_S = 60
LEDGER_DEADLINE_S = 180  # a fresh ledger group first replays every ExchangeCompleted already on the broker


def somewhere() -> tuple[float, float]:
    """A random place in eastern China: listings of other runs on the same engines are far away."""
    rng = random.Random(uuid.uuid4().int)
    return round(rng.uniform(23.0, 40.0), 5), round(rng.uniform(104.0, 121.0), 5)


def east_of(lat: float, lon: float, km: float) -> tuple[float, float]:
    return lat, round(lon + km / (111.195 * math.cos(math.radians(lat))), 6)


def index_holds(search_url: str, alias: str, doc_id: str) -> bool:
    """Whether the engine itself has the document (asked over its REST API, not through ParkLoop)."""
    response = requests.get(f"{search_url.rstrip('/')}/{alias}/_doc/{doc_id}", timeout=10)
    return response.status_code == 200 and response.json().get("found") is True


def drop_alias(search_url: str, alias: str) -> None:
    """Delete the indices behind this run's alias, by name (engines refuse wildcard deletes)."""
    if search_url.startswith("opensearch+"):
        from services.matching.adapters.opensearch_search import OpenSearchSearch as Index
    else:
        from services.matching.adapters.elasticsearch_search import ElasticsearchSearch as Index
    Index(search_url.removeprefix("opensearch+"), alias).drop()


def run_ids(prefix: str) -> dict:
    run = uuid.uuid4().hex[:10]
    return {
        "alias": f"parkloop-e2e-{prefix}-{run}",
        "matching_group": f"matching-e2e-{run}",
        "ledger_group": f"ledger-e2e-{run}",
    }


@contextmanager
def real_deployment(data_dir, demo: bool = False):
    """`parkloop run` on PostgreSQL for the four databases, Kafka and Elasticsearch, with this run's
    own databases, alias and groups (dropped afterwards). Yields (system, kafka, elasticsearch, alias)."""
    kafka = engine_address("PARKLOOP_TEST_KAFKA_BOOTSTRAP", "Kafka")
    elasticsearch = engine_address("PARKLOOP_TEST_ELASTICSEARCH_URL", "Elasticsearch")
    ids = run_ids("es")
    with ExitStack() as stack:
        env = {
            f"{name}_DATABASE_URL": stack.enter_context(fresh_postgres_database())
            for name in ("GATEWAY", "LISTINGS", "MATCHING", "LEDGER")
        }
        env.update(
            EVENT_BUS=f"kafka://{kafka}",
            SEARCH_URL=elasticsearch,
            MATCHING_INDEX_ALIAS=ids["alias"],
            MATCHING_CONSUMER_GROUP=ids["matching_group"],
            LEDGER_CONSUMER_GROUP=ids["ledger_group"],
        )
        running = start_system(data_dir, demo=demo, extra_env=env)
        try:
            yield running, kafka, elasticsearch, ids["alias"]
        finally:
            stop_system(running.process)
            drop_alias(elasticsearch, ids["alias"])


@pytest.fixture(scope="module")
def real_system(tmp_path_factory):
    """PostgreSQL for the four databases, Kafka, Elasticsearch; this run's alias and groups."""
    with real_deployment(tmp_path_factory.mktemp("real")) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def opensearch_system(tmp_path_factory):
    """Matching on OpenSearch (the embedded database and bus: OpenSearch is what is tested here)."""
    opensearch = engine_address("PARKLOOP_TEST_OPENSEARCH_URL", "OpenSearch")
    ids = run_ids("os")
    env = {"SEARCH_URL": f"opensearch+{opensearch}", "MATCHING_INDEX_ALIAS": ids["alias"]}
    running = start_system(tmp_path_factory.mktemp("opensearch"), demo=False, extra_env=env)
    try:
        yield running, opensearch, ids["alias"]
    finally:
        stop_system(running.process)
        drop_alias(f"opensearch+{opensearch}", ids["alias"])


def test_an_offer_published_through_the_gateway_reaches_kafka_once(real_system):
    system, kafka, _, _ = real_system
    admin = system.client(system.admin_key)
    park = admin.post("parks", PARK).json()["id"]
    seller = new_enterprise(system, admin, park, "Real Engines Power")
    offer = seller.api.post("offers", steam_offer()).json()
    assert seller.api.get(f"offers/{offer['id']}").json()["status"] == "active"

    bus = KafkaEventBus(kafka)
    seen, deadline = [], time.monotonic() + 60
    with bus.consumer(f"e2e-{offer['id']}", [LISTINGS_TOPIC]) as consumer:
        while time.monotonic() < deadline and not seen:
            seen = [d.event for d in consumer.poll(500, 1.0) if d.event.key == offer["id"]]
        time.sleep(2)
        seen += [d.event for d in consumer.poll(500, 1.0) if d.event.key == offer["id"]]
    assert [e.type for e in seen] == ["OfferPublished"]
    assert seen[0].payload["heat"]["temperature_c"] == 250


def surplus_steam(lat: float, lon: float) -> dict:
    return {
        "kind": "heat",
        "title": "Surplus steam",
        "max_distance_km": 8,
        "location": {"lat": lat, "lon": lon},
        "heat": {
            "medium": "steam",
            "temperature_c": 180,
            "pressure_mpa": 0.8,
            "thermal_power_mw": 6,
            "hours_per_day": 24,
            "days_per_year": 330,
        },
    }


def ranked(tenant: Tenant, want_id: str, offer_id: str, search_url: str, alias: str) -> dict:
    """Wait until the offer is in the engine's index and ranked for the want; return its match."""
    eventually(
        lambda: index_holds(search_url, alias, offer_id),
        bool,
        f"offer {offer_id} in the index {alias}",
        timeout_s=MATCH_DEADLINE_S,
    )
    body = eventually(
        lambda: tenant.api.get(f"wants/{want_id}/matches").json(),
        lambda b: any(m["listing"]["id"] == offer_id for m in b.get("items", [])),
        f"offer {offer_id} among the matches of want {want_id}",
        timeout_s=MATCH_DEADLINE_S,
    )
    [match] = [m for m in body["items"] if m["listing"]["id"] == offer_id]
    assert body["items"][0] is match, "the only counterpart within reach ranks first"
    assert match["distance_km"] == pytest.approx(5.0, abs=0.05)
    assert set(match["components"]) == {"distance", "quantity", "temperature"}
    assert match["score"] == pytest.approx(sum(c["contribution"] for c in match["components"].values()), abs=1e-5)
    assert 0 < match["score"] <= 1
    return match


def test_match_alert_exchange_and_ledger_proof_on_postgresql_kafka_and_elasticsearch(real_system):
    system, _, elasticsearch, alias = real_system
    admin = system.client(system.admin_key)
    year = datetime.now(CHINA).year
    park = admin.post(
        "parks",
        {
            **PARK,
            "name": f"Real Engines Park {uuid.uuid4().hex[:6]}",
            "baselines": [
                {
                    "year": year,
                    "gdp_10k_cny": 50000,
                    "energy_tce": 20000,
                    "water_m3": 1000000,
                    "solid_waste_generated_t": 8000,
                }
            ],
        },
    ).json()["id"]
    key = admin.post("keys", {"role": "park_manager", "label": "real engines manager", "park_id": park}).json()["key"]
    manager = Tenant(key, system.client(key))
    steam_co = new_enterprise(system, admin, park, "Real Engines Steam Co")
    dye_works = new_enterprise(system, admin, park, "Real Engines Dye Works")
    receiver = Receiver()
    try:
        # The buyer wants heat and subscribes; then steam is offered 5 km east.
        lat, lon = somewhere()
        want = dye_works.api.post("wants", heat_want(location={"lat": lat, "lon": lon}))
        assert want.status_code == 201, want.text
        want = want.json()
        subscription = dye_works.api.post("webhooks", {"url": receiver.url, "min_score": 0.2})
        assert subscription.status_code == 201, subscription.text
        subscription = subscription.json()
        offer = steam_co.api.post("offers", surplus_steam(*east_of(lat, lon, 5.0)))
        assert offer.status_code == 201, offer.text
        offer = offer.json()

        # Kafka → matching worker → PostgreSQL and Elasticsearch → ranked through the gateway.
        match = ranked(dye_works, want["id"], offer["id"], elasticsearch, alias)

        # The alert arrives signed; the subscriber verifies it with the standard library.
        [(headers, body)] = eventually(lambda: list(receiver.received), bool, "the webhook", timeout_s=MATCH_DEADLINE_S)
        event = Webhook(subscription["secret"]).verify(body, headers)  # raises unless signed with our secret
        assert event["type"] == "match.found"
        assert event["data"]["listing_id"] == want["id"] and event["data"]["match"]["id"] == offer["id"]
        assert event["data"]["score"] == pytest.approx(match["score"], abs=1e-4)
        deliveries = eventually(
            lambda: dye_works.api.get(f"webhooks/{subscription['id']}/deliveries").json(),
            lambda b: b.get("items") and b["items"][0]["status"] == "delivered",
            "the delivery to be logged as delivered",
            timeout_s=MATCH_DEADLINE_S,
        )
        assert deliveries["items"][0]["attempt_log"][0]["status_code"] == 204
    finally:
        receiver.close()

    # The two parties agree, deliver and complete the exchange on the matched listings.
    exchange_id = complete_steam_exchange(steam_co, dye_works, "1000.000001", offer_id=offer["id"], want_id=want["id"])

    # Outbox → Kafka → ledger worker → PostgreSQL: the entry appears, for this park's manager.
    def entry_of_exchange():
        items = manager.api.get("ledger/entries", params={"page_size": 100}).json().get("items", [])
        return next((i for i in items if i["entry"]["exchange"]["exchange_id"] == exchange_id), None)

    item = eventually(
        entry_of_exchange,
        lambda found: found is not None,
        f"the ledger entry of exchange {exchange_id}",
        timeout_s=LEDGER_DEADLINE_S,
    )
    index, entry = item["index"], item["entry"]
    assert entry["type"] == "ExchangeCompleted" and entry["exchange"]["want_id"] == want["id"]
    assert entry["exchange"]["agreed_amount"] == "1000.000001"
    assert [d["amount"] for d in entry["exchange"]["deliveries"]] == ["1000.000001"]

    # Its inclusion proof verifies against the signed checkpoint with the published key.
    checkpoint = manager.api.get("ledger/checkpoint")
    public_key = manager.api.get("ledger/public-key")
    assert checkpoint.status_code == 200 and public_key.status_code == 200
    cp = open_checkpoint(checkpoint.text, public_key.text.strip())
    assert cp.size > index
    leaf = manager.api.get(f"ledger/entries/{index}").content
    assert is_canonical(leaf) and read_entry(leaf)["exchange"]["exchange_id"] == exchange_id
    proof = manager.api.get(f"ledger/entries/{index}/proof", params={"tree_size": cp.size}).json()
    assert proof["tree_size"] == cp.size
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(leaf), hashes, cp.root)
    assert not merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(leaf + b" "), hashes, cp.root)

    # And the park's report for the year counts it.
    report = eventually(
        lambda: manager.api.get(f"parks/{park}/reports/{year}").json(),
        lambda b: b.get("entries", {}).get("indexes") == [index],
        "the park report to count the entry",
        timeout_s=MATCH_DEADLINE_S,
    )
    assert report["indicators"]["energy_saved_tce"]["value"] is not None


def test_matching_ranks_on_opensearch(opensearch_system):
    system, opensearch, alias = opensearch_system
    admin = system.client(system.admin_key)
    park = admin.post("parks", {**PARK, "name": "OpenSearch Park"}).json()["id"]
    steam_co = new_enterprise(system, admin, park, "OpenSearch Steam Co")
    dye_works = new_enterprise(system, admin, park, "OpenSearch Dye Works")
    lat, lon = somewhere()
    want = dye_works.api.post("wants", heat_want(location={"lat": lat, "lon": lon})).json()
    offer = steam_co.api.post("offers", surplus_steam(*east_of(lat, lon, 5.0))).json()
    ranked(dye_works, want["id"], offer["id"], opensearch, alias)
    # and the other way round: the want among the offer's matches
    body = eventually(
        lambda: steam_co.api.get(f"offers/{offer['id']}/matches").json(),
        lambda b: b.get("items"),
        "the want among the offer's matches",
        timeout_s=MATCH_DEADLINE_S,
    )
    assert [m["listing"]["id"] for m in body["items"]] == [want["id"]]
