"""When to try a webhook again, when to give up, and what a response means.

The default schedule follows the Standard Webhooks example (immediately, then 5 s, 5 min,
30 min, 2 h, 5 h, 10 h): quick retries ride out a blip or a deploy, the long tail survives a
receiver's outage of most of a day. Jitter spreads retries so that the failures we caused by a
burst are not repeated by the same burst. `Retry-After` is honoured as "not before", capped so
a receiver cannot park a message for weeks.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum

DEFAULT_SCHEDULE_S = (5, 300, 1800, 7200, 18000, 36000)
MAX_RETRY_AFTER_S = 24 * 3600
_DELAY_SECONDS = re.compile(r"[0-9]{1,12}")
_DEFAULT_RNG = random.Random()


class Outcome(Enum):
    DELIVERED = "delivered"  # 2xx: done
    RETRY = "retry"  # any other answer, or none: try again per the schedule
    DISABLE = "disable"  # 410 Gone: the receiver asked us to stop; disable the subscription


def outcome(status_code: int | None, error: str | None = None) -> Outcome:
    """Classify one attempt: by its status when the receiver answered, else by the error.

    Only 2xx is success. Only 410 disables: it is the one answer by which a receiver says "stop".
    Every other answer is retried, 4xx included (the standard says to treat the rest of the
    status codes as failures, not as final): a 401/403/404 is usually a receiver mid-deploy or
    mid-rotation of its secret, and giving up at once would lose the alert for good, whereas a
    bounded schedule costs a few requests. 3xx is a failure too (we never follow redirects; the
    subscriber should update the URL). Timeouts, connection errors and refused targets retry:
    the target is checked again before each attempt, so a fixed DNS record recovers.
    """
    if status_code is None:
        if not error:
            raise ValueError("an attempt has a status code or an error")
        return Outcome.RETRY
    if 200 <= status_code <= 299:
        return Outcome.DELIVERED
    if status_code == 410:
        return Outcome.DISABLE
    return Outcome.RETRY


@dataclass(frozen=True)
class RetryPolicy:
    """`schedule_s[n-1]` is the delay after failed attempt n; past the end we give up."""

    schedule_s: tuple[float, ...] = DEFAULT_SCHEDULE_S
    jitter: float = 0.2  # each delay is scaled by a factor drawn uniformly from 1 ± jitter
    max_retry_after_s: float = MAX_RETRY_AFTER_S

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule_s", tuple(self.schedule_s))
        if not self.schedule_s or any(delay <= 0 for delay in self.schedule_s):
            raise ValueError("a retry schedule is one or more positive delays in seconds")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        if self.max_retry_after_s < 0:
            raise ValueError("max_retry_after_s is not negative")

    @property
    def max_attempts(self) -> int:
        """The first, immediate attempt plus one per scheduled delay."""
        return 1 + len(self.schedule_s)

    def next_attempt(
        self,
        attempt_number: int,
        now: datetime,
        retry_after_header: str | None = None,
        rng: random.Random | None = None,
    ) -> datetime | None:
        """When to make the next attempt after failed attempt `attempt_number` (1 = the first),
        or None to give up. A usable `Retry-After` moves it later, never earlier."""
        if isinstance(attempt_number, bool) or not isinstance(attempt_number, int) or attempt_number < 1:
            raise ValueError("attempts are numbered from 1")
        _require_aware(now)
        if attempt_number > len(self.schedule_s):
            return None
        factor = 1 + (rng or _DEFAULT_RNG).uniform(-self.jitter, self.jitter)
        delay = self.schedule_s[attempt_number - 1] * factor
        asked = retry_after_seconds(retry_after_header, now)
        if asked is not None:
            delay = max(delay, min(asked, self.max_retry_after_s))
        return now + timedelta(seconds=delay)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds from `now` that a `Retry-After` value asks for (RFC 9110 §10.2.3: delay-seconds
    or an HTTP-date); None when absent or unreadable, which we treat as not given."""
    if value is None:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates come back naive; HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _require_aware(now)).total_seconds())


def _require_aware(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("now is a timezone-aware datetime")
    return now
