"""Choosing the store for a database URL."""

from __future__ import annotations

from tracker.clock import Clock
from tracker.db import is_sqlite
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.sqlite_store import SqliteEventStore
from tracker.events.store import EventStore
from tracker.settings import Settings


def open_store(settings: Settings, *, clock: Clock | None = None) -> EventStore:
    if is_sqlite(settings.database_url):
        return SqliteEventStore(settings, clock=clock)
    return PostgresEventStore(settings, clock=clock)
