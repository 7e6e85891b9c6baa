"""The security review of issue 14, findings 6, 7, 8 and 11: page sessions that end, tokens that
expire, keys that survive rotation, and a write limit shared by every API process. One
regression test per finding, named after it, through HTTP on SQLite and PostgreSQL.

The same findings against a served process: tests/pages/test_security.py; the key's
derivation and the secret's length: tests/pages/test_settings.py.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from api.errors import ApiProblem
from api.ratelimit import RateLimiter
from api.settings import ApiSettings
from tests.api.client import running_api
from tracker.db import create_engine
from tracker.settings import Settings

# Finding 11: one write limit for every API process.


def not_near_a_minute_boundary() -> None:
    """The limit counts per clock minute: start a test early in one."""
    second = time.time() % 60
    if second > 45:
        time.sleep(60.5 - second)


async def test_finding_11_the_write_limit_holds_across_two_api_processes(
    database_url: str,
) -> None:
    limits = ApiSettings(token_cache_seconds=0, writes_per_minute=4)
    async with (
        running_api(database_url, api_settings=limits) as first,
        running_api(database_url, api_settings=limits, run_projector=False) as second,
    ):
        admin = await first.admin()
        not_near_a_minute_boundary()
        statuses = []
        for n in range(5):
            replica = (first, second)[n % 2]
            body = {"key": f"p{n}", "name": "N", "start": "2020-01-06"}
            answer = await replica.post("/api/v1/programmes", admin, body)
            statuses.append(answer.status_code)
        assert statuses == [201, 201, 201, 201, 429]
        assert 1 <= int(answer.headers["retry-after"]) <= 60
        assert answer.headers["ratelimit-limit"] == "4" and answer.json()["code"] == "rate_limited"
        again = {"key": "p9", "name": "N", "start": "2020-01-06"}
        assert (await first.post("/api/v1/programmes", admin, again)).status_code == 429
        assert (await second.get("/api/v1/programmes", admin)).status_code == 200  # reads go on


async def test_finding_11_writes_at_once_through_two_processes_never_pass_the_limit(
    database_url: str,
) -> None:
    engines = [create_engine(Settings(database_url=database_url)) for _ in range(2)]
    at = 1_800_000_000.0  # one fixed window for the whole test
    limiters = [RateLimiter(engine, {"write": 10}, clock=lambda: at) for engine in engines]

    async def hit(n: int) -> int:
        try:
            await limiters[n % 2].hit("token-1", "write")
        except ApiProblem as refused:
            return refused.status
        return 200

    try:
        statuses = await asyncio.gather(*(hit(n) for n in range(30)))
    finally:
        for engine in engines:
            await engine.dispose()
    assert statuses.count(200) == 10 and statuses.count(429) == 20


async def test_finding_11_windows_before_the_current_one_are_deleted(database_url: str) -> None:
    engine = create_engine(Settings(database_url=database_url))
    now = [1_800_000_000.0]
    limiter = RateLimiter(engine, {"write": 1}, clock=lambda: now[0])
    try:
        await limiter.hit("token-1", "write")
        await limiter.hit("token-2", "write")
        with pytest.raises(ApiProblem):
            await limiter.hit("token-1", "write")
        now[0] += 60  # the next minute: a fresh count, and the old one is gone
        await limiter.hit("token-1", "write")
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT token_id, window_start FROM rate_limit_windows"))
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [("token-1", 1_800_000_060)]
