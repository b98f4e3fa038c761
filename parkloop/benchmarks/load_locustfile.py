"""The locust scenario of `parkloop bench load`: mixed traffic through the gateway, as a park sees it.

Reads (a listing, a want's matches, a page of the ledger) outnumber writes (a new offer, which the
matching worker indexes and alerts on; an exchange carried from proposal to completion, which the
ledger records). Every user paces itself at PER_USER_TASKS_S tasks a second, so the offered rate grows
with the number of users. The setup (keys and ids) comes from the JSON file in PARKLOOP_LOAD_SETUP.
"""

from __future__ import annotations

import json
import os

from locust import HttpUser, constant_throughput, task

from parkloop.harness import flows
from parkloop.harness.bodies import steam_offer

SETUP = json.loads(open(os.environ["PARKLOOP_LOAD_SETUP"]).read())
PER_USER_TASKS_S = 2.0


def bearer(role: str) -> dict:
    return {"Authorization": f"Bearer {SETUP['keys'][role]}"}


class ParkTraffic(HttpUser):
    wait_time = constant_throughput(PER_USER_TASKS_S)

    @task(4)
    def read_a_listing(self):
        self.client.get(f"/api/v1/offers/{SETUP['offer_id']}", headers=bearer("receiver"), name="GET offers/{id}")

    @task(3)
    def read_matches(self):
        self.client.get(
            f"/api/v1/wants/{SETUP['want_id']}/matches", headers=bearer("receiver"), name="GET wants/{id}/matches"
        )

    @task(2)
    def read_the_ledger(self):
        self.client.get("/api/v1/ledger/entries?page_size=20", headers=bearer("admin"), name="GET ledger/entries")

    @task(1)
    def publish_an_offer(self):
        self.client.post(
            "/api/v1/offers", json=steam_offer(title="Load-test steam"), headers=bearer("supplier"), name="POST offers"
        )

    @task(1)
    def complete_an_exchange(self):
        def post(party: str, path: str, body: dict, name: str):
            return self.client.post(f"/api/v1/{path}", json=body, headers=bearer(party), name=f"POST {name}")

        proposal = {"offer_id": SETUP["offer_id"], "receiver_enterprise_id": SETUP["receiver_id"]}
        flows.complete_steam_exchange(post, proposal, "12")
