"""Keeps matching's view of listings in step with the listings service's events.

The bus keeps one aggregate's events in order, so applying them in delivery order is
right. Each event is applied once (its id is recorded in the same transaction); a
redelivery changes nothing but still returns the affected documents as stored, so the
search index is brought up to date again after a crash between commit and index write.

What matching does with each event is one table, `HANDLERS` (event type -> handler); the types and
their payloads are services/common/contracts.py's. Any other event is recorded and ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from services.common import contracts as c
from services.common.events import Event
from services.matching.adapters.search import AbstractSearchIndex
from services.matching.adapters.store import MatchingStore, StoreTransaction
from services.matching.domain.documents import ListingDoc, licences_from_enterprise

# (transaction, payload, fresh: not applied before) -> the documents the event concerns, as they now stand
Handler = Callable[[StoreTransaction, Any, bool], list[ListingDoc]]


def _listing_changed(tx: StoreTransaction, payload: c.ListingPayload, fresh: bool) -> list[ListingDoc]:
    if fresh:
        doc = ListingDoc.from_listing(payload, tx.licences_of(payload["enterprise_id"]))
        tx.upsert_doc(doc)
        return [doc]
    return [tx.get_doc(payload["id"])]


def _enterprise_changed(tx: StoreTransaction, payload: c.EnterprisePayload, fresh: bool) -> list[ListingDoc]:
    enterprise_id = payload["id"]
    if fresh:
        licences = licences_from_enterprise(payload)
        tx.set_licences(enterprise_id, licences)
        docs = [doc.with_licences(licences) for doc in tx.docs_of_enterprise(enterprise_id)]
        for doc in docs:
            tx.upsert_doc(doc)
        return docs
    return tx.docs_of_enterprise(enterprise_id)


HANDLERS: dict[str, Handler] = {
    **{event_type: _listing_changed for event_type in c.LISTING_EVENTS},
    c.ENTERPRISE_REGISTERED: _enterprise_changed,
    c.ENTERPRISE_UPDATED: _enterprise_changed,
}
TOPICS = (c.LISTINGS_TOPIC,)  # where every handled type is published


def _ignore(tx: StoreTransaction, payload: Any, fresh: bool) -> list[ListingDoc]:
    return []


def _apply(tx: StoreTransaction, event: Event) -> list[ListingDoc]:
    handler = HANDLERS.get(event.type, _ignore)
    fresh = not tx.already_processed(event.id)
    changed = handler(tx, event.payload, fresh)
    if fresh:
        tx.mark_processed(event.id)
    return changed


def apply_event(store: MatchingStore, event: Event) -> list[ListingDoc]:
    """The documents this event concerns, as they stand once it has been applied."""
    with store.transaction() as tx:
        return [tx.revision_of(doc) for doc in _apply(tx, event)]


def apply_events(store: MatchingStore, search: AbstractSearchIndex, events: Iterable[Event]) -> list[ListingDoc]:
    """Apply a batch of events in order in one transaction, then write what they changed to the
    search index in one request (one refresh for the batch, not one per event). Returns each
    changed document once, as it stands after the whole batch.

    A crash before the index write loses nothing: the events are redelivered, change nothing
    in the store, and return the documents again for the index."""
    latest: dict[str, ListingDoc] = {}
    events = list(events)
    with store.transaction() as tx:
        tx.prefetch_processed(event.id for event in events)
        for event in events:
            for doc in _apply(tx, event):
                latest.pop(doc.id, None)  # keep the order of the last change
                latest[doc.id] = doc
        changed = [tx.revision_of(doc) for doc in latest.values()]
    if changed:
        search.upsert(changed)
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
