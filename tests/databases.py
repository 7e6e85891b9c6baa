"""Test databases: a SQLite file per test, a fresh PostgreSQL database per test.

PostgreSQL tests need the server at ``TRACKER_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``). Locally they skip when it is unreachable;
with ``CI=true`` they fail instead, so CI never passes without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from tracker.migrations import upgrade_async

ADMIN_DSN = os.environ.get("TRACKER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


async def postgres_reachable() -> bool:
    try:
        conn = await asyncpg.connect(ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _dsn_for(database: str) -> str:
    base, _, _ = ADMIN_DSN.rpartition("/")
    return f"{base}/{database}"


@asynccontextmanager
async def fresh_postgres_database(prefix: str = "tracker_test") -> AsyncIterator[str]:
    """Create an empty database, migrate it, yield its SQLAlchemy URL, then drop it."""
    if not await postgres_reachable():
        if in_ci():
            pytest.fail(f"PostgreSQL is unreachable at {ADMIN_DSN} and CI=true: tests must run")
        pytest.skip(f"PostgreSQL is unreachable at {ADMIN_DSN}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _dsn_for(name).replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        await upgrade_async(url)
        yield url
    finally:
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def fresh_sqlite_database(directory: Path) -> AsyncIterator[str]:
    url = f"sqlite+aiosqlite:///{directory / 'tracker.db'}"
    await upgrade_async(url)
    yield url


async def pseudonyms(url: str, people: Iterable[str]) -> dict[str, str]:
    """Each person's pseudonym in the store at ``url`` (``tracker.people.store``)."""
    from tracker.events.open import open_store
    from tracker.people.store import pseudonym_for
    from tracker.settings import Settings

    store = open_store(Settings(database_url=url))
    try:
        return {person: await pseudonym_for(store, person) for person in people}
    finally:
        await store.close()


async def plain_keys(url: str, people: Iterable[str]) -> Callable[[str | None], str | None]:
    """Turns idempotency keys as a store keeps them (each address as its pseudonym,
    ``tracker.people.store``) back into the keys the API was sent, for these people."""
    back = {pseudonym: person for person, pseudonym in (await pseudonyms(url, people)).items()}

    def plain(key: str | None) -> str | None:
        if key is None:
            return None
        for pseudonym, person in back.items():
            key = key.replace(pseudonym, person)
        return key

    return plain
