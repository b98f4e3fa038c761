"""The doorbell that lets idle workers block instead of polling: a ring from any process on the
machine wakes every waiter, a ring is kept until its waiter next waits, a waiter whose process
died is cleared away, and a stop ends a wait at once."""

from __future__ import annotations

import subprocess
import sys

from services.common.doorbell import Doorbell, interrupt_waits


def ring_from_another_process(directory) -> None:
    code = f"from services.common.doorbell import Doorbell; Doorbell({str(directory)!r}).ring()"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_ring_from_another_process_wakes_every_waiter(tmp_path):
    bell = Doorbell(tmp_path / "bell")
    with bell.waiter() as first, bell.waiter() as second:
        ring_from_another_process(bell.directory)
        assert first.wait(60) is True
        assert second.wait(60) is True


def test_a_ring_before_the_wait_is_kept_and_counts_once(tmp_path):
    bell = Doorbell(tmp_path / "bell")
    with bell.waiter() as waiter:
        bell.ring()
        bell.ring()
        assert waiter.wait(0) is True
        assert waiter.wait(0) is False


def test_without_a_ring_a_wait_ends_at_its_timeout(tmp_path):
    with Doorbell(tmp_path / "bell").waiter() as waiter:
        assert waiter.wait(0.05) is False


def test_a_ring_with_nobody_waiting_changes_nothing(tmp_path):
    Doorbell(tmp_path / "never-waited-at").ring()
    assert not (tmp_path / "never-waited-at").exists()


def test_the_place_of_a_waiter_whose_process_died_is_cleared_by_the_next_ring(tmp_path):
    bell = Doorbell(tmp_path / "bell")
    code = (
        "import os; from services.common.doorbell import Doorbell; "
        f"Doorbell({str(bell.directory)!r}).waiter(); os._exit(0)"  # dies without closing it
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert len(list(bell.directory.glob("*.fifo"))) == 1
    with bell.waiter() as alive:
        bell.ring()
        assert [p.name for p in bell.directory.glob("*.fifo")] == [alive.path.name]
        assert alive.wait(0) is True
    assert list(bell.directory.glob("*.fifo")) == []


def test_a_stop_ends_every_wait_of_the_process_at_once(tmp_path):
    with Doorbell(tmp_path / "a").waiter() as one, Doorbell(tmp_path / "b").waiter() as other:
        interrupt_waits()
        assert one.wait(60) is True
        assert other.wait(60) is True


def test_every_process_finds_the_same_doorbell_for_a_file_whatever_its_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Doorbell.beside("events.db").directory == Doorbell.beside(tmp_path / "events.db").directory
