"""A wake-up signal between the processes of one machine, so that an idle worker blocks instead of
polling: the embedded SQLite files (a service's database, the event log) are shared by processes,
and a writer rings the file's doorbell after each commit; whoever waits for new rows wakes at once.

A doorbell is a directory beside the file. Each waiter owns a named pipe (FIFO) in it, and a ring
writes one byte into every pipe found there. A byte stays in the pipe until its waiter next waits,
so a ring between a waiter's look for work and its wait is never lost; a pipe whose process has
gone is removed by the next ring (opening it finds no reader). Waiters still wake after a safety
timeout of their own choosing, which bounds the cost of any ring that could not be delivered.
PostgreSQL tables have theirs in notify.py (LISTEN/NOTIFY); Kafka consumers block in their own poll.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import select
import weakref
from pathlib import Path
from typing import Protocol

SUFFIX = ".fifo"
SAFETY_WAIT_S = 10.0  # an idle worker looks for work this often even when no ring came


class Interruptible(Protocol):
    def interrupt(self) -> None: ...


_waiting: weakref.WeakSet[Interruptible] = weakref.WeakSet()


def track_wait(waiter: Interruptible) -> None:
    """`interrupt_waits` ends this waiter's waits from now on."""
    _waiting.add(waiter)


def untrack_wait(waiter: Interruptible) -> None:
    _waiting.discard(waiter)


class Doorbell:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    @classmethod
    def beside(cls, path: str | Path) -> Doorbell:
        """The doorbell of a file (`events.db` rings `events.db-doorbell/`)."""
        return cls(f"{os.path.abspath(path)}-doorbell")  # the same for every process, whatever its directory

    def ring(self) -> None:
        """Wake every waiter (cheap when there is none: one directory read)."""
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.name.endswith(SUFFIX):
                _ring(entry.path)

    def waiter(self) -> Waiter:
        return Waiter(self.directory)


def _ring(path: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except FileNotFoundError:  # its waiter closed meanwhile
        return
    except OSError as error:
        if error.errno == errno.ENXIO:  # no reader: the waiter's process has gone
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return
        raise
    try:
        os.write(fd, b"\0")
    except BlockingIOError:  # the pipe is full: its waiter has wake-ups pending already
        pass
    finally:
        os.close(fd)


class Waiter:
    """One process's place at a doorbell, from creation until `close`: rings in between are kept."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{secrets.token_hex(6)}"
        # Made under a name rings skip, and renamed once open: a ring in between would otherwise
        # find a pipe without a reader and remove it.
        staging = directory / f".{name}"
        os.mkfifo(staging, 0o600)
        self._read = os.open(staging, os.O_RDONLY | os.O_NONBLOCK)
        # Our own writer: without one, the pipe reads as closed whenever the last ringer closes it.
        self._write = os.open(staging, os.O_WRONLY | os.O_NONBLOCK)
        self.path = directory / f"{name}{SUFFIX}"
        os.rename(staging, self.path)
        self._poll = select.poll()
        self._poll.register(self._read, select.POLLIN)
        track_wait(self)

    def wait(self, timeout_s: float) -> bool:
        """Block until a ring (True; one since the last wait counts) or `timeout_s` passes (False)."""
        ready = self._poll.poll(max(0, int(timeout_s * 1000)))
        if ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._read, 4096):
                    pass
        return bool(ready)

    def interrupt(self) -> None:
        """End the current or the next wait at once (a worker asked to stop)."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._write, b"\0")

    def close(self) -> None:
        untrack_wait(self)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Waiter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def interrupt_waits() -> None:
    """End every wait of this process at once: called when a worker is asked to stop."""
    for waiter in list(_waiting):
        waiter.interrupt()
