"""Shared fixtures. Each test states its own "given"; fixtures only provide infrastructure.

- ``clock``: a FixedClock at 2026-11-26T12:00Z, the clock of the stores below.
- ``sqlite_url`` / ``postgres_url``: a migrated, empty database for one test.
- ``sqlite_store`` / ``pg_store``: a store on it; ``store`` runs the test on both.
- ``read_side``: a store and its read model (rows, projector, reader) on both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.databases import fresh_postgres_database, fresh_sqlite_database
from tracker.clock import FixedClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.sqlite_store import SqliteEventStore
from tracker.events.store import EventStore
from tracker.projections.read_model.projector import Projector
from tracker.projections.read_model.reader import Reader
from tracker.projections.read_model.rows import LIVE, read_all_views
from tracker.projections.read_model.views import ProgrammeView
from tracker.settings import Settings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_sqlite_database(tmp_path) as url:
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def sqlite_store(sqlite_url: str, clock: FixedClock) -> AsyncIterator[SqliteEventStore]:
    store = SqliteEventStore(Settings(database_url=sqlite_url), clock=clock)
    yield store
    await store.close()


@pytest.fixture
async def pg_store(postgres_url: str, clock: FixedClock) -> AsyncIterator[PostgresEventStore]:
    store = PostgresEventStore(Settings(database_url=postgres_url), clock=clock)
    yield store
    await store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> EventStore:
    """The same test on SQLite and on PostgreSQL."""
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    value: EventStore = request.getfixturevalue(name)
    return value


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated empty database URL, on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    value: str = request.getfixturevalue(name)
    return value


class ReadSide:
    """A store and the read model beside it, in one database."""

    def __init__(self, store: EventStore, engine: AsyncEngine) -> None:
        self.store = store
        self.engine = engine
        self.reader = Reader(store, engine)

    def projector(self, **options: Any) -> Projector:
        return Projector(self.store, self.engine, **options)

    async def project(self, **options: Any) -> int:
        """Fold everything appended so far into the rows."""
        return await self.projector(**options).catch_up()

    async def rows(self) -> dict[str, ProgrammeView]:
        """Every programme as the rows hold it."""
        return (await read_all_views(self.engine, LIVE)).views


@pytest.fixture
async def read_side(database_url: str, clock: FixedClock) -> AsyncIterator[ReadSide]:
    """A store and its read model on SQLite and on PostgreSQL (nothing projected yet)."""
    settings = Settings(database_url=database_url)
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    yield ReadSide(store, engine)
    await store.close()
    await engine.dispose()
