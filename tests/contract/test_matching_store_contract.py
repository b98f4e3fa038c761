"""The matching service's stores behave the same on SQLite and on PostgreSQL.

One body per test, run on each database adapter (`sqlite`, `postgres`) after the service's own
migrations: the projection of listing and enterprise events into `MatchingStore` (publish,
update, pause/withdraw, licences, redeliveries), the embedded matcher's ranking over that
store (held to the domain's definition computed in Python, so both databases give the same
ranking), and `WebhookStore` (encrypted subscriptions, alerts once, claims once, attempts, the
delivery log, redelivery)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from helpers.matching import WASTE_OIL_LICENCE, fly_ash_offer, published, registered, waste_oil_want
from helpers.matching import factories as f

from parkloop.synthetic import TODAY as SYNTHETIC_TODAY
from parkloop.synthetic import generate, sample_cases
from services.common.db import create_engine, migrate
from services.common.events import Event
from services.common.geo import Location, distance_km
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side
from services.matching.adapters.embedded_search import EmbeddedSearch
from services.matching.adapters.secret_box import SecretBox
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.tables import match_alerts, processed_events, webhook_deliveries, webhook_subscriptions
from services.matching.adapters.webhook_sender import Attempt
from services.matching.adapters.webhook_store import CLAIM_FOR, Alert, WebhookStore
from services.matching.bootstrap import MIGRATIONS
from services.matching.domain.criteria import criteria_for
from services.matching.domain.documents import ListingDoc
from services.matching.domain.scoring import components_for, score
from services.matching.domain.webhooks.signing import new_secret
from services.matching.domain.webhooks.subscriptions import SigningSecret, Subscription
from services.matching.service_layer.projection import apply_event, apply_events

DELTA_T = 10.0


@pytest.fixture
def engine(database_url):
    migrate(database_url, MIGRATIONS)
    made = create_engine(database_url)
    yield made
    made.dispose()


@pytest.fixture
def store(engine):
    return MatchingStore(engine)


def processed_count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(processed_events))


# --- the projection: listing events -----------------------------------------------------------


def test_published_listings_read_back_as_the_documents_their_events_describe(store):
    offer, want = fly_ash_offer(), f.make_listing("want", "heat", owner="dye", listing_id="want-dye-heat")
    for listing in (offer, want):
        [doc] = apply_event(store, published(listing))
        assert doc == ListingDoc.from_listing(listing.to_dict())
        assert store.get(listing.id) == doc
    stored = store.get(offer.id)
    assert (stored.lat, stored.lon, stored.quantity) == (offer.terms.location.lat, offer.terms.location.lon, 18000.0)
    assert [d.id for d in store.all_docs(batch=1)] == sorted([offer.id, want.id])
    assert store.listing_ids_of(f.enterprise_id("power")) == {offer.id}
    assert store.park_of(f.enterprise_id("power")) == f.PARK and store.park_of("nobody") is None
    assert store.get("no-such-listing") is None


class RecordingIndex(EmbeddedSearch):
    """The embedded index, remembering each write the projection makes to it."""

    def __init__(self, engine):
        super().__init__(engine)
        self.written: list[list[ListingDoc]] = []

    def upsert(self, docs):
        self.written.append(list(docs))


def test_a_batch_applies_each_event_once_even_delivered_twice_and_indexes_each_listing_as_it_ends(store, engine):
    offer = fly_ash_offer()
    first = published(offer)
    offer.pause()
    paused = offer.events[-1]
    index = RecordingIndex(engine)
    changed = apply_events(store, index, [first, first, paused, paused])
    assert [(d.id, d.status, d.revision) for d in changed] == [(offer.id, "paused", 2)]
    assert index.written == [changed] and store.get(offer.id).revision == 2
    assert processed_count(engine) == 2
    assert apply_events(store, index, [first, paused]) == changed  # redelivered: nothing changes
    assert store.get(offer.id).revision == 2 and processed_count(engine) == 2


def test_an_update_replaces_the_document_and_pause_resume_withdraw_change_its_status(store):
    listing = fly_ash_offer()
    apply_event(store, published(listing))
    listing.edit(
        replace(listing.terms, max_distance_km=300, title="Fly ash, class II"),
        spec_from_dict(Kind.MATERIAL, Side.OFFER, f.spec_material_offer(f.FLY_ASH, 2000), f.CATALOGUE),
    )
    [doc] = apply_event(store, listing.events[-1])
    assert listing.events[-1].type == "OfferUpdated"
    assert store.get(listing.id) == doc
    assert (doc.max_distance_km, doc.title, doc.quantity) == (300, "Fly ash, class II", 24000.0)
    seen = []
    for action in ("pause", "resume", "withdraw"):
        getattr(listing, action)()
        [doc] = apply_event(store, listing.events[-1])
        seen.append((listing.events[-1].type, doc.status, store.get(listing.id).status))
    assert seen == [
        ("OfferPaused", "paused", "paused"),
        ("OfferResumed", "active", "active"),
        ("OfferWithdrawn", "withdrawn", "withdrawn"),
    ]
    assert [d.id for d in store.all_docs()] == [listing.id]
    # five changes, five revisions: the search engines keep the highest one they are sent
    assert store.get(listing.id).revision == [d.revision for d in store.all_docs()][0] == 5


# --- the projection: licences -----------------------------------------------------------------


def test_licences_reach_the_enterprises_documents_whichever_event_comes_first(store):
    recycler = f.register_enterprise("hw_recycler")
    apply_event(store, registered(recycler))
    want, other = waste_oil_want(), fly_ash_offer()
    [doc] = apply_event(store, published(want))
    apply_event(store, published(other))
    assert doc.licences == () and store.get(want.id).licences == ()

    recycler.update(f.CATALOGUE, licences=[f.hw_licence(f.WASTE_MINERAL_OIL)])
    changed = apply_event(store, recycler.events[-1])
    assert [(d.id, d.licences) for d in changed] == [(want.id, (WASTE_OIL_LICENCE,))]
    assert store.get(want.id).licences == (WASTE_OIL_LICENCE,)  # ListingDoc equality ignores licences: compare them
    assert store.get(other.id).licences == ()

    want.pause()  # a listing event keeps the licences its enterprise holds
    [paused] = apply_event(store, want.events[-1])
    assert paused.status == "paused" and paused.licences == (WASTE_OIL_LICENCE,)

    recycler.update(f.CATALOGUE, licences=[])
    [doc] = apply_event(store, recycler.events[-1])
    assert doc.licences == () and store.get(want.id).licences == ()


def test_an_enterprise_registered_after_its_listings_arrived_still_licenses_them(store):
    want = waste_oil_want()
    apply_event(store, published(want))
    [doc] = apply_event(store, registered(f.register_enterprise("hw_recycler", [f.hw_licence(f.WASTE_MINERAL_OIL)])))
    assert doc.id == want.id and store.get(want.id).licences == (WASTE_OIL_LICENCE,)
    later = f.make_listing(
        "want",
        "material",
        f.spec_material_want([f.WASTE_MINERAL_OIL], 50),
        owner="hw_recycler",
        listing_id="want-hw-recycler-oil-2",
    )
    [doc] = apply_event(store, published(later))
    assert doc.licences == (WASTE_OIL_LICENCE,)


# --- the projection: redeliveries ---------------------------------------------------------------


def test_redelivered_events_change_nothing_and_return_the_current_documents(store, engine):
    recycler = f.register_enterprise("hw_recycler")
    apply_event(store, registered(recycler))
    listing = waste_oil_want()
    first = published(listing)
    assert apply_event(store, first) == apply_event(store, first)
    listing.pause()
    apply_event(store, listing.events[-1])
    recycler.update(f.CATALOGUE, licences=[f.hw_licence(f.WASTE_MINERAL_OIL)])
    granted = recycler.events[-1]
    apply_event(store, granted)
    recycler.update(f.CATALOGUE, licences=[])
    apply_event(store, recycler.events[-1])
    applied = processed_count(engine)

    again = apply_event(store, first)  # after the pause: does not resurrect the active document
    assert [d.status for d in again] == ["paused"] and store.get(listing.id).status == "paused"
    again = apply_event(store, granted)  # after the withdrawal: does not bring the licence back
    assert [(d.id, d.licences) for d in again] == [(listing.id, ())]
    assert store.get(listing.id).licences == ()
    assert processed_count(engine) == applied == 5
    assert [d.id for d in store.all_docs()] == [listing.id]
    assert [d.revision for d in again] == [store.get(listing.id).revision], "a redelivery makes no new revision"


def test_events_matching_does_not_know_are_recorded_and_ignored(store, engine):
    listing = fly_ash_offer()
    apply_event(store, published(listing))
    payload = {**listing.to_dict(), "status": "withdrawn"}
    assert apply_event(store, Event("ExchangeCompleted", listing.id, payload)) == []
    assert store.get(listing.id).status == "active" and processed_count(engine) == 2


# --- the embedded matcher over the store ------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset():
    return generate(1500)


def definition(docs: list[ListingDoc], case, limit: int) -> list[tuple[str, float, float]]:
    """The ranking by definition: every document through `Criteria.accepts` and the score plan."""
    criteria = criteria_for(case.source, case.filters, SYNTHETIC_TODAY, DELTA_T)
    components = components_for(case.source, DELTA_T)
    origin = Location(*criteria.origin)
    hits = []
    for doc in docs:
        km = distance_km(origin, Location(doc.lat, doc.lon))
        if criteria.accepts(doc, km):
            total = score(components, doc, km).total
            if total >= case.filters.min_score:
                hits.append((doc.id, total, km))
    hits.sort(key=lambda h: (-h[1], h[0]))
    return hits[:limit]


def test_the_embedded_matcher_ranks_exactly_by_the_definition_on_this_database(store, engine, dataset):
    with store.transaction() as tx:  # the consumer's own write path, in one transaction
        for doc in dataset.docs:
            tx.upsert_doc(doc)
    stored = {d.id: d for d in store.all_docs()}
    assert len(stored) == len(dataset.docs)
    for doc in dataset.docs[:200]:  # floats, dates and licences survive the JSON column exactly
        assert stored[doc.id] == doc and stored[doc.id].licences == doc.licences
    search = EmbeddedSearch(engine)
    cases = sample_cases(dataset, per_group=6)
    nonempty = 0
    for case in cases:
        criteria = criteria_for(case.source, case.filters, SYNTHETIC_TODAY, DELTA_T)
        hits = search.search(criteria, components_for(case.source, DELTA_T), case.filters.min_score, 0, 20)
        got = [(h.doc.id, h.score.total, h.distance_km) for h in hits]
        assert got == definition(dataset.docs, case, 20), case.label
        nonempty += bool(got)
        page = search.search(criteria, components_for(case.source, DELTA_T), case.filters.min_score, 5, 5)
        assert [h.doc.id for h in page] == [g[0] for g in got[5:10]], case.label
    assert nonempty >= len(cases) // 2  # the comparison is not vacuous


def test_documents_stored_before_the_search_columns_are_found_after_the_upgrade(database_url, dataset):
    """Migration 0005 fills the embedded matcher's columns and codes from the stored documents."""
    from alembic import command
    from alembic.config import Config

    from services.matching.domain.documents import doc_to_dict

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "0004")
    engine = create_engine(database_url)
    old_columns = ("side", "kind", "status", "enterprise_id", "lat", "lon")
    docs = sa.table(
        "listing_docs", *(sa.column(c) for c in ("id", "revision", *old_columns)), sa.column("doc", sa.JSON)
    )
    with engine.begin() as conn:  # what the store wrote before 0005
        conn.execute(
            docs.insert(),
            [
                {"id": d.id, "revision": 1, "doc": doc_to_dict(d), **{c: getattr(d, c) for c in old_columns}}
                for d in dataset.docs
            ],
        )
    try:
        command.upgrade(config, "head")
        search = EmbeddedSearch(engine)
        cases = [c for c in sample_cases(dataset, per_group=3) if c.source.kind == "material"]
        found = 0
        for case in cases:
            criteria = criteria_for(case.source, case.filters, SYNTHETIC_TODAY, DELTA_T)
            hits = search.search(criteria, components_for(case.source, DELTA_T), case.filters.min_score, 0, 20)
            assert [(h.doc.id, h.score.total, h.distance_km) for h in hits] == definition(dataset.docs, case, 20)
            found += len(hits)
        assert found > 20
    finally:
        engine.dispose()


# --- webhooks: subscriptions --------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def subscription(enterprise: str = "ent-dye", park: str = "park-haibin", **overrides) -> Subscription:
    fields = dict(
        id=f"sub-{enterprise}-{overrides.pop('n', 1)}",
        enterprise_id=enterprise,
        park_id=park,
        url="https://hooks.example.com/parkloop",
        secrets=[SigningSecret(new_secret())],
        min_score=0.3,
        listing_ids=None,
        created_at=NOW,
    )
    return Subscription(**{**fields, **overrides})


@pytest.fixture
def box():
    return SecretBox(Fernet.generate_key().decode())


@pytest.fixture
def webhooks(engine, box):
    return WebhookStore(engine, box)


def raw_secrets(engine, subscription_id: str) -> str:
    with engine.connect() as conn:
        return conn.scalar(
            sa.select(webhook_subscriptions.c.secrets).where(webhook_subscriptions.c.id == subscription_id)
        )


def test_a_subscription_reads_back_equal_and_its_secrets_are_encrypted_at_rest(webhooks, engine, box):
    s = subscription(listing_ids=["want-1", "want-2"], min_score=0.45)
    webhooks.add(s)
    assert webhooks.get(s.id) == s
    assert webhooks.get("no-such-subscription") is None
    raw = raw_secrets(engine, s.id)
    assert s.secrets[0].secret not in raw and s.secrets[0].secret.removeprefix("whsec_") not in raw
    assert box.open(raw)[0]["secret"] == s.secrets[0].secret
    with pytest.raises(InvalidToken):  # another key cannot read them
        SecretBox(Fernet.generate_key().decode()).open(raw)


def test_subscriptions_are_listed_by_enterprise_and_park_oldest_first(webhooks):
    made = [
        subscription("ent-a", "park-1", n=1, created_at=NOW + timedelta(minutes=2)),
        subscription("ent-a", "park-1", n=2, created_at=NOW),
        subscription("ent-b", "park-1", n=1, created_at=NOW + timedelta(minutes=1)),
        subscription("ent-c", "park-2", n=1, created_at=NOW + timedelta(minutes=3)),
    ]
    for s in made:
        webhooks.add(s)
    assert [s.id for s in webhooks.list()] == ["sub-ent-a-2", "sub-ent-b-1", "sub-ent-a-1", "sub-ent-c-1"]
    assert [s.id for s in webhooks.list(enterprise_id="ent-a")] == ["sub-ent-a-2", "sub-ent-a-1"]
    assert [s.id for s in webhooks.list(park_id="park-1")] == ["sub-ent-a-2", "sub-ent-b-1", "sub-ent-a-1"]
    assert webhooks.list(enterprise_id="ent-z") == []
    webhooks.delete("sub-ent-b-1")
    assert webhooks.get("sub-ent-b-1") is None and len(webhooks.list()) == 3


def test_a_rotated_secret_and_a_disabled_subscription_are_saved(webhooks, engine):
    s = subscription()
    webhooks.add(s)
    old = s.secrets[0].secret
    fresh = s.rotate(NOW)
    webhooks.save(s)
    stored = webhooks.get(s.id)
    assert stored.signing_secrets(NOW) == [fresh, old]
    assert stored.secrets[1].expires_at == NOW + timedelta(hours=24)
    assert stored.signing_secrets(NOW + timedelta(hours=25)) == [fresh]
    assert old not in raw_secrets(engine, s.id) and fresh not in raw_secrets(engine, s.id)
    stored.disable("the endpoint answered 410 Gone")
    webhooks.save(stored)
    assert webhooks.get(s.id) == stored and not webhooks.get(s.id).active
    assert webhooks.get(s.id).disabled_reason == "the endpoint answered 410 Gone"


# --- webhooks: alerts, claims, attempts, the log, redelivery ------------------------------------

PAYLOAD = {
    "listing_id": "want-1",
    "listing_side": "want",
    "score": 0.812345,
    "distance_km": 5.002,
    "match": {
        "id": "offer-9",
        "side": "offer",
        "kind": "heat",
        "title": "余热蒸汽",
        "enterprise_id": "ent-steam",
        "park_id": "park-haibin",
        "codes": [],
    },
    "components": {"distance": 0.9, "quantity": 0.5, "temperature": 0.75},
}


def test_a_match_is_alerted_once(webhooks, engine):
    s = subscription()
    webhooks.add(s)
    assert webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW) is True
    assert webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW + timedelta(minutes=5)) is False
    assert webhooks.alert_once(s.id, "want-1", "offer-10", PAYLOAD, NOW) is True  # another match
    assert webhooks.alert_once(s.id, "want-2", "offer-9", PAYLOAD, NOW) is True  # another of its listings
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(match_alerts)) == 3
    items, total = webhooks.deliveries(s.id, 0, 10)
    assert total == 3 and {i["status"] for i in items} == {"pending"} and items[0]["payload"] == PAYLOAD


def test_a_batch_of_alerts_queues_each_new_match_once(webhooks):
    s = subscription()
    webhooks.add(s)
    webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW)
    batch = [
        Alert(s.id, "want-1", "offer-9", PAYLOAD),  # alerted before
        Alert(s.id, "want-1", "offer-10", {**PAYLOAD, "n": 1}),
        Alert(s.id, "want-1", "offer-10", {**PAYLOAD, "n": 2}),  # found again from the other listing
        Alert(s.id, "want-2", "offer-9", PAYLOAD),
    ]
    assert webhooks.alert_all(batch, NOW + timedelta(minutes=1)) == 2
    assert webhooks.alert_all(batch, NOW + timedelta(minutes=2)) == 0
    assert webhooks.alert_all([], NOW) == 0
    items, total = webhooks.deliveries(s.id, 0, 10)
    assert total == 3
    assert sorted(i["payload"].get("n", 0) for i in items) == [0, 0, 1]  # the first finding is the one sent


def test_a_batch_of_alerts_racing_another_worker_still_queues_each_match_once(webhooks, engine):
    s = subscription()
    webhooks.add(s)
    results, errors = race_held_at(
        engine,
        "match_alerts",
        "INSERT",
        lambda: webhooks.alert_all([Alert(s.id, "want-1", f"offer-{n}", PAYLOAD) for n in (1, 2)], NOW),
        lambda: webhooks.alert_all([Alert(s.id, "want-1", f"offer-{n}", PAYLOAD) for n in (2, 3)], NOW),
    )
    assert errors == [] and sum(results) == 3
    assert webhooks.deliveries(s.id, 0, 10)[1] == 3


def test_a_claim_takes_the_due_deliveries_earliest_first_up_to_its_limit(webhooks):
    s = subscription()
    webhooks.add(s)
    for n in (3, 1, 2, 4):
        webhooks.alert_once(s.id, "want-1", f"offer-{n}", {**PAYLOAD, "n": n}, NOW + timedelta(seconds=n))
    first = webhooks.claim_due(NOW + timedelta(seconds=3), limit=2)
    assert [d.payload["n"] for d in first] == [1, 2]
    assert [d.payload["n"] for d in webhooks.claim_due(NOW + timedelta(seconds=5))] == [3, 4]


def test_the_queue_counts_pending_deliveries_and_dates_the_most_overdue(webhooks):
    s = subscription()
    webhooks.add(s)
    assert webhooks.queue(NOW) == (0, None)
    webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW)
    webhooks.alert_once(s.id, "want-1", "offer-10", PAYLOAD, NOW + timedelta(minutes=5))
    assert webhooks.queue(NOW + timedelta(minutes=1)) == (2, NOW)  # the second is not due yet
    assert webhooks.queue(NOW - timedelta(minutes=1)) == (2, None)


def test_the_next_due_moment_is_the_earliest_retry_or_the_end_of_another_dispatchers_claim(webhooks):
    s = subscription()
    webhooks.add(s)
    assert webhooks.next_due() is None
    webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW + timedelta(minutes=5))
    webhooks.alert_once(s.id, "want-1", "offer-10", PAYLOAD, NOW + timedelta(minutes=9))
    assert webhooks.next_due() == NOW + timedelta(minutes=5)
    assert len(webhooks.claim_due(NOW + timedelta(minutes=5))) == 1  # held by its dispatcher for a while
    assert webhooks.next_due() == NOW + timedelta(minutes=5) + CLAIM_FOR  # before the second's retry
    assert CLAIM_FOR < timedelta(minutes=4)


def _pause_before(engine, table: str, verb: str, parties: int = 2, wait_s: float = 1.5):
    """Hold each thread's first `verb` on `table` until `parties` threads got there (or wait_s
    passed): a deterministic race between a read and the write that depends on it."""
    barrier = threading.Barrier(parties)
    local = threading.local()

    def hold(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(verb) and f" {table}" in statement and not getattr(local, "held", 0):
            local.held = 1
            try:
                barrier.wait(wait_s)
            except threading.BrokenBarrierError:  # the database serialised us already (SQLite)
                pass

    sa.event.listen(engine, "before_cursor_execute", hold)
    return lambda: sa.event.remove(engine, "before_cursor_execute", hold)


def race_held_at(engine, table: str, verb: str, *calls):
    """`race(*calls)` with each call's first `verb` on `table` held until all of them got there."""
    release = _pause_before(engine, table, verb, parties=len(calls))
    try:
        return race(*calls)
    finally:
        release()


def race(*calls):
    results, errors = [None] * len(calls), []

    def run(i, call):
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_two_workers_alerting_the_same_match_at_once_alert_it_once_without_an_error(webhooks, engine):
    s = subscription()
    webhooks.add(s)
    results, errors = race_held_at(
        engine,
        "match_alerts",
        "INSERT",
        lambda: webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW),
        lambda: webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW),
    )
    assert errors == [] and sorted(results) == [False, True]
    assert webhooks.deliveries(s.id, 0, 10)[1] == 1


def test_a_due_delivery_is_claimed_once_even_by_two_dispatchers_at_once(webhooks, engine):
    s = subscription()
    webhooks.add(s)
    webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW)
    webhooks.alert_once(s.id, "want-1", "offer-10", PAYLOAD, NOW + timedelta(minutes=10))  # not due yet
    results, errors = race_held_at(
        engine,
        "webhook_deliveries",
        "UPDATE",
        lambda: webhooks.claim_due(NOW + timedelta(seconds=1)),
        lambda: webhooks.claim_due(NOW + timedelta(seconds=1)),
    )
    assert errors == []
    claimed = [d for batch in results for d in batch]
    assert len(claimed) == 1 and claimed[0].payload == PAYLOAD and claimed[0].attempts == 0
    assert claimed[0].occurred_at == NOW and claimed[0].event_type == "match.found"
    assert webhooks.claim_due(NOW + timedelta(seconds=2)) == []  # still claimed
    # a dispatcher that died mid-send: its claim lapses and another takes the delivery
    assert [d.id for d in webhooks.claim_due(NOW + timedelta(minutes=3))] == [claimed[0].id]
    later = webhooks.claim_due(NOW + timedelta(minutes=20))  # the later one, due; and the lapsed claim again
    assert len(later) == 2 and claimed[0].id in [d.id for d in later]


def test_attempts_are_logged_retries_rescheduled_and_a_failed_delivery_can_be_redelivered(webhooks):
    s = subscription()
    webhooks.add(s)
    webhooks.alert_once(s.id, "want-1", "offer-9", PAYLOAD, NOW)
    [due] = webhooks.claim_due(NOW)
    retry_at = NOW + timedelta(seconds=5)
    webhooks.record_attempt(due.id, Attempt(500, 120, None, "120", "try later"), NOW, "pending", retry_at)
    assert webhooks.claim_due(NOW + timedelta(seconds=4)) == []  # not due again yet, and no longer claimed
    [again] = webhooks.claim_due(retry_at)
    assert again.id == due.id and again.attempts == 1
    webhooks.record_attempt(due.id, Attempt(None, 10_000, "timeout: " + "x" * 900, None, ""), retry_at, "failed", None)
    [item], total = webhooks.deliveries(s.id, 0, 10)
    assert total == 1 and (item["status"], item["attempts"], item["next_attempt_at"]) == ("failed", 2, None)
    assert [(a["status_code"], a["latency_ms"]) for a in item["attempt_log"]] == [(500, 120), (None, 10_000)]
    assert item["attempt_log"][0]["attempted_at"] == NOW and len(item["attempt_log"][1]["error"]) == 500
    assert webhooks.claim_due(NOW + timedelta(days=1)) == []  # failed: never retried on its own

    assert webhooks.redeliver("another-subscription", due.id, NOW) is False
    assert webhooks.redeliver(s.id, "msg_unknown", NOW) is False
    later = NOW + timedelta(hours=1)
    assert webhooks.redeliver(s.id, due.id, later) is True
    [redelivered] = webhooks.claim_due(later)
    assert redelivered.id == due.id and redelivered.attempts == 2
    webhooks.record_attempt(due.id, Attempt(204, 35, None, None, ""), later, "delivered", None)
    [item], _ = webhooks.deliveries(s.id, 0, 10)
    assert (item["status"], item["attempts"], len(item["attempt_log"])) == ("delivered", 3, 3)


def test_the_delivery_log_pages_newest_first_and_give_up_fails_a_delivery(webhooks, engine):
    s = subscription()
    webhooks.add(s)
    for n in range(5):
        webhooks.alert_once(s.id, "want-1", f"offer-{n}", {**PAYLOAD, "n": n}, NOW + timedelta(minutes=n))
    items, total = webhooks.deliveries(s.id, 1, 2)
    assert total == 5 and [i["payload"]["n"] for i in items] == [3, 2]
    assert items[0]["occurred_at"] == NOW + timedelta(minutes=3)
    assert webhooks.deliveries("another-subscription", 0, 10) == ([], 0)
    oldest = webhooks.deliveries(s.id, 4, 1)[0][0]["id"]
    webhooks.give_up(oldest)
    with engine.connect() as conn:
        status = conn.scalar(sa.select(webhook_deliveries.c.status).where(webhook_deliveries.c.id == oldest))
    assert status == "failed"
    assert oldest not in [d.id for d in webhooks.claim_due(NOW + timedelta(hours=1))]
