"""The listings worker: relays the outbox to the event bus until stopped."""

from __future__ import annotations

from services.common.config import Settings
from services.common.worker import run_worker

from .bootstrap import outbox_relay


def main() -> None:
    settings = Settings.from_env("listings")
    run_worker("listings-relay", settings, outbox_relay(settings).run)


if __name__ == "__main__":
    main()
