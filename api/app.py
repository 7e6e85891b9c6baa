"""create_app(settings): the Litestar application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from litestar import Litestar, Response, get
from litestar.datastructures import State

import tracker.events  # noqa: F401  (registers every event type)
from tracker.errors import StoreUnavailable
from tracker.events.open import open_store
from tracker.events.store import EventStore
from tracker.projections.service import run_projector as run_projector_task
from tracker.settings import Settings, load_settings


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: str


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    database: str
    head_position: int | None = None
    detail: str | None = None


@get("/health", sync_to_thread=False)
def health() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/ready")
async def ready(state: State) -> Response[Readiness]:
    """The database answers."""
    store: EventStore = state.store
    try:
        head = await store.head_position()
    except StoreUnavailable as exc:
        return Response(
            Readiness(status="unavailable", database="unreachable", detail=str(exc)),
            status_code=503,
        )
    return Response(Readiness(status="ready", database="reachable", head_position=head))


def create_app(settings: Settings | None = None, *, run_projector: bool = True) -> Litestar:
    """``run_projector``: keep the read models current in this process (the default)."""
    resolved = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        store = open_store(resolved)
        app.state.store = store
        stop = asyncio.Event()
        projector = (
            asyncio.create_task(run_projector_task(resolved, stop)) if run_projector else None
        )
        try:
            yield
        finally:
            stop.set()
            if projector is not None:
                await projector
            await store.close()

    return Litestar(
        route_handlers=[health, ready],
        lifespan=[lifespan],
        request_max_body_size=256 * 1024,
        debug=False,
    )
