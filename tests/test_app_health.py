"""The process endpoints, through HTTP on a running app."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.app import create_app
from tracker.settings import Settings


async def test_health_and_ready_answer_on_a_migrated_database(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url))
    async with AsyncTestClient(app) as client:
        health = await client.get("/health")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        ready = await client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["database"] == "reachable"
        assert ready.json()["head_position"] == 0


async def test_ready_fails_with_503_when_the_database_is_unreachable() -> None:
    app = create_app(Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none"))
    async with AsyncTestClient(app) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
