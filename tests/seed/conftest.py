"""``seeded``: one store per database with the seed loaded once for this test package (a load
takes seconds; the tests using it only read, in the package's event loop:
``pytest.mark.asyncio(loop_scope="package")``). ``test_loading`` loads into the shared ``store``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
import pytest_asyncio

from seed import SeedReport, load_seed
from tests.conftest import NOW
from tests.databases import fresh_postgres_database, fresh_sqlite_database
from tracker.clock import FixedClock
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.sqlite_store import SqliteEventStore
from tracker.events.store import EventStore
from tracker.settings import Settings


class Seeded(msgspec.Struct, kw_only=True):
    store: EventStore
    report: SeedReport


@pytest_asyncio.fixture(
    scope="package",
    loop_scope="package",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Seeded]:
    clock = FixedClock(NOW)
    if request.param == "sqlite":
        async with fresh_sqlite_database(tmp_path_factory.mktemp("seed")) as url:
            store: EventStore = SqliteEventStore(Settings(database_url=url), clock=clock)
            try:
                yield Seeded(store=store, report=await load_seed(store, clock))
            finally:
                await store.close()
    else:
        async with fresh_postgres_database() as url:
            store = PostgresEventStore(Settings(database_url=url), clock=clock)
            try:
                yield Seeded(store=store, report=await load_seed(store, clock))
            finally:
                await store.close()
