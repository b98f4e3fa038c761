"""A worker's loop that handles each poll while it reads the next (services/common/worker.py,
`consume_overlapped`): polls are handled one at a time in order, offsets are committed only after
their poll was handled, and a failure leaves that poll and every later one uncommitted."""

from __future__ import annotations

import threading

import pytest

from services.common.bus.port import ConsumedEvent
from services.common.events import Event
from services.common.worker import consume_overlapped


def consumed(offset: int) -> ConsumedEvent:
    return ConsumedEvent("t", 0, offset, Event("ExchangeCompleted", f"k{offset}", {}, id=f"e{offset}"))


class Consumer:
    """Polls of two events each, as many as `polls`; records what happened in `log`."""

    def __init__(self, polls: int, log: list):
        self.batches = [[consumed(2 * n), consumed(2 * n + 1)] for n in range(polls)]
        self.log = log

    def poll(self, max_records: int, timeout_s: float) -> list[ConsumedEvent]:
        batch = self.batches.pop(0) if self.batches else []
        self.log.append(("poll", [c.offset for c in batch]))
        return batch

    def commit_all(self, batch: list[ConsumedEvent]) -> None:
        self.log.append(("commit", [c.offset for c in batch]))

    def exhausted(self) -> bool:
        return not self.batches


def test_each_poll_is_handled_in_order_while_the_next_is_read_and_committed_only_after_it_was_handled():
    log: list = []
    consumer = Consumer(3, log)
    second_read = threading.Event()

    def handle(polled):
        if polled[0].offset == 0:  # the first poll is still being handled when the second is read
            assert second_read.wait(5)
        log.append(("handled", [c.offset for c in polled]))

    original_poll = consumer.poll

    def poll(max_records, timeout_s):
        batch = original_poll(max_records, timeout_s)
        if batch and batch[0].offset == 2:
            second_read.set()
        return batch

    consumer.poll = poll  # type: ignore[method-assign]
    consume_overlapped(consumer, handle, consumer.exhausted, 2, 1.0)  # type: ignore[arg-type]

    handled = [offsets for what, offsets in log if what == "handled"]
    committed = [offsets for what, offsets in log if what == "commit"]
    assert handled == committed == [[0, 1], [2, 3], [4, 5]]  # in order, each once
    assert log.index(("poll", [2, 3])) < log.index(("handled", [0, 1]))  # read while [0, 1] was handled
    for offsets in handled:  # never committed before its handler returned
        assert log.index(("handled", offsets)) < log.index(("commit", offsets))


def test_a_failed_poll_and_every_poll_after_it_stay_uncommitted_and_the_error_reaches_the_caller():
    log: list = []
    consumer = Consumer(4, log)

    def handle(polled):
        if polled[0].offset == 2:
            raise ConnectionError("the database went away")
        log.append(("handled", [c.offset for c in polled]))

    with pytest.raises(ConnectionError):
        consume_overlapped(consumer, handle, consumer.exhausted, 2, 1.0)  # type: ignore[arg-type]

    commits = [offsets for what, offsets in log if what == "commit"]
    assert commits == [[0, 1]]  # [2, 3] failed; [4, 5], read meanwhile, is delivered again with it
    assert [offsets for what, offsets in log if what == "handled"] == [[0, 1]]


def test_a_stop_lets_the_poll_being_handled_finish_and_commit_then_reads_no_more():
    log: list = []
    consumer = Consumer(5, log)
    stopped = threading.Event()

    def handle(polled):
        log.append(("handled", [c.offset for c in polled]))
        stopped.set()  # the operator stops the worker while the first poll is handled

    consume_overlapped(consumer, handle, stopped.is_set, 2, 1.0)  # type: ignore[arg-type]

    assert ("commit", [0, 1]) in log
    handled = [offsets for what, offsets in log if what == "handled"]
    committed = [offsets for what, offsets in log if what == "commit"]
    assert committed == handled  # nothing committed that was not handled, nothing handled left uncommitted
    assert len(consumer.batches) >= 3  # it stopped reading
