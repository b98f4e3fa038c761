"""Keeps matching's view of listings in step with the listings service's events.

The bus keeps one aggregate's events in order, so applying them in delivery order is
right. Each event is applied once (its id is recorded in the same transaction); a
redelivery changes nothing but still returns the affected documents as stored, so the
search index is brought up to date again after a crash between commit and index write.
"""
from __future__ import annotations

from services.common.events import Event
from services.matching.adapters.search import AbstractSearchIndex
from services.matching.adapters.store import MatchingStore
from services.matching.domain.documents import ListingDoc, licences_from_enterprise

LISTING_EVENTS = {f"{side}{what}" for side in ("Offer", "Want")
                  for what in ("Published", "Updated", "Paused", "Resumed", "Withdrawn")}
ENTERPRISE_EVENTS = {"EnterpriseRegistered", "EnterpriseUpdated"}


def apply_event(store: MatchingStore, event: Event) -> list[ListingDoc]:
    """The documents this event concerns, as they stand once it has been applied."""
    with store.transaction() as tx:
        fresh = not tx.already_processed(event.id)
        if event.type in LISTING_EVENTS:
            if fresh:
                tx.upsert_doc(ListingDoc.from_listing(event.payload, tx.licences_of(event.payload["enterprise_id"])))
            changed = [tx.get_doc(event.payload["id"])]
        elif event.type in ENTERPRISE_EVENTS:
            enterprise_id = event.payload["id"]
            if fresh:
                licences = licences_from_enterprise(event.payload)
                tx.set_licences(enterprise_id, licences)
                for doc in tx.docs_of_enterprise(enterprise_id):
                    tx.upsert_doc(doc.with_licences(licences))
            changed = tx.docs_of_enterprise(enterprise_id)
        else:
            changed = []
        if fresh:
            tx.mark_processed(event.id)
    return changed


def reindex(store: MatchingStore, search: AbstractSearchIndex, batch: int = 1000) -> int:
    """Rebuild the search index from the store without downtime; returns how many documents.

    Searches keep reading the old index until the alias swaps. Workers keep writing through the
    alias meanwhile, into the old index, so a second pass copies every document again into the
    new one; the engines keep the highest revision, so neither that pass nor a slower worker can
    put back an older version of a document.
    """
    count = search.rebuild(store.all_docs(batch))
    pending: list[ListingDoc] = []
    for doc in store.all_docs(batch):
        pending.append(doc)
        if len(pending) == batch:
            search.upsert(pending)
            pending = []
    search.upsert(pending)
    return count
