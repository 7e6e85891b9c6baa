"""Database engines: aiosqlite (embedded default) or asyncpg (production).

SQLite write transactions start with ``BEGIN IMMEDIATE`` so that a transaction which reads and
then writes never fails with SQLITE_BUSY half-way; reads use a deferred ``BEGIN``.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import sqlite3
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tracker.settings import Settings, normalise_database_url

WRITE_OPTION = "tracker_write"


def is_sqlite(url: str) -> bool:
    return normalise_database_url(url).startswith("sqlite")


def asyncpg_dsn(url: str) -> str:
    """The plain libpq DSN asyncpg takes, from a SQLAlchemy URL."""
    parsed = make_url(normalise_database_url(url))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_path(url: str) -> str:
    parsed = make_url(normalise_database_url(url))
    return parsed.database or ":memory:"


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.database_url
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            hide_parameters=True,  # an error's text is logged; its parameters hold people's data
            pool_size=8,
            max_overflow=8,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, settings)
        return engine
    # Bounded waits, like the store's pool: a server that accepts and never answers, or a pool
    # exhausted by a stuck database, ends as "unavailable" (503) rather than a hung request.
    return create_async_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=10,
        connect_args={"timeout": 10, "command_timeout": 60},
    )


async def own_key(engine: AsyncEngine, table: str, name: str) -> str:
    """A random 32-byte key (base64) kept in ``table`` under ``name``, made on first use: the
    development fallback of a key that production sets in the environment (webhook secrets,
    people's data). ``table`` is one of the tracker's own, never user input."""
    conn = await (await engine.connect()).execution_options(**{WRITE_OPTION: True})
    try:
        async with conn.begin():
            row = (
                await conn.execute(
                    text(f"SELECT key FROM {table} WHERE name = :name"), {"name": name}
                )
            ).first()
            if row is not None:
                return str(row.key)
            made = base64.b64encode(secrets.token_bytes(32)).decode()
            await conn.execute(
                text(f"INSERT INTO {table} (name, key) VALUES (:name, :key)"),
                {"name": name, "key": made},
            )
            return made
    finally:
        await conn.close()


def _configure_sqlite(engine: AsyncEngine, settings: Settings) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's own transaction handling is wrong for us).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: every later statement, this pragma's own included, waits for
        # a busy database instead of failing at once with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        # WAL is a property of the file, set by `tracker db upgrade`. Switching needs an
        # exclusive lock that fails at once, busy timeout or not, while other connections are
        # open ("database is locked" in CI): so only a file that is not WAL yet is switched,
        # and a failed switch leaves it in rollback-journal mode, which is slower, not wrong.
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
