"""Per-address rate limits for the unauthenticated routes (disclosure board, Open311 reads).

Counted in process memory with the ``limits`` library: each worker process counts on its
own, so N workers let through up to N times the limit. That is enough to keep one scraper
from monopolising the service; a shared limit across nodes would put the counters in
Redis (``limits`` supports it with a different storage URI).

The strategy is the sliding window counter: it weighs the previous window's count and
costs the same at any limit. The moving window counts exactly, but keeps an entry per
request in a list it inserts into at the front; at a high limit that cost 15-20% of an
Open311 list (bench/RESULTS.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from partygrid.config import Settings
from partygrid.domain.errors import RateLimited


class PublicRateLimiter:
    def __init__(self, limits: str) -> None:
        self.items: list[RateLimitItem] = parse_many(limits)
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def check(self, bucket: str, client: str) -> None:
        """Count one request; raise ``RateLimited`` (with the wait) when over any limit."""
        for item in self.items:
            if not self.limiter.hit(item, bucket, client):
                reset_time, _ = self.limiter.get_window_stats(item, bucket, client)
                raise RateLimited(max(1, math.ceil(reset_time - time.time())))


def _limiter(request: Request) -> PublicRateLimiter:
    limiter: PublicRateLimiter | None = getattr(request.app.state, "public_rate_limiter", None)
    if limiter is None:
        settings: Settings = request.app.state.settings
        limiter = PublicRateLimiter(settings.public_rate_limit)
        request.app.state.public_rate_limiter = limiter
    return limiter


def rate_limited(bucket: str) -> Callable[[Request], Awaitable[None]]:
    """Dependency counting a request of the caller's address against ``bucket``."""

    async def dependency(request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        _limiter(request).check(bucket, client)

    dependency.__name__ = f"rate_limited_{bucket}"
    return dependency
