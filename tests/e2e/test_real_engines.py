"""The whole system on the real engines: PostgreSQL for every database, Kafka as the bus.
(Matching and the ledger join this flow when they exist.)"""
from __future__ import annotations

import time
from contextlib import ExitStack

import pytest
from real_engines import engine_address, fresh_postgres_database

from services.common.bus.kafka_bus import KafkaEventBus
from services.common.events import LISTINGS_TOPIC

from .conftest import new_enterprise, start_system, steam_offer, stop_system, PARK


@pytest.fixture(scope="module")
def real_system(tmp_path_factory):
    kafka = engine_address("PARKLOOP_TEST_KAFKA_BOOTSTRAP", "Kafka")
    with ExitStack() as stack:
        env = {f"{name}_DATABASE_URL": stack.enter_context(fresh_postgres_database())
               for name in ("GATEWAY", "LISTINGS", "MATCHING", "LEDGER")}
        env["EVENT_BUS"] = f"kafka://{kafka}"
        running = start_system(tmp_path_factory.mktemp("real"), demo=False, extra_env=env)
        try:
            yield running, kafka
        finally:
            stop_system(running.process)


def test_an_offer_published_through_the_gateway_reaches_kafka_once(real_system):
    system, kafka = real_system
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
