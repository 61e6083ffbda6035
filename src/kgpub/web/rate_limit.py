"""Per-client rate limiting: a token bucket per client address, in bounded memory.

Each client (the address the request came from, after the trusted proxy handling of
:mod:`kgpub.web.proxy`) has a bucket holding up to ``burst`` tokens, refilled at ``rate``
tokens per second. A request spends one token; a request that finds the bucket empty is
refused, and told how long until a token is back (the ``Retry-After`` of a 429).

Memory stays bounded however many addresses show up: buckets are kept in least-recently-used
order, a bucket that has been idle long enough to be full again is dropped (a full bucket is
what a new client gets, so forgetting it changes nothing), and past ``max_clients`` the least
recently seen client is forgotten even if its bucket is not full yet. Nothing here imports
Flask; the app checks each request in a ``before_request`` hook.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

DEFAULT_MAX_CLIENTS = 10_000
"""Clients remembered at once: about 1.5 MB of buckets, far more than are active together."""


class ClientLimiter(Protocol):
    """What the app asks of a rate limiter.

    This module's :class:`RateLimiter` answers it, and so does the shared one of
    :mod:`kgpub.web.shared_rate_limit` that granian's server processes use together.
    """

    rate: float
    burst: int

    def wait_seconds(self, client: str) -> float:
        """Spend one of ``client``'s tokens and return 0.0, or, when it has none, the wait."""


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class RateLimiter:
    """Token buckets per client: ``rate`` requests per second, bursts of up to ``burst``.

    Thread-safe: every server thread shares one limiter.

    >>> now = [0.0]
    >>> limiter = RateLimiter(rate=2, burst=3, clock=lambda: now[0])
    >>> [limiter.wait_seconds("192.0.2.1") for _ in range(4)]
    [0.0, 0.0, 0.0, 0.5]
    >>> now[0] = 0.5
    >>> limiter.wait_seconds("192.0.2.1"), limiter.wait_seconds("192.0.2.1")
    (0.0, 0.5)
    """

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_clients: int = DEFAULT_MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_clients < 1:
            raise ValueError(
                f"a rate limiter needs rate > 0, burst ≥ 1 and max_clients ≥ 1, not "
                f"rate={rate}, burst={burst}, max_clients={max_clients}"
            )
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._seconds_to_fill = burst / rate

    def wait_seconds(self, client: str) -> float:
        """Spend one of ``client``'s tokens and return 0.0, or, when it has none, the wait.

        A refused request spends nothing, so a client that retries after the wait it was
        told is admitted.
        """
        with self._lock:
            now = self._clock()
            self._forget_idle(now)
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = _Bucket(float(self.burst), now)
            else:
                bucket.tokens = refilled(
                    bucket.tokens, now - bucket.updated_at, self.rate, self.burst
                )
                bucket.updated_at = now
            self._buckets[client] = bucket  # now the most recently seen
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            bucket.tokens, wait = spent(bucket.tokens, self.rate)
            return wait

    @property
    def client_count(self) -> int:
        """How many clients' buckets are held right now."""
        with self._lock:
            return len(self._buckets)

    def _forget_idle(self, now: float) -> None:
        # Buckets are in the order they were last used, so the idle ones are at the front.
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.updated_at < self._seconds_to_fill:
                break
            self._buckets.popitem(last=False)


def refilled(tokens: float, elapsed: float, rate: float, burst: int) -> float:
    """A bucket's tokens ``elapsed`` seconds after it held ``tokens``: at most ``burst``."""
    return min(float(burst), tokens + max(0.0, elapsed) * rate)


def spent(tokens: float, rate: float) -> tuple[float, float]:
    """A bucket's tokens after a request, and the request's wait (0.0: admitted).

    A refused request spends nothing, so waiting as long as it is told is enough.

    >>> spent(2.5, rate=2), spent(0.5, rate=2)
    ((1.5, 0.0), (0.5, 0.25))
    """
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) / rate


def retry_after_header(wait_seconds: float) -> str:
    """The ``Retry-After`` value for a wait: whole seconds, rounded up, at least 1.

    >>> retry_after_header(0.01), retry_after_header(1.0), retry_after_header(2.4)
    ('1', '1', '3')
    """
    return str(max(1, math.ceil(wait_seconds)))
