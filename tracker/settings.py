"""Every setting of every process, in one frozen ``Settings`` with a section per concern, read
from ``TRACKER_*`` environment variables by one loader (``load_settings``).

- the store, projector and back-dating (top level): ``TRACKER_<FIELD>`` for the fields in
  ``STORE_VARIABLES``, and ``TRACKER_DATABASE_URL``;
- ``reminders``: ``TRACKER_<FIELD>``;
- ``api``: ``TRACKER_API_<FIELD>``, but ``TRACKER_<FIELD>`` for those in ``API_UNPREFIXED``;
- ``pages``: ``TRACKER_SESSION_SECRET`` and ``TRACKER_<FIELD>`` for those in ``PAGE_VARIABLES``.

Unset or empty keeps the default. A value that does not parse, or that the section refuses,
stops the process at start-up naming the variable (``InvalidInput``). The README's
configuration table lists them all.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

import msgspec
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tracker.errors import InvalidInput

DEFAULT_DATABASE_URL: Final = "sqlite+aiosqlite:///tracker.db"
WEEKDAYS: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRUE: Final = frozenset({"1", "true", "yes", "on"})
FALSE: Final = frozenset({"0", "false", "no", "off"})


def _not_negative(section: msgspec.Struct, variable: Callable[[str], str]) -> None:
    for field in msgspec.structs.fields(section):
        value = getattr(section, field.name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise InvalidInput(f"{variable(field.name)} must not be negative, got {value}")


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
        _not_negative(self, _plain)


class ApiSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The HTTP API's limits. The defaults are limits a busy council team never meets; they are
    there to stop a runaway script, not people."""

    max_body_bytes: int = 256 * 1024
    """Largest request body; larger ones get 413."""
    max_page: int = 1000
    """Hard maximum of ``limit`` on list endpoints (larger asks get 400)."""
    default_page: int = 100
    writes_per_minute: int = 600
    """Per token: every POST, PUT and DELETE."""
    token_issues_per_minute: int = 30
    """Per token: POST /api/v1/tokens (on top of the write limit)."""
    token_cache_seconds: float = 5.0
    """How long a token checked against the database is trusted in this process. A token
    revoked through the API stops at once; one revoked from the command line within this."""
    idempotency_hours: float = 24.0
    """How long a response is kept for replay under its Idempotency-Key."""
    idempotency_in_flight_seconds: float = 60.0
    """A first request still marked in flight after this is taken as dead: the key is free."""
    sse_heartbeat_seconds: float = 15.0
    """An idle event stream sends a keep-alive comment this often; every stream also checks its
    token again in the database this often, and ends once it is revoked."""
    streams_per_token: int = 3
    """Event streams one token may hold open at once (in this process); the next gets 429."""
    expensive_reads_per_minute: int = 30
    """Per token: closure report PDFs and XLSX workbooks made for the pages."""
    pdf_cache_bytes: int = 32 * 1024 * 1024
    """Rendered closure report PDFs kept in memory (least recently used first out)."""
    ready_max_lag_seconds: float = 30.0
    """``/ready`` answers 503 while the oldest event the projector has not folded is older than
    this (``TRACKER_READY_MAX_LAG_SECONDS``)."""
    shutdown_grace_seconds: float = 20.0
    """``tracker serve`` on SIGTERM: how long requests in flight may take to finish before they
    are cancelled (``TRACKER_SHUTDOWN_GRACE_SECONDS``)."""
    keep_alive_seconds: float = 75.0
    """``tracker serve``: how long an idle HTTP/1.1 connection is kept open
    (``TRACKER_KEEP_ALIVE_SECONDS``). It must outlast every client's and proxy's own idle
    expiry: a server that closes first races the client's next request on that connection,
    which then fails with a reset (httpx and uvicorn both default to 5 s; nginx upstream
    keep-alive to 60 s)."""

    def __post_init__(self) -> None:
        _not_negative(self, _api_variable)
        if not 1 <= self.keep_alive_seconds <= 3600:
            raise InvalidInput(
                "TRACKER_KEEP_ALIVE_SECONDS must be 1 to 3600 (an hour), "
                f"got {self.keep_alive_seconds}"
            )


API_UNPREFIXED: Final = frozenset(
    {"ready_max_lag_seconds", "shutdown_grace_seconds", "keep_alive_seconds"}
)


def _api_variable(field: str) -> str:
    return _plain(field) if field in API_UNPREFIXED else f"TRACKER_API_{field.upper()}"


SECRET_VARIABLE: Final = "TRACKER_SESSION_SECRET"
MIN_SECRET_CHARACTERS: Final = 43
"""32 random bytes in URL-safe base64; hex (64) and standard base64 (44) are longer."""
KDF_SALT: Final = b"tracker pages"
CSRF_INFO: Final = b"tracker csrf key v1"


def derive_key(secret: bytes, info: bytes) -> bytes:
    """A 32-byte key for one use (``info``) from the secret: HKDF-SHA256 (RFC 5869). The
    secret is random and long (checked), so a fast KDF is right; a password KDF would only
    slow start-up."""
    return HKDF(algorithm=SHA256(), length=32, salt=KDF_SALT, info=info).derive(secret)


class PageSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The pages (docs/pages.md, docs/deployment.md).

    - ``TRACKER_SESSION_SECRET``: at least 43 characters of random text (32 random bytes, as
      ``openssl rand -base64 32`` or ``-hex 32`` prints them); a shorter one stops the process
      at start-up naming the variable. The CSRF tokens' HMAC key is derived from it with
      HKDF-SHA256 under its own label. Unset (``scripts/start``, development), each process
      makes a random one: sessions survive a restart (they are rows in the database), forms
      open across a restart need a reload, and several processes behind one address need the
      variable. Sessions do not depend on it: the cookie holds a random id, not something
      signed (docs/deployment.md, rotation).
    - ``TRACKER_SECURE_COOKIES``: ``true`` or ``false``; by default true when
      ``TRACKER_BASE_URL`` is an ``https://`` address (cookies then travel over HTTPS only).
    - ``TRACKER_SESSION_HOURS``: how long a sign-in lasts at most (default 8, a working day).
    - ``TRACKER_SESSION_IDLE_MINUTES``: a session unused this long ends (default 30).
    """

    secret: bytes = msgspec.field(default_factory=lambda: secrets.token_bytes(32))
    """The root of the CSRF key: ``TRACKER_SESSION_SECRET`` or 32 random bytes."""
    secure_cookies: bool = False
    session_hours: float = 8.0
    session_idle_minutes: float = 30.0

    def __post_init__(self) -> None:
        for field in ("session_hours", "session_idle_minutes"):
            if not getattr(self, field) > 0:
                raise InvalidInput(f"{_plain(field)} must be positive, got {getattr(self, field)}")

    @property
    def csrf_key(self) -> str:
        return derive_key(self.secret, CSRF_INFO).hex()

    @property
    def lifetime_seconds(self) -> float:
        return self.session_hours * 3600

    @property
    def idle_seconds(self) -> float:
        return self.session_idle_minutes * 60


WEBHOOK_KEY_VARIABLE: Final = "TRACKER_WEBHOOK_KEY"
PEOPLE_KEY_VARIABLE: Final = "TRACKER_PEOPLE_KEY"


class WebhookSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Outgoing webhooks (docs/webhooks.md).

    - ``TRACKER_WEBHOOK_ALLOW_HTTP``: accept ``http://`` receivers (default false: https only).
    - ``TRACKER_WEBHOOK_ALLOW_PRIVATE``: accept receivers that resolve to loopback, private or
      link-local addresses (default false: refused as server-side request forgery).
    - ``TRACKER_WEBHOOK_KEY``: at least 43 characters of random text; the signing secrets are
      encrypted (AES-GCM) with a key derived from it. Unset, a random key is made once and kept
      in the database (development only: a copy of the database then reads the secrets).
    """

    allow_http: bool = False
    allow_private: bool = False
    key: bytes | None = None


STORE_VARIABLES: Final = (
    "max_event_bytes",
    "sqlite_busy_timeout_ms",
    "lock_timeout_ms",
    "projector_batch",
    "backdating_working_days",
)
"""The top-level fields read from the environment; the others are fixed in code."""
MAX_BACKDATING_WORKING_DAYS: Final = 260
PAGE_VARIABLES: Final = frozenset({"secure_cookies", "session_hours", "session_idle_minutes"})
"""The page fields read as ``TRACKER_<FIELD>``; the secret is ``TRACKER_SESSION_SECRET``."""


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
    api: ApiSettings = msgspec.field(default_factory=ApiSettings)
    pages: PageSettings = msgspec.field(default_factory=PageSettings)
    webhooks: WebhookSettings = msgspec.field(default_factory=WebhookSettings)
    people_key: bytes | None = None
    """``TRACKER_PEOPLE_KEY``: at least 43 characters of random text. People's pseudonyms and
    the wrapping of their data keys derive from it (``tracker.people``; docs/privacy.md).
    Unset, a random key is made once and kept in the database (development only)."""

    def __post_init__(self) -> None:
        if not 0 <= self.backdating_working_days <= MAX_BACKDATING_WORKING_DAYS:
            raise InvalidInput(
                f"TRACKER_BACKDATING_WORKING_DAYS must be 0 to {MAX_BACKDATING_WORKING_DAYS} "
                f"working days, got {self.backdating_working_days}"
            )


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


def _plain(field: str) -> str:
    return f"TRACKER_{field.upper()}"


def _parse(variable: str, kind: object, raw: str) -> object:
    """One variable's text as its field's type."""
    if kind is bool:
        lowered = raw.lower()
        if lowered in TRUE | FALSE:
            return lowered in TRUE
        raise InvalidInput(f"{variable} must be true or false, got {raw!r}")
    if kind is int or kind is float:
        try:
            return int(raw) if kind is int else float(raw)
        except ValueError as exc:
            what = "an integer" if kind is int else "a number"
            raise InvalidInput(f"{variable} must be {what}, got {raw!r}") from exc
    return raw


S = TypeVar("S", bound=msgspec.Struct)


def _read(
    env: Mapping[str, str],
    section: type[S],
    variable: Callable[[str], str],
    fields: frozenset[str] | None = None,
) -> dict[str, object]:
    """The fields of ``section`` (those in ``fields``, or all) that the environment sets."""
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(section):
        if fields is not None and field.name not in fields:
            continue
        raw = env.get(variable(field.name), "").strip()
        if raw:
            values[field.name] = _parse(variable(field.name), field.type, raw)
    return values


def _session_secret(env: Mapping[str, str]) -> bytes | None:
    """The configured secret, refused when too short to be random; None when unset."""
    given = env.get(SECRET_VARIABLE, "").strip()
    if not given:
        return None
    if len(given) < MIN_SECRET_CHARACTERS:
        raise InvalidInput(
            f"{SECRET_VARIABLE} is {len(given)} characters: it must be at least "
            f"{MIN_SECRET_CHARACTERS} characters of random text (32 random bytes); make one "
            "with `openssl rand -base64 32` (docs/deployment.md)",
            code="weak_session_secret",
        )
    return given.encode("utf-8")


def _webhooks(env: Mapping[str, str]) -> WebhookSettings:
    values = _read(
        env, WebhookSettings, _webhook_variable, frozenset({"allow_http", "allow_private"})
    )
    given = env.get(WEBHOOK_KEY_VARIABLE, "").strip()
    if given and len(given) < MIN_SECRET_CHARACTERS:
        raise InvalidInput(
            f"{WEBHOOK_KEY_VARIABLE} is {len(given)} characters: it must be at least "
            f"{MIN_SECRET_CHARACTERS} characters of random text; make one with "
            "`openssl rand -base64 32` (docs/webhooks.md)",
            code="weak_webhook_key",
        )
    if given:
        values["key"] = given.encode("utf-8")
    return WebhookSettings(**values)  # type: ignore[arg-type]


def _people_key(env: Mapping[str, str]) -> bytes | None:
    given = env.get(PEOPLE_KEY_VARIABLE, "").strip()
    if given and len(given) < MIN_SECRET_CHARACTERS:
        raise InvalidInput(
            f"{PEOPLE_KEY_VARIABLE} is {len(given)} characters: it must be at least "
            f"{MIN_SECRET_CHARACTERS} characters of random text; make one with "
            "`openssl rand -base64 32` (docs/privacy.md)",
            code="weak_people_key",
        )
    return given.encode("utf-8") if given else None


def _webhook_variable(field: str) -> str:
    return f"TRACKER_WEBHOOK_{field.upper()}"


def _pages(env: Mapping[str, str]) -> PageSettings:
    https = env.get("TRACKER_BASE_URL", "").strip().lower().startswith("https://")
    values = _read(env, PageSettings, _plain, PAGE_VARIABLES)
    values.setdefault("secure_cookies", https)
    secret = _session_secret(env)
    if secret is not None:
        values["secret"] = secret
    return PageSettings(**values)  # type: ignore[arg-type]


def environment_variables() -> frozenset[str]:
    """Every variable ``load_settings`` reads."""
    names = {
        "TRACKER_DATABASE_URL",
        "TRACKER_BASE_URL",
        SECRET_VARIABLE,
        WEBHOOK_KEY_VARIABLE,
        PEOPLE_KEY_VARIABLE,
    }
    names.update(_webhook_variable(f) for f in ("allow_http", "allow_private"))
    names.update(_plain(f) for f in STORE_VARIABLES)
    names.update(_plain(f) for f in PAGE_VARIABLES)
    names.update(_plain(f.name) for f in msgspec.structs.fields(ReminderSettings))
    names.update(_api_variable(f.name) for f in msgspec.structs.fields(ApiSettings))
    return frozenset(names)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Every section from ``env`` (the process's environment by default)."""
    env = os.environ if env is None else env
    store = _read(env, Settings, _plain, frozenset(STORE_VARIABLES))
    reminders = _read(env, ReminderSettings, _plain)
    return Settings(
        database_url=normalise_database_url(
            env.get("TRACKER_DATABASE_URL") or DEFAULT_DATABASE_URL
        ),
        reminders=ReminderSettings(**reminders),  # type: ignore[arg-type]
        api=ApiSettings(**_read(env, ApiSettings, _api_variable)),  # type: ignore[arg-type]
        pages=_pages(env),
        webhooks=_webhooks(env),
        people_key=_people_key(env),
        **store,  # type: ignore[arg-type]
    )
