"""Two rebuilds at once (an erasure in the API while an operator runs
``tracker projections rebuild``, or two erasures): they take turns, both succeed, and the read
model they leave equals a fresh fold."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.projector.test_projector import engine, fresh_fold, given_programmes, live, store
from tracker.clock import FixedClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.events.store import EventStore
from tracker.projections.read_model.projector import Projector
from tracker.projections.read_model.rebuild import rebuild
from tracker.settings import Settings

__all__ = ["engine", "store"]


async def test_two_rebuilds_at_once_take_turns_and_both_succeed(
    store: EventStore, engine: AsyncEngine, clock: FixedClock, database_url: str
) -> None:
    await given_programmes(store, clock, programmes=4, deliverables=6)
    await Projector(store, engine).catch_up()
    settings = Settings(database_url=database_url)
    other_store, other_engine = open_store(settings, clock=clock), create_engine(settings)
    try:
        reports = await asyncio.gather(
            rebuild(store, engine, batch_size=4), rebuild(other_store, other_engine, batch_size=4)
        )
    finally:
        await other_store.close()
        await other_engine.dispose()
    assert [r.unchanged for r in reports] == [4, 4]
    assert await live(engine) == await fresh_fold(store)
