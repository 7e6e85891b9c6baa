"""Alembic environment: async engines for both databases."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

config = context.config


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # WAL is a property of the file: set it here, on the one connection a migration has,
        # so the app's many connections never race to switch it (tracker/db.py).
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database URL: run migrations with `tracker db upgrade`")
    engine = create_async_engine(url, poolclass=NullPool, hide_parameters=True)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `tracker db upgrade`")
asyncio.run(_main())
