"""Request and correlation ids, the access log, and this process's own Prometheus counters.

Every HTTP request gets a request id (``X-Request-Id`` when the client sent a sane one, else a
new uuid4 hex) and a correlation id (``X-Correlation-Id``, else the request id). Both are held
in context variables (``tracker.logs``) while the request runs, so every log line it causes
carries them, and ``api.writes`` stores the correlation id in the metadata of the events the
request writes. Both come back as headers on every response, errors and 404s included.

One access line per request: method, path (never the query string, never a header),
route template, status, duration. The same figures feed the request counter and latency
histogram, labelled by method, route template (``unmatched`` for a path no route serves, so a
scanner cannot blow up the series) and status class.

The middleware wraps the application's whole ASGI handler (``install``), outside Litestar's
routing and exception handling: an ordinary Litestar middleware runs only for matched routes
and inside the exception handler, so it would miss 404s, 401s from the authentication
middleware and the headers of error responses.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Final

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Histogram

from tracker.events.store import AppendResult
from tracker.logs import correlation_id, request_id

log = logging.getLogger("tracker.access")

REQUEST_ID_HEADER: Final = "X-Request-Id"
CORRELATION_ID_HEADER: Final = "X-Correlation-Id"
SANE_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED: Final = "unmatched"

LABELS: Final = ("method", "route", "status")
REQUESTS: Final = Counter(
    "tracker_http_requests",
    "HTTP requests answered by this process, by method, route template and status class.",
    LABELS,
)
REQUEST_SECONDS: Final = Histogram(
    "tracker_http_request_duration_seconds",
    "Time from a request's arrival to its response's last byte, in seconds.",
    LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
EVENTS_APPENDED: Final = Counter(
    "tracker_events_appended",
    "Events this process appended to the store (retries of a stored write not counted).",
)
STREAM_CONFLICTS: Final = Counter(
    "tracker_stream_conflicts",
    "Writes answered 409 (a concurrent writer changed the stream) or 412 (If-Match was stale).",
    ["status"],
)


def sane_id(value: str | None) -> str | None:
    """The value if it is a usable id (at most 128 of ``A-Z a-z 0-9 . _ : -``), else None."""
    if value is None or SANE_ID.fullmatch(value) is None:
        return None
    return value


def count_appended(results: Sequence[AppendResult]) -> None:
    EVENTS_APPENDED.inc(sum(len(r.events) for r in results if not r.duplicate))


def count_conflict(status: int) -> None:
    STREAM_CONFLICTS.labels(status=str(status)).inc()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


SECRET_PATHS: Final = re.compile(r"^/calendar/[^/]+")
PERSON_SEGMENT: Final = re.compile(r"(?<=/)[^/]*(?:@|%40)[^/]*")


def logged_path(path: str) -> str:
    """The path as logged: a personal calendar feed's secret (its URL) and any e-mail address
    (``/roster/{email}``, ``/people/{email}/inbox``) replaced, so the access log names no one
    (docs/privacy.md)."""
    return PERSON_SEGMENT.sub("<person>", SECRET_PATHS.sub("/calendar/<secret>", path))


class RequestObservability:
    """The ASGI wrapper: ids, response headers, access line, request metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = sane_id(_header(scope, b"x-request-id")) or uuid.uuid4().hex
        cid = sane_id(_header(scope, b"x-correlation-id")) or rid
        method = scope["method"]
        # Routing rewrites scope["path"]; the query string is not in it. A calendar feed's
        # secret is its path: the log keeps that a feed was read, not which.
        path = logged_path(scope["path"])
        status = 500
        ids = [
            (REQUEST_ID_HEADER.lower().encode(), rid.encode()),
            (CORRELATION_ID_HEADER.lower().encode(), cid.encode()),
        ]

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"x-request-id", b"x-correlation-id")
                    ),
                    *ids,
                ]
            await send(message)

        request_token = request_id.set(rid)
        correlation_token = correlation_id.set(cid)
        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or UNMATCHED
            labels = (
                method if method in METHODS else "other",
                route,
                f"{status // 100}xx",
            )
            REQUESTS.labels(*labels).inc()
            REQUEST_SECONDS.labels(*labels).observe(seconds)
            duration_ms = round(seconds * 1000, 2)
            log.info(
                "%s %s %d %.1f ms",
                method,
                path,
                status,
                duration_ms,
                extra={
                    "fields": {
                        "method": method,
                        "path": path,
                        "route": route,
                        "status": status,
                        "duration_ms": duration_ms,
                    }
                },
            )
            request_id.reset(request_token)
            correlation_id.reset(correlation_token)


def install(app: Litestar) -> Litestar:
    """Wrap the app's whole ASGI handler (see the module's docstring for why not a route
    middleware)."""
    app.asgi_handler = RequestObservability(app.asgi_handler)
    return app
