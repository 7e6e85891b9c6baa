"""One frozen Settings struct, read from ``TRACKER_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec

from tracker.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///tracker.db"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = DEFAULT_DATABASE_URL
    max_event_bytes: int = 64 * 1024
    """Largest encoded data + metadata of one event; larger events are refused."""
    max_events_per_append: int = 1000
    sqlite_busy_timeout_ms: int = 30_000
    follower_poll_seconds: float = 0.05
    """How often a follower polls on SQLite (and re-checks on PostgreSQL between notifies)."""
    lock_timeout_ms: int = 10_000
    """PostgreSQL: how long an append waits for a lock before failing as unavailable."""


def normalise_database_url(url: str) -> str:
    """Accept SQLAlchemy URLs and the plain ``postgresql://`` / ``sqlite:///`` forms."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise InvalidInput(
        f"unsupported database URL {url!r}: use postgresql+asyncpg://user@host:port/db "
        "or sqlite+aiosqlite:///path/tracker.db"
    )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be an integer, got {raw!r}") from exc


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        database_url=normalise_database_url(
            env.get("TRACKER_DATABASE_URL") or DEFAULT_DATABASE_URL
        ),
        max_event_bytes=_int(env, "TRACKER_MAX_EVENT_BYTES", 64 * 1024),
        sqlite_busy_timeout_ms=_int(env, "TRACKER_SQLITE_BUSY_TIMEOUT_MS", 30_000),
        lock_timeout_ms=_int(env, "TRACKER_LOCK_TIMEOUT_MS", 10_000),
    )
