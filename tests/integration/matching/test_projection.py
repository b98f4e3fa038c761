"""Matching's view of listings follows the listings service's events: each event applied once,
a redelivery changes nothing, enterprises' licences reach their listings' documents."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from helpers.matching import WASTE_OIL_LICENCE, fly_ash_offer, published, registered, waste_oil_want
from helpers.matching import factories as f

from services.common.db import create_engine
from services.common.events import Event
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side
from services.matching.adapters.search import AbstractSearchIndex
from services.matching.adapters.store import MatchingStore
from services.matching.domain.documents import ListingDoc
from services.matching.service_layer.projection import apply_event, apply_events


@pytest.fixture
def store(matching_template, tmp_path):
    path = tmp_path / "matching.db"
    shutil.copy(matching_template, path)
    engine = create_engine(f"sqlite:///{path}")
    yield MatchingStore(engine)
    engine.dispose()


# --- listing events ---------------------------------------------------------------------------


def test_a_published_offer_is_stored_and_returned_as_its_document(store):
    listing = fly_ash_offer()
    changed = apply_event(store, published(listing))
    assert changed == [ListingDoc.from_listing(listing.to_dict())]
    assert store.get("offer-power-fly-ash") == changed[0]
    assert changed[0].quantity == pytest.approx(18000) and changed[0].status == "active"


def test_an_update_replaces_the_stored_document(store):
    listing = fly_ash_offer()
    apply_event(store, published(listing))
    listing.edit(
        replace(listing.terms, max_distance_km=300),
        spec_from_dict(Kind.MATERIAL, Side.OFFER, f.spec_material_offer(f.FLY_ASH, 2000), f.CATALOGUE),
    )
    changed = apply_event(store, listing.events[-1])
    assert listing.events[-1].type == "OfferUpdated"
    stored = store.get(listing.id)
    assert changed == [stored]
    assert (stored.quantity, stored.max_distance_km) == (pytest.approx(24000), 300)


@pytest.mark.parametrize("side", ["offer", "want"])
def test_pausing_resuming_and_withdrawing_change_the_stored_status(store, side):
    listing = f.make_listing(side, "water", owner="wwtp" if side == "offer" else "refinery")
    apply_event(store, published(listing))
    seen = []
    for action in ("pause", "resume", "pause", "withdraw"):
        getattr(listing, action)()
        [doc] = apply_event(store, listing.events[-1])
        seen.append((listing.events[-1].type, doc.status, store.get(listing.id).status))
    cap = side.capitalize()
    assert seen == [
        (f"{cap}Paused", "paused", "paused"),
        (f"{cap}Resumed", "active", "active"),
        (f"{cap}Paused", "paused", "paused"),
        (f"{cap}Withdrawn", "withdrawn", "withdrawn"),
    ]


# --- enterprise events and licences -----------------------------------------------------------


def test_a_listing_published_after_its_enterprise_registered_carries_the_enterprises_licences(store):
    recycler = f.register_enterprise("hw_recycler", [f.hw_licence(f.WASTE_MINERAL_OIL)])
    assert apply_event(store, registered(recycler)) == []  # no listings yet
    [doc] = apply_event(store, published(waste_oil_want()))
    assert doc.licences == (WASTE_OIL_LICENCE,)
    assert store.get(doc.id).licences == (WASTE_OIL_LICENCE,)


def test_a_licence_granted_later_reaches_the_enterprises_existing_documents(store):
    recycler = f.register_enterprise("hw_recycler")
    apply_event(store, registered(recycler))
    want = waste_oil_want()
    other = fly_ash_offer()
    apply_event(store, published(want))
    apply_event(store, published(other))
    assert store.get(want.id).licences == ()

    recycler.update(f.CATALOGUE, licences=[f.hw_licence(f.WASTE_MINERAL_OIL)])
    changed = apply_event(store, recycler.events[-1])

    assert recycler.events[-1].type == "EnterpriseUpdated"
    assert [(d.id, d.licences) for d in changed] == [(want.id, (WASTE_OIL_LICENCE,))]
    assert store.get(want.id).licences == (WASTE_OIL_LICENCE,)
    assert store.get(other.id).licences == ()  # another enterprise's listing is untouched


def test_a_licence_withdrawn_by_an_update_is_gone_from_the_documents(store):
    recycler = f.register_enterprise("hw_recycler", [f.hw_licence(f.WASTE_MINERAL_OIL)])
    apply_event(store, registered(recycler))
    apply_event(store, published(waste_oil_want()))
    recycler.update(f.CATALOGUE, licences=[])
    [doc] = apply_event(store, recycler.events[-1])
    assert doc.licences == () and store.get(doc.id).licences == ()


def test_an_enterprise_registered_after_its_listings_arrived_still_licenses_them(store):
    """Events of different aggregates may arrive in any order."""
    want = waste_oil_want()
    apply_event(store, published(want))
    recycler = f.register_enterprise("hw_recycler", [f.hw_licence(f.WASTE_MINERAL_OIL)])
    [doc] = apply_event(store, registered(recycler))
    assert doc.id == want.id and store.get(want.id).licences == (WASTE_OIL_LICENCE,)


def test_a_listing_update_keeps_the_licences_its_enterprise_holds(store):
    recycler = f.register_enterprise("hw_recycler", [f.hw_licence(f.WASTE_MINERAL_OIL)])
    apply_event(store, registered(recycler))
    want = waste_oil_want()
    apply_event(store, published(want))
    want.pause()
    [doc] = apply_event(store, want.events[-1])
    assert doc.status == "paused" and doc.licences == (WASTE_OIL_LICENCE,)


# --- idempotence ------------------------------------------------------------------------------


def test_a_redelivered_listing_event_changes_nothing_and_returns_the_current_document(store):
    listing = fly_ash_offer()
    first = published(listing)
    apply_event(store, first)
    listing.pause()
    apply_event(store, listing.events[-1])

    again = apply_event(store, first)  # redelivered after the pause was applied

    assert [d.status for d in again] == ["paused"]
    assert store.get(listing.id).status == "paused"


def test_the_same_event_applied_twice_in_a_row_returns_the_same_documents(store):
    listing = fly_ash_offer()
    event = published(listing)
    once = apply_event(store, event)
    twice = apply_event(store, event)
    assert once == twice and [d.id for d in twice] == [listing.id]
    assert [d.id for d in store.all_docs()] == [listing.id]


def test_a_redelivered_enterprise_event_does_not_bring_back_a_withdrawn_licence(store):
    recycler = f.register_enterprise("hw_recycler")
    apply_event(store, registered(recycler))
    apply_event(store, published(waste_oil_want()))
    recycler.update(f.CATALOGUE, licences=[f.hw_licence(f.WASTE_MINERAL_OIL)])
    granted = recycler.events[-1]
    apply_event(store, granted)
    recycler.update(f.CATALOGUE, licences=[])
    apply_event(store, recycler.events[-1])

    again = apply_event(store, granted)

    assert [(d.id, d.licences) for d in again] == [("want-hw-recycler-oil", ())]
    assert store.get("want-hw-recycler-oil").licences == ()


# --- other events -----------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ["ParkCreated", "ExchangeCompleted", "OfferArchived", "ApiKeyIssued"])
def test_events_matching_does_not_know_are_ignored(store, event_type):
    listing = fly_ash_offer()
    apply_event(store, published(listing))
    before = list(store.all_docs())
    payload = {**listing.to_dict(), "status": "withdrawn"}  # even if it looks like a listing
    assert apply_event(store, Event(event_type, listing.id, payload)) == []
    assert list(store.all_docs()) == before and store.get(listing.id).status == "active"


# --- batches, as the matching worker applies them ---------------------------------------------


class RecordingIndex(AbstractSearchIndex):
    """Keeps each index write, to see how many requests a batch makes and with what."""

    def __init__(self):
        self.writes: list[list[ListingDoc]] = []

    def upsert(self, docs):
        self.writes.append(list(docs))

    def delete(self, ids):
        raise AssertionError("the projection never deletes")

    def search(self, criteria, components, min_score, offset, limit):
        return []

    def rebuild(self, docs):
        return 0

    def ping(self):
        pass


def test_a_batch_reaches_the_index_in_one_write_with_each_listing_at_its_last_state(store):
    offer, want = fly_ash_offer(), waste_oil_want()
    events = [published(offer), published(want)]
    offer.pause()
    events.append(offer.events[-1])
    index = RecordingIndex()

    changed = apply_events(store, index, events)

    assert index.writes == [changed]
    assert [(d.id, d.status) for d in changed] == [(want.id, "active"), (offer.id, "paused")]
    assert changed == [store.get(want.id), store.get(offer.id)]


def test_a_redelivered_batch_changes_nothing_and_writes_the_same_documents_again(store):
    offer = fly_ash_offer()
    events = [published(offer)]
    offer.pause()
    events.append(offer.events[-1])
    index = RecordingIndex()
    apply_events(store, index, events)
    revision = store.get(offer.id).revision

    apply_events(store, index, events)  # a crash before the offsets were committed

    assert store.get(offer.id).revision == revision and store.get(offer.id).status == "paused"
    assert index.writes[1] == index.writes[0] and index.writes[1][0].revision == revision
