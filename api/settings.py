"""The API's own settings, read from ``TRACKER_API_*`` environment variables.

The defaults are limits a busy council team never meets; they are there to stop a runaway
script, not people.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec

from tracker.errors import InvalidInput


class ApiSettings(msgspec.Struct, frozen=True, kw_only=True):
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


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise InvalidInput(f"{name} must not be negative, got {raw!r}")
    return value


def load_api_settings(env: Mapping[str, str] | None = None) -> ApiSettings:
    env = os.environ if env is None else env
    d = ApiSettings()
    return ApiSettings(
        max_body_bytes=int(_number(env, "TRACKER_API_MAX_BODY_BYTES", d.max_body_bytes)),
        max_page=int(_number(env, "TRACKER_API_MAX_PAGE", d.max_page)),
        default_page=int(_number(env, "TRACKER_API_DEFAULT_PAGE", d.default_page)),
        writes_per_minute=int(_number(env, "TRACKER_API_WRITES_PER_MINUTE", d.writes_per_minute)),
        token_issues_per_minute=int(
            _number(env, "TRACKER_API_TOKEN_ISSUES_PER_MINUTE", d.token_issues_per_minute)
        ),
        token_cache_seconds=_number(env, "TRACKER_API_TOKEN_CACHE_SECONDS", d.token_cache_seconds),
        idempotency_hours=_number(env, "TRACKER_API_IDEMPOTENCY_HOURS", d.idempotency_hours),
        idempotency_in_flight_seconds=_number(
            env, "TRACKER_API_IDEMPOTENCY_IN_FLIGHT_SECONDS", d.idempotency_in_flight_seconds
        ),
        sse_heartbeat_seconds=_number(
            env, "TRACKER_API_SSE_HEARTBEAT_SECONDS", d.sse_heartbeat_seconds
        ),
        streams_per_token=int(_number(env, "TRACKER_API_STREAMS_PER_TOKEN", d.streams_per_token)),
        expensive_reads_per_minute=int(
            _number(env, "TRACKER_API_EXPENSIVE_READS_PER_MINUTE", d.expensive_reads_per_minute)
        ),
        pdf_cache_bytes=int(_number(env, "TRACKER_API_PDF_CACHE_BYTES", d.pdf_cache_bytes)),
        ready_max_lag_seconds=_number(
            env, "TRACKER_READY_MAX_LAG_SECONDS", d.ready_max_lag_seconds
        ),
        shutdown_grace_seconds=_number(
            env, "TRACKER_SHUTDOWN_GRACE_SECONDS", d.shutdown_grace_seconds
        ),
    )
