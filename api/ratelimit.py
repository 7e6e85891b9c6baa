"""A per-token rate limit for writes and token issue: a fixed one-minute window per bucket,
counted in the database so that every API process shares it.

Each counted request is one statement: an upsert that adds one to the (token, bucket, window)
row and returns the new count (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, atomic on
SQLite and PostgreSQL), so two replicas together allow the limit, not twice it. Windows are
aligned on the clock (``window_start`` a multiple of 60 s since 1970), so every process agrees
which one it is in; a process deletes the windows before the current one when it first counts
in a new window. The limits come from ``ApiSettings``; ``docs/api.md`` has the figures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.errors import ApiProblem
from tracker.db import WRITE_OPTION

WINDOW_SECONDS: Final = 60

COUNT: Final = text(
    "INSERT INTO rate_limit_windows (token_id, bucket, window_start, hits) "
    "VALUES (:token_id, :bucket, :window_start, 1) "
    "ON CONFLICT (token_id, bucket, window_start) "
    "DO UPDATE SET hits = rate_limit_windows.hits + 1 RETURNING hits"
)
PRUNE: Final = text("DELETE FROM rate_limit_windows WHERE window_start < :window_start")


class RateLimiter:
    def __init__(
        self,
        engine: AsyncEngine,
        limits: dict[str, int],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock``: seconds since 1970, the wall clock every process shares."""
        self._engine = engine
        self._limits = limits
        self._clock = clock
        self._pruned: int | None = None
        """The window whose predecessors this process has deleted."""

    async def hit(self, token_id: str, bucket: str) -> None:
        """Count one request; raise 429 when the bucket's limit for this minute is used up."""
        limit = self._limits[bucket]
        now = self._clock()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        count = await self._count(token_id, bucket, window)
        if count > limit:
            reset = max(1, math.ceil(window + WINDOW_SECONDS - now))
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

    async def _count(self, token_id: str, bucket: str, window: int) -> int:
        params = {"token_id": token_id, "bucket": bucket, "window_start": window}
        async with self._engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One statement needs no transaction around it: no BEGIN and COMMIT round trips.
                auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await self._prune(auto, window)
                return int((await auto.execute(COUNT, params)).scalar_one())
            write = await conn.execution_options(**{WRITE_OPTION: True})
            async with write.begin():
                await self._prune(write, window)
                return int((await write.execute(COUNT, params)).scalar_one())

    async def _prune(self, conn: AsyncConnection, window: int) -> None:
        if self._pruned != window:
            await conn.execute(PRUNE, {"window_start": window})
            self._pruned = window
