"""One frozen Settings struct, read from ``TRACKER_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec

from tracker.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///tracker.db"


WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ReminderSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The reminder jobs (docs/reminders.md); each field is ``TRACKER_<FIELD>`` upper-cased."""

    smtp_url: str = ""
    """``smtp://user:password@host:587`` (STARTTLS), ``smtps://host:465``; empty: cannot send."""
    mail_from: str = "Programme tracker <tracker@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    """Where links in e-mails point."""
    reminders_cron: str = "0 8 * * mon-fri"
    """When ``tracker scheduler`` runs a pass (5 cron fields, or 6 with seconds first)."""
    reminders_timezone: str = "Europe/London"
    reminders_misfire_grace_seconds: int = 3600
    digest_weekday: str = "mon"
    signoff_reminder_days: int = 3
    signoff_escalation_days: int = 8
    milestone_reminder_days: int = 10
    stale_raid_days: int = 30
    informed_window_days: int = 5
    smtp_attempts: int = 3
    smtp_backoff_seconds: float = 1.0
    smtp_timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.digest_weekday not in WEEKDAYS:
            raise InvalidInput(
                f"TRACKER_DIGEST_WEEKDAY must be one of {', '.join(WEEKDAYS)}, "
                f"got {self.digest_weekday!r}"
            )
        if self.smtp_attempts < 1:
            raise InvalidInput("TRACKER_SMTP_ATTEMPTS must be at least 1")
        for name in msgspec.structs.fields(self):
            value = getattr(self, name.name)
            if isinstance(value, int | float) and value < 0:
                raise InvalidInput(f"TRACKER_{name.name.upper()} must not be negative")


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
    projector_batch: int = 2000
    """Events per projector transaction (``TRACKER_PROJECTOR_BATCH``)."""
    backdating_working_days: int = 5
    """An action dated more working days back than this needs an admin and a reason
    (``TRACKER_BACKDATING_WORKING_DAYS``; ``tracker.backdating``)."""
    reminders: ReminderSettings = msgspec.field(default_factory=ReminderSettings)


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


def _backdating_days(env: Mapping[str, str]) -> int:
    days = _int(env, "TRACKER_BACKDATING_WORKING_DAYS", 5)
    if not 0 <= days <= 260:
        raise InvalidInput(
            f"TRACKER_BACKDATING_WORKING_DAYS must be 0 to 260 working days, got {days}"
        )
    return days


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        database_url=normalise_database_url(
            env.get("TRACKER_DATABASE_URL") or DEFAULT_DATABASE_URL
        ),
        max_event_bytes=_int(env, "TRACKER_MAX_EVENT_BYTES", 64 * 1024),
        sqlite_busy_timeout_ms=_int(env, "TRACKER_SQLITE_BUSY_TIMEOUT_MS", 30_000),
        lock_timeout_ms=_int(env, "TRACKER_LOCK_TIMEOUT_MS", 10_000),
        projector_batch=_int(env, "TRACKER_PROJECTOR_BATCH", 2000),
        backdating_working_days=_backdating_days(env),
        reminders=load_reminder_settings(env),
    )


def load_reminder_settings(env: Mapping[str, str]) -> ReminderSettings:
    """Each field from ``TRACKER_<FIELD>``; unset or empty keeps the default."""
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(ReminderSettings):
        raw = env.get(f"TRACKER_{field.name.upper()}")
        if raw is None or raw.strip() == "":
            continue
        try:
            values[field.name] = field.type(raw.strip()) if field.type in (int, float) else raw
        except ValueError as exc:
            kind = "an integer" if field.type is int else "a number"
            raise InvalidInput(f"TRACKER_{field.name.upper()} must be {kind}, got {raw!r}") from exc
    return msgspec.convert(values, ReminderSettings)
