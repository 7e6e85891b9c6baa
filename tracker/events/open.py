"""Choosing the store for a database URL."""

from __future__ import annotations

from tracker.clock import Clock
from tracker.db import create_engine, is_sqlite
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.sqlite_store import SqliteEventStore
from tracker.events.store import EventStore
from tracker.settings import Settings


def open_raw_store(settings: Settings, *, clock: Clock | None = None) -> EventStore:
    """The store alone, events as stored (sealed): for verification, export and import."""
    if is_sqlite(settings.database_url):
        return SqliteEventStore(settings, clock=clock)
    return PostgresEventStore(settings, clock=clock)


def open_store(settings: Settings, *, clock: Clock | None = None) -> EventStore:
    """The store the tracker works through: people's data sealed on the way in and opened on
    the way out (``tracker.people.store``)."""
    from tracker.people.store import SealingStore

    return SealingStore(
        open_raw_store(settings, clock=clock),
        create_engine(settings),
        settings.people_key,
        clock=clock,
    )
