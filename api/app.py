"""create_app(settings): the Litestar application.

Process endpoints (/health, /ready in ``api.readiness``, /metrics in ``api.metrics``) and the
API's description (/schema) need no token; everything under /api/v1 does. Every request gets
request and correlation ids and an access line (``api.observability``). The projector and the
webhook deliverer run in this process unless told not to.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from litestar import Litestar, Router, get
from litestar.di import Provide
from litestar.middleware import DefineMiddleware

import tracker.events  # noqa: F401  (registers every event type)
from api.auth import PUBLIC_PATHS, BearerAuthentication, TokenCache
from api.controllers import ROUTES
from api.controllers.my_calendar import feed as calendar_feed
from api.deps import provide_principal, provide_services, provide_when, provide_writer
from api.errors import handle_exception
from api.headers import install as install_api_headers
from api.idempotency import Idempotency
from api.metrics import ReminderCounts, metrics
from api.observability import install as install_observability
from api.openapi import SECURITY, openapi_config
from api.openapi_examples import add_examples
from api.pages import pages
from api.ratelimit import RateLimiter
from api.readiness import ready
from api.reads import Reads
from api.services import Services
from api.stream_cache import StreamCache
from tracker.calendar import WorkingCalendar
from tracker.clock import Clock, SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.projections.read_model.service import run_projector as run_projector_task
from tracker.settings import ApiSettings, PageSettings, Settings, load_settings
from tracker.webhooks.service import run_deliverer


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: str


@get("/health", sync_to_thread=False, include_in_schema=False)
def health() -> Health:
    """The process is up."""
    return Health(status="ok")


def build_services(settings: Settings, api_settings: ApiSettings, clock: Clock) -> Services:
    store = open_store(settings, clock=clock)
    engine = create_engine(settings)
    calendar = WorkingCalendar()
    return Services(
        settings=settings,
        api=api_settings,
        store=store,
        engine=engine,
        clock=clock,
        calendar=calendar,
        tokens=TokenCache(engine, api_settings.token_cache_seconds, clock),
        limiter=RateLimiter(
            engine,
            {
                "write": api_settings.writes_per_minute,
                "token": api_settings.token_issues_per_minute,
                "expensive": api_settings.expensive_reads_per_minute,
            },
        ),
        idempotency=Idempotency(engine, api_settings, clock),
        reads=Reads(store, engine, clock, calendar, api_settings),
        streams=StreamCache(),
    )


def create_app(
    settings: Settings | None = None,
    *,
    run_projector: bool = True,
    run_webhooks: bool = True,
    api_settings: ApiSettings | None = None,
    clock: Clock | None = None,
    page_settings: PageSettings | None = None,
) -> Litestar:
    """``run_projector``: keep the read models current in this process (the default);
    ``run_webhooks``: deliver webhooks from this process (the default; one process at a time
    delivers, ``tracker.webhooks.service``).
    ``api_settings`` and ``page_settings`` replace those sections of ``settings`` (tests)."""
    resolved = settings or load_settings()
    limits = api_settings or resolved.api
    time_source: Clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        services = build_services(resolved, limits, time_source)
        app.state.services = services
        app.state.store = services.store
        app.state.reminder_counts = ReminderCounts()
        stop = asyncio.Event()
        projector = (
            asyncio.create_task(run_projector_task(resolved, stop)) if run_projector else None
        )
        deliverer = (
            asyncio.create_task(run_deliverer(resolved, stop, time_source))
            if run_webhooks
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if projector is not None:
                await projector
            if deliverer is not None:
                await deliverer
            await services.store.close()
            await services.engine.dispose()

    api = Router(
        path="/api/v1",
        route_handlers=ROUTES,
        dependencies={
            "services": Provide(provide_services, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
            "writer": Provide(provide_writer, sync_to_thread=False),
            "when": Provide(provide_when, sync_to_thread=False),
        },
        security=SECURITY,
    )
    # Server-rendered pages, outside /api/v1 (docs/pages.md).
    site = pages(page_settings or resolved.pages)
    app = Litestar(
        route_handlers=[health, ready, metrics, calendar_feed, api, site.router],
        template_config=site.templates,
        lifespan=[lifespan],
        middleware=[DefineMiddleware(BearerAuthentication, exclude=PUBLIC_PATHS)],
        exception_handlers={Exception: handle_exception},
        openapi_config=openapi_config(),
        request_max_body_size=limits.max_body_bytes,
        logging_config=None,  # tracker.logs configures logging for every command
        debug=False,
    )
    add_examples(app.openapi_schema)  # the document is built once and served as it is now
    install_api_headers(app)  # nosniff and no-store on every /api response
    return install_observability(app)  # request ids, access log, request metrics
