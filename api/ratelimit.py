"""A per-token rate limit for writes and token issue: a fixed one-minute window per bucket.

In memory, per process: ``tracker serve`` runs one process; behind several workers each one
counts alone (docs/api.md). The limits come from ``ApiSettings``.
"""

from __future__ import annotations

import math
import time
from typing import Final

from api.errors import ApiProblem

WINDOW_SECONDS: Final = 60.0


class RateLimiter:
    def __init__(self, limits: dict[str, int], *, max_keys: int = 100_000) -> None:
        self._limits = limits
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._max_keys = max_keys

    def hit(self, token_id: str, bucket: str) -> None:
        """Count one request; raise 429 when the bucket's limit for this minute is used up."""
        limit = self._limits[bucket]
        now = time.monotonic()
        key = (token_id, bucket)
        start, count = self._windows.get(key, (now, 0))
        if now - start >= WINDOW_SECONDS:
            start, count = now, 0
        if count >= limit:
            reset = max(1, math.ceil(start + WINDOW_SECONDS - now))
            raise ApiProblem(
                429,
                "rate_limited",
                f"this token has made {limit} {bucket} requests this minute, the most allowed: "
                f"retry in {reset} s",
                headers={
                    "Retry-After": str(reset),
                    "RateLimit-Limit": str(limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                },
            )
        if len(self._windows) >= self._max_keys:
            self._windows.clear()
        self._windows[key] = (start, count + 1)
