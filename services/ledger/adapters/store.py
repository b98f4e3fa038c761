"""The ledger store: append-only entries with their leaf hashes, and signed checkpoints.

Entries are never updated or deleted by the service; a correction is a new entry. The leaf
hash recorded at append time lets a later audit name the first entry whose stored bytes
no longer match what was signed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from services.common.db import as_utc, write_transaction
from services.common.idempotency import ProcessedEvents, one_of
from services.ledger.domain import merkle
from services.ledger.domain.access import EntryScope
from services.ledger.domain.compact_range import Node
from services.ledger.domain.merkle import leaf_hash

from .tables import TILE_HEIGHT, checkpoints, entries, ledger_head, parks, processed_events, rejected_events, tree_nodes

STREAM_CHUNK = 1000  # rows read at a time by the streamed reads (exports and audits)


@dataclass(frozen=True)
class StoredEntry:
    index: int
    leaf_data: bytes
    leaf_hash: bytes


def insert_all(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert rows (each with the same columns) in one statement: COPY on PostgreSQL, where it is
    about twice as fast as executemany's statement per row; executemany elsewhere."""
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    with ExitStack() as stack:
        copy = TableCopy(stack, conn, table, list(rows[0]))
        for row in rows:
            copy.write(row)


class TableCopy:
    """A binary COPY into some columns of a table on PostgreSQL, a row at a time, open until `stack`
    closes (with the exception that closes it, if any: the server then refuses the rows and the
    transaction rolls back). Binary: bytes and integers go as they are, where the text format spelt
    every byte of the leaf data in hex; the server spends less on them too. While it is open the
    connection takes no other statement."""

    def __init__(self, stack: ExitStack, conn: sa.Connection, table: sa.Table, columns: list[str]):
        quote = conn.dialect.identifier_preparer.quote
        cursor = stack.enter_context(conn.connection.driver_connection.cursor())
        statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
        self._copy = stack.enter_context(cursor.copy(statement))
        # the server's names of the column types ("integer", "varchar", "bytea"), which binary rows must match
        self._copy.set_types([table.c[c].type.compile(dialect=conn.dialect).lower().split("(")[0] for c in columns])
        self.columns = columns

    def write(self, row: dict) -> None:
        """The row's values by column; a column it leaves out is NULL."""
        self._copy.write_row([row.get(c) for c in self.columns])


def insert_new(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert rows, leaving out any whose key is stored already (by another process signing the same)."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


class AlreadyRecorded(Exception):
    """A transaction that took its events for unprocessed (`assume_unprocessed`) met one recorded before,
    a redelivery, on the event id's unique key: it was rolled back, nothing of it is written."""


class MissingEntries(LookupError):
    """The store lacks entry rows it appended (deleted behind the service's back)."""


class TreeReader:
    """Perfect subtrees of the tree, read on one connection: each from the stored node at its height
    when there is one, else folded from at most 2^TILE_HEIGHT stored nodes (or leaf hashes) below it,
    so a proof reads O(log n) rows. A node not stored yet (entries appended but not signed) is folded
    from further down."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn

    def node(self, height: int, index: int) -> bytes:
        if height == 0:
            return self._level(0, index, index + 1)[0]
        below = height - height % TILE_HEIGHT
        if below == height:
            stored = self._stored(height, index, index + 1)
            if stored:
                return stored[index]
            below = height - TILE_HEIGHT
        span = height - below
        return merkle.root_hash(self._level(below, index << span, (index + 1) << span))

    def _level(self, height: int, start: int, stop: int) -> list[bytes]:
        found = self._stored(height, start, stop)
        if height == 0 and len(found) < stop - start:
            raise MissingEntries(f"entries {start}..{stop - 1} are not all in the store")
        return [found[i] if i in found else self.node(height, i) for i in range(start, stop)]

    def _stored(self, height: int, start: int, stop: int) -> dict[int, bytes]:
        if height == 0:
            query = sa.select(entries.c.idx, entries.c.leaf_hash).where(entries.c.idx >= start, entries.c.idx < stop)
        else:
            query = sa.select(tree_nodes.c.idx, tree_nodes.c.hash).where(
                tree_nodes.c.height == height, tree_nodes.c.idx >= start, tree_nodes.c.idx < stop
            )
        return {idx: bytes(h) for idx, h in self.conn.execute(query)}


class LedgerTransaction(ProcessedEvents):
    """One write transaction; the first claimed index takes the append lock (the head row) until commit.

    Entries are written as they are appended: on PostgreSQL into a COPY left open while the caller
    computes the next entries, so the server stores and indexes each batch on the other core during
    the batch, not after it; elsewhere kept and inserted in one statement when the transaction ends
    (`flush`, by `LedgerStore.transaction`). Any other statement ends the COPY first (`conn`).

    An event that made an entry is marked processed by that entry (`entries.event_id` is unique, so
    it holds once, like `processed_events`' key): a batch of exchanges writes no `processed_events`
    rows, and the lookups look in both tables."""

    def __init__(self, conn: sa.Connection):
        self._copying = ExitStack()  # holds the entries' COPY while it is open
        self._entry_copy: TableCopy | None = None
        self._copy_entries = conn.dialect.name == "postgresql"
        super().__init__(conn, processed_events)
        self._next_index: int | None = None  # once the head row is locked: the next index to hand out
        self._head: int | None = None  # the size the head row had when locked
        self._entries: list[dict] = []  # kept for one insert where entries are not copied as they come
        self._entry_events: set[str] = set()  # event ids of the entries appended here

    @property
    def conn(self) -> sa.Connection:
        """The connection, ready for a statement: an open COPY of entries is ended first."""
        self._end_copy()
        return self._conn

    @conn.setter
    def conn(self, conn: sa.Connection) -> None:
        self._conn = conn

    def next_index(self) -> int:
        """Claims the next index; the first claim locks the head row until commit."""
        if self._next_index is None:
            self.conn.execute(ledger_head.update().where(ledger_head.c.id == 1).values(size=ledger_head.c.size))
            self._head = self._next_index = self.conn.scalar(sa.select(ledger_head.c.size).where(ledger_head.c.id == 1))
        index = self._next_index
        self._next_index += 1
        return index

    def append(self, index: int, event_id: str, leaf_data: bytes, facts: dict) -> None:
        row = {"idx": index, "event_id": event_id, "leaf_data": leaf_data, "leaf_hash": leaf_hash(leaf_data), **facts}
        self._entry_events.add(event_id)
        if not self._copy_entries:
            self._entries.append(row)
            return
        if self._entry_copy is None:
            self._entry_copy = TableCopy(self._copying, self._conn, entries, [c.name for c in entries.columns])
        self._entry_copy.write(row)

    def mark_processed(self, event_id: str) -> None:
        if event_id in self._entry_events:  # its entry is its mark
            self._known.add(event_id)
        else:
            super().mark_processed(event_id)

    def processed_among(self, event_ids: list[str]) -> set[str]:
        """Ids in `processed_events`, and those of events that made an entry."""
        column = entries.c.event_id
        recorded = self.conn.execute(sa.select(column).where(one_of(self.conn, column, event_ids))).scalars()
        return super().processed_among(event_ids) | set(recorded)

    def _end_copy(self) -> None:
        if self._entry_copy is not None:
            self._entry_copy = None
            self._copying.close()

    def abort(self, error: BaseException) -> None:
        """End an open COPY with the error that stops the transaction: the server drops its rows."""
        if self._entry_copy is not None:
            self._entry_copy = None
            self._copying.__exit__(type(error), error, error.__traceback__)

    def flush(self) -> None:
        """Write what the transaction kept: entries, the head's new size, processed event ids."""
        self._end_copy()
        if self._entries:
            insert_all(self.conn, entries, self._entries)
            self._entries = []
        if self._next_index is not None and self._next_index != self._head:
            self.conn.execute(ledger_head.update().where(ledger_head.c.id == 1).values(size=self._next_index))
            self._head = self._next_index
        if self._marked:  # ProcessedEvents' marks, by COPY on PostgreSQL like the entries
            insert_all(self.conn, processed_events, self._marked)
            self._marked = []

    def leaf_data_of_exchange(self, exchange_id: str) -> list[bytes]:
        """The entries recorded for one exchange: its completion and any correction of it."""
        self.flush()
        return [
            bytes(d)
            for d in self.conn.execute(
                sa.select(entries.c.leaf_data).where(entries.c.exchange_id == exchange_id)
            ).scalars()
        ]

    def reject(self, event, reason: str) -> None:
        self.conn.execute(
            rejected_events.insert().values(
                event_id=event.id, type=event.type, reason=reason[:2000], event=event.to_json().decode()
            )
        )

    def upsert_park(self, park_id: str, name: str, province: str, baselines: list[dict]) -> None:
        values = {"name": name, "province": province, "baselines": baselines}
        if self.conn.execute(parks.update().where(parks.c.id == park_id).values(**values)).rowcount == 0:
            self.conn.execute(parks.insert().values(id=park_id, **values))

    def park(self, park_id: str) -> dict | None:
        row = self.conn.execute(sa.select(parks).where(parks.c.id == park_id)).first()
        return dict(row._mapping) if row else None


class LedgerStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[LedgerTransaction]:
        """A write transaction; AlreadyRecorded when it assumed an event unprocessed that was not."""
        tx: LedgerTransaction | None = None
        try:
            with write_transaction(self.engine) as conn:
                tx = LedgerTransaction(conn)
                try:
                    yield tx
                except BaseException as error:
                    tx.abort(error)
                    raise  # the transaction rolls back
                tx.flush()
        except (sa.exc.IntegrityError, psycopg.errors.IntegrityError) as error:  # from a statement or a COPY
            if tx is not None and tx.assumed_unprocessed:
                raise AlreadyRecorded(str(error)) from error
            raise

    def size(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(ledger_head.c.size).where(ledger_head.c.id == 1))

    def entry(self, index: int) -> StoredEntry | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(entries.c.idx, entries.c.leaf_data, entries.c.leaf_hash).where(entries.c.idx == index)
            ).first()
        return StoredEntry(row.idx, bytes(row.leaf_data), bytes(row.leaf_hash)) if row else None

    def _stream(self, query: sa.Select) -> Iterator[sa.Row]:
        """The query's rows as they are read, a chunk at a time (a server-side cursor on PostgreSQL):
        memory stays bounded whatever the ledger's size. The connection is held until the last row."""
        with self.engine.connect() as conn:
            yield from conn.execution_options(yield_per=STREAM_CHUNK).execute(query)

    def all_entries(self, upto: int | None = None) -> Iterator[StoredEntry]:
        """Every entry (below index `upto`), in index order, streamed."""
        query = sa.select(entries.c.idx, entries.c.leaf_data, entries.c.leaf_hash).order_by(entries.c.idx)
        if upto is not None:
            query = query.where(entries.c.idx < upto)
        return (StoredEntry(r.idx, bytes(r.leaf_data), bytes(r.leaf_hash)) for r in self._stream(query))

    def stream_leaf_hashes(self, upto: int | None = None) -> Iterator[bytes]:
        """The recorded leaf hashes (below index `upto`), in index order, streamed (not the entries' data)."""
        query = sa.select(entries.c.leaf_hash).order_by(entries.c.idx)
        if upto is not None:
            query = query.where(entries.c.idx < upto)
        return (bytes(r.leaf_hash) for r in self._stream(query))

    def entry_indices(self, upto: int | None = None) -> Iterator[int]:
        """The stored entries' indexes (below `upto`), in order, streamed: where one is missing."""
        query = sa.select(entries.c.idx).order_by(entries.c.idx)
        if upto is not None:
            query = query.where(entries.c.idx < upto)
        return (r.idx for r in self._stream(query))

    def recorded_leaf_hashes(self, start: int = 0, stop: int | None = None) -> list[bytes]:
        """The recorded leaf hashes of entries `start` onwards (up to `stop`, exclusive), in index order."""
        query = sa.select(entries.c.leaf_hash).where(entries.c.idx >= start).order_by(entries.c.idx)
        if stop is not None:
            query = query.where(entries.c.idx < stop)
        with self.engine.connect() as conn:
            return [bytes(h) for h in conn.execute(query).scalars()]

    def find(self, scope: EntryScope, offset: int, limit: int) -> tuple[list[StoredEntry], int]:
        if scope.nothing:
            return [], 0
        where = []
        if scope.park_id:
            where.append(
                sa.or_(entries.c.supplier_park_id == scope.park_id, entries.c.receiver_park_id == scope.park_id)
            )
        if scope.enterprise_id:
            where.append(
                sa.or_(entries.c.supplier_id == scope.enterprise_id, entries.c.receiver_id == scope.enterprise_id)
            )
        if scope.year:
            where.append(entries.c.year == scope.year)
        if scope.kind:
            where.append(entries.c.kind == scope.kind)
        if scope.code:
            where.append(entries.c.waste_code == scope.code)
        with self.engine.connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(entries).where(*where))
            rows = conn.execute(
                sa.select(entries.c.idx, entries.c.leaf_data, entries.c.leaf_hash)
                .where(*where)
                .order_by(entries.c.idx)
                .offset(offset)
                .limit(limit)
            )
            return [StoredEntry(r.idx, bytes(r.leaf_data), bytes(r.leaf_hash)) for r in rows], total

    def rejected(self, offset: int, limit: int) -> tuple[list[dict], int]:
        """Events set aside for breaking their contract, newest first."""
        columns = (
            rejected_events.c.event_id,
            rejected_events.c.type,
            rejected_events.c.reason,
            rejected_events.c.rejected_at,
            rejected_events.c.event,
        )
        with self.engine.connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(rejected_events))
            rows = conn.execute(
                sa.select(*columns)
                .order_by(rejected_events.c.rejected_at.desc(), rejected_events.c.event_id)
                .offset(offset)
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows], total

    def add_checkpoint(self, size: int, root: bytes, signed_note: str, nodes: Sequence[Node] = ()) -> None:
        """Keep a signed checkpoint, and those of the tree's perfect subtrees (`nodes`, completed by the
        entries it signs) that proofs read: the ones at every TILE_HEIGHT-th height."""
        kept = [{"height": n.height, "idx": n.index, "hash": n.hash} for n in nodes if n.height % TILE_HEIGHT == 0]
        with write_transaction(self.engine) as conn:
            exists = conn.execute(sa.select(checkpoints.c.size).where(checkpoints.c.size == size)).first()
            if not exists:
                conn.execute(checkpoints.insert().values(size=size, root_hash=root, signed_note=signed_note))
            if kept:
                insert_new(conn, tree_nodes, kept)

    @contextmanager
    def tree(self) -> Iterator[TreeReader]:
        with self.engine.connect() as conn:
            yield TreeReader(conn)

    def checkpoint_history(self) -> Iterator[tuple[int, bytes]]:
        """Every checkpoint signed so far, (size, root), oldest first, streamed."""
        query = sa.select(checkpoints.c.size, checkpoints.c.root_hash).order_by(checkpoints.c.size)
        return ((r.size, bytes(r.root_hash)) for r in self._stream(query))

    def signed_notes(self) -> Iterator[str]:
        """Every signed checkpoint note, oldest first, streamed."""
        return (r.signed_note for r in self._stream(sa.select(checkpoints.c.signed_note).order_by(checkpoints.c.size)))

    def last_signed_root(self) -> tuple[int, bytes] | None:
        """The latest checkpoint's (size, root), without reading the others."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(checkpoints.c.size, checkpoints.c.root_hash).order_by(checkpoints.c.size.desc()).limit(1)
            ).first()
        return (row.size, bytes(row.root_hash)) if row else None

    def last_checkpoint_signed(self) -> tuple[int, datetime] | None:
        """The latest checkpoint's size and when it was signed."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(checkpoints.c.size, checkpoints.c.created_at).order_by(checkpoints.c.size.desc()).limit(1)
            ).first()
        return (row.size, as_utc(row.created_at)) if row else None

    def latest_checkpoint(self) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(checkpoints.c.size, checkpoints.c.signed_note).order_by(checkpoints.c.size.desc()).limit(1)
            ).first()
        return (row.size, row.signed_note) if row else None

    def park(self, park_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(parks).where(parks.c.id == park_id)).first()
        return dict(row._mapping) if row else None
