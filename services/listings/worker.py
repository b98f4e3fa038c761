"""The listings worker: relays the outbox to the event bus until stopped."""
from __future__ import annotations

import logging
import signal

from services.common.config import Settings

from .bootstrap import outbox_relay


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s listings-relay %(levelname)s %(message)s")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    outbox_relay(Settings.from_env("listings")).run_forever(stop=lambda: bool(stopping))


if __name__ == "__main__":
    main()
