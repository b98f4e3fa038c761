"""Retry schedule, jitter, Retry-After, giving up, and what each answer means."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from services.matching.domain.webhooks.retry import (
    DEFAULT_SCHEDULE_S,
    Outcome,
    RetryPolicy,
    outcome,
    retry_after_seconds,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EXACT = RetryPolicy(jitter=0)


def delay(policy: RetryPolicy, attempt: int, header: str | None = None, rng=None) -> float:
    return (policy.next_attempt(attempt, NOW, header, rng=rng) - NOW).total_seconds()


def test_default_schedule_is_the_standards_example_up_to_ten_hours():
    assert DEFAULT_SCHEDULE_S == (5, 300, 1800, 7200, 18000, 36000)
    assert [delay(EXACT, n) for n in range(1, 7)] == [5, 300, 1800, 7200, 18000, 36000]
    assert EXACT.max_attempts == 7


def test_gives_up_after_the_schedule():
    assert EXACT.next_attempt(7, NOW) is None
    assert EXACT.next_attempt(100, NOW) is None
    assert EXACT.next_attempt(7, NOW, "60") is None  # Retry-After does not revive a spent message


def test_schedule_is_configurable():
    policy = RetryPolicy(schedule_s=[1, 2], jitter=0)
    assert (delay(policy, 1), delay(policy, 2), policy.next_attempt(3, NOW)) == (1, 2, None)


def test_jitter_stays_within_bounds_and_spreads():
    policy, rng = RetryPolicy(), random.Random(20260301)
    for attempt, base in enumerate(DEFAULT_SCHEDULE_S, start=1):
        delays = [delay(policy, attempt, rng=rng) for _ in range(200)]
        assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
        assert max(delays) - min(delays) > base * 0.3  # actually spread, not a constant


def test_jitter_is_reproducible_with_a_seeded_rng():
    first = [delay(RetryPolicy(), 3, rng=random.Random(7)) for _ in range(3)]
    assert first == [delay(RetryPolicy(), 3, rng=random.Random(7)) for _ in range(3)]


def test_retry_after_seconds_moves_the_attempt_later():
    assert delay(EXACT, 1, "120") == 120
    assert delay(RetryPolicy(jitter=0.2), 1, "120", rng=random.Random(1)) == 120  # not jittered below it


def test_retry_after_never_moves_the_attempt_earlier():
    assert delay(EXACT, 3, "1") == 1800


def test_retry_after_http_date():
    later = format_datetime(NOW + timedelta(minutes=10), usegmt=True)  # "Sun, 01 Mar 2026 12:10:00 GMT"
    assert later.endswith("GMT")
    assert delay(EXACT, 1, later) == 600
    earlier = format_datetime(NOW - timedelta(minutes=10), usegmt=True)
    assert delay(EXACT, 1, earlier) == 5


def test_retry_after_is_capped_at_a_day():
    assert delay(EXACT, 1, "9999999") == 24 * 3600
    assert delay(EXACT, 1, format_datetime(NOW + timedelta(days=7), usegmt=True)) == 24 * 3600
    assert delay(RetryPolicy(jitter=0, max_retry_after_s=60), 1, "3600") == 60


@pytest.mark.parametrize("header", ["", "soon", "-5", "1.5", "0x10", "Sun, 99 Foo 2026"])
def test_unreadable_retry_after_is_ignored(header):
    assert retry_after_seconds(header, NOW) is None
    assert delay(EXACT, 2, header) == 300


def test_retry_after_parsing():
    assert retry_after_seconds(None, NOW) is None
    assert retry_after_seconds(" 30 ", NOW) == 30
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 -0000", NOW) == 30


@pytest.mark.parametrize("attempt", [0, -1, True, 1.0])
def test_attempts_are_numbered_from_one(attempt):
    with pytest.raises(ValueError):
        EXACT.next_attempt(attempt, NOW)


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        EXACT.next_attempt(1, datetime(2026, 3, 1, 12))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"schedule_s": ()},
        {"schedule_s": (5, 0)},
        {"schedule_s": (-1,)},
        {"jitter": -0.1},
        {"jitter": 1.0},
        {"max_retry_after_s": -1},
    ],
)
def test_nonsense_policies_are_refused(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize(
    "status, expected",
    [
        (200, Outcome.DELIVERED),
        (201, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (299, Outcome.DELIVERED),
        (410, Outcome.DISABLE),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (502, Outcome.RETRY),
        (503, Outcome.RETRY),
        (504, Outcome.RETRY),
        # other 4xx retry too: a receiver mid-deploy or mid-rotation answers 401/403/404 for a while
        (400, Outcome.RETRY),
        (401, Outcome.RETRY),
        (403, Outcome.RETRY),
        (404, Outcome.RETRY),
        (413, Outcome.RETRY),
        # redirects are not followed; they count as failures
        (301, Outcome.RETRY),
        (302, Outcome.RETRY),
        (307, Outcome.RETRY),
    ],
)
def test_outcome_by_status(status, expected):
    assert outcome(status, None) is expected


@pytest.mark.parametrize(
    "error",
    [
        "timeout: read timed out",
        "connection: refused",
        "tls: hostname mismatch",
        "refused target: resolves to 10.0.0.1",
    ],
)
def test_outcome_without_an_answer_is_retry(error):
    assert outcome(None, error) is Outcome.RETRY


def test_outcome_needs_a_status_or_an_error():
    with pytest.raises(ValueError):
        outcome(None, None)
