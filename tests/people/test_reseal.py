"""Existing stores: an export of a store written before people's data was sealed moves into a
new store sealed (``tracker people reseal``), on SQLite and on PostgreSQL. Every event keeps its
id, version, position, times and meaning; the names are no longer in the event log; ``verify``
passes on the new store."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import text

from tests.databases import fresh_sqlite_database
from tests.projections.builders import append_all
from tests.reminders.scenario import digital_transition, payroll_transition
from tracker.clock import FixedClock
from tracker.db import create_engine
from tracker.errors import InvalidInput
from tracker.events.base import Metadata, registry
from tracker.events.codec import parse_instant
from tracker.events.open import open_raw_store, open_store
from tracker.events.transfer import export_events, read_lines
from tracker.events.verify import verify_store
from tracker.people.migrate import reseal
from tracker.people.store import SealingStore
from tracker.settings import Settings

pytestmark = pytest.mark.db

NAMES = re.compile(r"glyn|peach|mike\.kirby|Kirby", re.IGNORECASE)


async def old_store_export(tmp_path: Path) -> Path:
    """A store as written before issue 18 (plain names), exported."""
    directory = tmp_path / "old"
    directory.mkdir()
    clock = FixedClock(datetime(2021, 3, 15, 7, tzinfo=UTC))
    async with fresh_sqlite_database(directory) as url:
        raw = open_raw_store(Settings(database_url=url), clock=clock)
        try:
            script, _ = digital_transition()
            await append_all(raw, script, clock)
            await append_all(raw, payroll_transition(), clock)
            path = tmp_path / "old.jsonl"
            with path.open("wb") as out:
                await export_events(raw, out)
        finally:
            await raw.close()
    assert NAMES.search(path.read_text()), "the old store held names in plain text"
    return path


async def test_an_old_store_moves_into_a_sealed_one(database_url: str, tmp_path: Path) -> None:
    export = await old_store_export(tmp_path)
    old = list(read_lines(export))
    settings = Settings(database_url=database_url)
    store = open_store(settings)
    assert isinstance(store, SealingStore)
    try:
        assert await reseal(store, export) == len(old)
        assert (await verify_store(store.inner)).ok
        engine = create_engine(settings)
        try:
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(
                        text("SELECT stream_id, data, metadata, idempotency_key FROM events")
                    )
                ).all()
        finally:
            await engine.dispose()
        assert NAMES.search(" ".join(str(v) for row in rows for v in row)) is None

        # Read back through the store, every event is the one the old store held.
        new = await store.read_all(0, 10_000)
        assert [
            (str(e.event_id), e.version, e.position, e.occurred_at, e.recorded_at) for e in new
        ] == [
            (
                o.event_id,
                o.version,
                o.position,
                parse_instant(o.occurred_at),
                parse_instant(o.recorded_at),
            )
            for o in old
        ]
        for stored, line in zip(new, old, strict=True):
            was = registry.decode(line.type, line.schema_version, bytes(line.data))
            assert stored.data == was, line.type
            assert stored.metadata == msgspec.json.decode(bytes(line.metadata), type=Metadata)

        with pytest.raises(InvalidInput, match="empty store"):
            await reseal(store, export)
    finally:
        await store.close()
