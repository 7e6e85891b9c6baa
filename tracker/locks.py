"""Locks that keep a job to one holder at a time, across processes: a reminders pass, the
scheduler's and the webhook deliverer's leadership, a read-model rebuild.

* PostgreSQL: a **session** advisory lock, ``pg_try_advisory_lock(REMINDERS, n)``, held on a
  dedicated connection (not from a pool). PostgreSQL releases it when that connection ends, so
  a holder checks it still has the connection (``held``) before each step that matters. Session
  locks do not survive PgBouncer in transaction-pooling mode: connect directly.
* SQLite: an exclusive ``flock`` on a file next to the database (``<db>.<name>.lock``), which
  serialises processes on one machine: SQLite is the single-machine configuration.

A lock only keeps holders from overlapping; what must happen once is made so by the store (the
reminder keys in ``history.still_due``, idempotent appends).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
from typing import Protocol

import asyncpg

from tracker.db import asyncpg_dsn, is_sqlite, sqlite_path
from tracker.errors import TrackerError
from tracker.settings import Settings

REMINDERS = 0x72656D69
"""First key of these advisory locks ("remi", as the reminders were their first user; kept, so
that processes of an older version still exclude newer ones); the store uses 0x7472616B
("trak"). Second keys: ``PASS_LOCK`` 1, ``LEADER_LOCK`` 2, the webhooks' 3, the rebuild's 4."""
PASS_LOCK = 1
LEADER_LOCK = 2


class LockLost(TrackerError):
    code = "lock_lost"


class Lock(Protocol):
    async def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, polling for up to ``wait`` seconds; False if another holder keeps it."""
        ...

    async def held(self) -> bool:
        """Whether this holder still holds it (its connection is alive)."""
        ...

    async def release(self) -> None: ...


_POLL = 0.1


class AdvisoryLock:
    """A PostgreSQL session advisory lock on its own connection."""

    def __init__(self, dsn: str, number: int, name: str) -> None:
        self._dsn, self._key, self._name = dsn, (REMINDERS, number), name
        self._conn: asyncpg.Connection | None = None
        self._held = False

    async def acquire(self, wait: float = 0.0) -> bool:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                self._dsn, server_settings={"application_name": f"tracker-{self._name}"}
            )
        deadline = time.monotonic() + wait
        while True:
            if await self._conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", *self._key):
                self._held = True
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(_POLL)

    async def held(self) -> bool:
        if not self._held or self._conn is None or self._conn.is_closed():
            return False
        try:
            await self._conn.fetchval("SELECT 1", timeout=5)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            self._held = False
            return False
        return True

    async def release(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None and not conn.is_closed():
            # Closing the session releases the lock whatever happens to the unlock.
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await conn.execute("SELECT pg_advisory_unlock($1, $2)", *self._key)
            await conn.close()


class FileLock:
    """An exclusive ``flock`` on a file: one holder per file across processes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    async def acquire(self, wait: float = 0.0) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                await asyncio.sleep(_POLL)
                continue
            self._fd = fd
            return True

    async def held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def lock_for(settings: Settings, number: int, name: str) -> Lock:
    url = settings.database_url
    if is_sqlite(url):
        database = sqlite_path(url)
        base = database if database != ":memory:" else os.path.join(os.getcwd(), "tracker")
        return FileLock(f"{os.path.abspath(base)}.{name}.lock")
    return AdvisoryLock(asyncpg_dsn(url), number, name)


def pass_lock(settings: Settings) -> Lock:
    """Held for the whole of one reminders pass."""
    return lock_for(settings, PASS_LOCK, "reminders-pass")


def leader_lock(settings: Settings) -> Lock:
    """Held by the one ``tracker scheduler`` process that schedules passes."""
    return lock_for(settings, LEADER_LOCK, "reminders-scheduler")


__all__ = [
    "LEADER_LOCK",
    "PASS_LOCK",
    "REMINDERS",
    "AdvisoryLock",
    "FileLock",
    "Lock",
    "LockLost",
    "leader_lock",
    "lock_for",
    "pass_lock",
]
