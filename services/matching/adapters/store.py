"""The matching service's document store: listings and licences as matching knows them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from services.common.db import write_transaction
from services.common.idempotency import ProcessedEvents
from services.matching.domain.documents import Licence, ListingDoc, doc_from_dict, doc_to_dict

from .tables import enterprise_licences, listing_codes, listing_docs, processed_events

DOC = (listing_docs.c.doc, listing_docs.c.revision)  # what a ListingDoc is read from


ROWS_PER_STATEMENT = 500  # well within SQLite's limit on parameters
# the columns the embedded matcher filters and scores on, and the whole document
ROW = (
    "side",
    "kind",
    "status",
    "enterprise_id",
    "lat",
    "lon",
    "doc",
    "park_id",
    "max_distance_km",
    "quantity",
    "temperature_c",
    "reuse_rank",
)


def _row(doc: ListingDoc) -> dict:
    return {name: doc_to_dict(doc) if name == "doc" else getattr(doc, name) for name in ROW}


def _dialect_insert(conn: sa.Connection):
    """The dialect's INSERT, which has ON CONFLICT (an upsert in one statement)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


class StoreTransaction(ProcessedEvents):
    """One write transaction; a batch of listing events costs a few statements, not a few each."""

    def __init__(self, conn: sa.Connection):
        super().__init__(conn, processed_events)
        self._licences: dict[str, tuple[Licence, ...]] = {}  # read or set in this transaction
        self._staged: dict[str, ListingDoc] = {}  # upserted, not yet written
        self._revisions: dict[str, int] = {}  # written by this transaction, at these revisions

    def upsert_doc(self, doc: ListingDoc) -> None:
        """Store the document as its next revision: kept until the transaction next reads
        documents or ends, then written with the others in one statement per 500."""
        self._staged.pop(doc.id, None)
        self._staged[doc.id] = doc

    def revision_of(self, doc: ListingDoc) -> ListingDoc:
        """The document with the revision this transaction stored it at."""
        self.flush_docs()
        return replace(doc, revision=self._revisions.get(doc.id, doc.revision))

    def flush_docs(self) -> None:
        """Write the staged documents; a replaced one's codes are replaced too."""
        docs, self._staged = list(self._staged.values()), {}
        for start in range(0, len(docs), ROWS_PER_STATEMENT):
            chunk = docs[start : start + ROWS_PER_STATEMENT]
            rows = [{"id": d.id, "revision": 1, **_row(d)} for d in chunk]
            insert = _dialect_insert(self.conn)(listing_docs).values(rows)
            upsert = insert.on_conflict_do_update(
                index_elements=[listing_docs.c.id],
                set_={**{name: insert.excluded[name] for name in ROW}, "revision": listing_docs.c.revision + 1},
            ).returning(listing_docs.c.id, listing_docs.c.revision)
            stored = {doc_id: revision for doc_id, revision in self.conn.execute(upsert)}
            self._revisions.update(stored)
            replaced = [doc_id for doc_id, revision in stored.items() if revision > 1]
            if replaced:
                self.conn.execute(listing_codes.delete().where(listing_codes.c.listing_id.in_(replaced)))
            codes = [{"listing_id": d.id, "code": code} for d in chunk for code in dict.fromkeys(d.codes)]
            if codes:
                self.conn.execute(listing_codes.insert(), codes)

    def get_doc(self, listing_id: str) -> ListingDoc:
        self.flush_docs()
        row = self.conn.execute(sa.select(*DOC).where(listing_docs.c.id == listing_id)).one()
        return doc_from_dict(row.doc, row.revision)

    def docs_of_enterprise(self, enterprise_id: str) -> list[ListingDoc]:
        self.flush_docs()
        rows = self.conn.execute(sa.select(*DOC).where(listing_docs.c.enterprise_id == enterprise_id))
        return [doc_from_dict(row.doc, row.revision) for row in rows]

    def licences_of(self, enterprise_id: str) -> tuple[Licence, ...]:
        if enterprise_id not in self._licences:
            row = self.conn.execute(
                sa.select(enterprise_licences.c.licences).where(enterprise_licences.c.enterprise_id == enterprise_id)
            ).first()
            self._licences[enterprise_id] = tuple(Licence(**lic) for lic in row.licences) if row else ()
        return self._licences[enterprise_id]

    def set_licences(self, enterprise_id: str, licences: tuple[Licence, ...]) -> None:
        self._licences[enterprise_id] = licences
        data = [lic.__dict__ for lic in licences]
        updated = self.conn.execute(
            enterprise_licences.update()
            .where(enterprise_licences.c.enterprise_id == enterprise_id)
            .values(licences=data)
        )
        if updated.rowcount == 0:
            self.conn.execute(enterprise_licences.insert().values(enterprise_id=enterprise_id, licences=data))


class MatchingStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        with write_transaction(self.engine) as conn:
            tx = StoreTransaction(conn)
            yield tx
            tx.flush_docs()
            tx.flush_processed()

    def get(self, listing_id: str) -> ListingDoc | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*DOC).where(listing_docs.c.id == listing_id)).first()
        return doc_from_dict(row.doc, row.revision) if row else None

    def listing_ids_of(self, enterprise_id: str) -> set[str]:
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    sa.select(listing_docs.c.id).where(listing_docs.c.enterprise_id == enterprise_id)
                ).scalars()
            )

    def park_of(self, enterprise_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(listing_docs.c.doc).where(listing_docs.c.enterprise_id == enterprise_id).limit(1)
            ).first()
        return row.doc["park_id"] if row else None

    def all_docs(self, batch: int = 1000) -> Iterator[ListingDoc]:
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(listing_docs.c.id, *DOC)
                    .where(listing_docs.c.id > last)
                    .order_by(listing_docs.c.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            for row in rows:
                yield doc_from_dict(row.doc, row.revision)
            last = rows[-1].id
