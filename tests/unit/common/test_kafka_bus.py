"""The Kafka bus: CRC checks in C, large fetches, a short reconnect backoff."""

from __future__ import annotations

import crc32c
from kafka.record import util

from services.common.bus import kafka_bus


def test_kafka_python_checks_record_batch_crcs_with_the_c_extension():
    assert util.calc_crc32c.__defaults__ == (crc32c.crc32c,)  # not kafka.record._crc32c's pure Python
    assert util.calc_crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value


def test_consumers_fetch_large_batches_and_every_client_reconnects_within_a_second():
    assert kafka_bus.CONSUMER_FETCH == {
        "max_poll_records": 2000,
        "fetch_max_bytes": 64 * 1024 * 1024,
        "max_partition_fetch_bytes": 16 * 1024 * 1024,
    }
    assert kafka_bus.RECONNECT_BACKOFF["reconnect_backoff_max_ms"] <= 1000
