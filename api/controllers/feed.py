"""The global event feed, in position order: pages (``/events``) and a live server-sent event
stream (``/events/stream``, resumable with ``Last-Event-ID``). Every event carries its position.

The feed holds every programme's events, so it is for ``admin`` and ``reader`` tokens (API
consumers and dashboards); a ``member`` reads their programmes through the reports instead.

A stream outlives the check made when it opened, so it checks its token again in the database
(not the process's token cache) every ``sse_heartbeat_seconds``, and ends as soon as the token
is revoked or expires: revoking a token closes its streams within a heartbeat, whichever
process or command revoked it. A token holds at most ``streams_per_token`` streams at once
(``api.stream_slots``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from api.auth import ApiRequest, Principal, bearer_secret
from api.errors import ApiProblem, FieldError, forbidden
from api.openapi import READ_PROBLEMS, EventStreamOperation, documented
from api.presenters import event_out
from api.schemas import EventPage
from api.services import Services
from api.when import When
from tracker.auth.tokens import find_token
from tracker.projections.reports.question import effective_until, recorded_until

PAGE = 500


def _feed_reader(principal: Principal) -> None:
    if principal.scope == "member":
        raise forbidden(
            f"{principal.person} has a member token: the global feed (every programme's events) "
            "is for admin and reader tokens"
        )


@get(
    "/events",
    operation_id="events.list",
    tags=["events"],
    summary="The global event feed after a position, in order (admin, reader)",
    responses=documented(200, EventPage, "A page of events", *READ_PROBLEMS),
)
async def events(
    request: ApiRequest,
    services: NamedDependency[Services],
    when: NamedDependency[When],
    after: Annotated[int, QueryParameter(ge=0, description="the last position seen")] = 0,
    limit: Annotated[int | None, QueryParameter(ge=1, le=1000, description="page size")] = None,
) -> EventPage:
    _feed_reader(request.user)
    size = min(limit or services.api.default_page, services.api.max_page)
    page = await services.store.read_all(after, size, known_at=recorded_until(when.known_at))
    effective = effective_until(when.as_of)
    shown = [e for e in page if effective is None or e.occurred_at <= effective]
    return EventPage(
        events=[event_out(e) for e in shown],
        next_after=page[-1].position if page else after,
        head_position=await services.store.head_position(),
    )


async def _still_a_feed_reader(services: Services, secret: str) -> bool:
    """The token, read again from the database: still there, neither revoked nor expired, a
    feed reader's."""
    record = await find_token(services.engine, secret, services.clock.now())
    return (
        record is not None and not record.expired(services.clock.now()) and record.scope != "member"
    )


def _resume_from(after: int, last_event_id: str | None) -> int:
    if last_event_id is None or not last_event_id.strip():
        return after
    try:
        value = int(last_event_id.strip())
    except ValueError as exc:
        raise ApiProblem(
            400,
            "invalid_parameter",
            "Last-Event-ID must be the position of an event this stream sent",
            errors=[FieldError(field="header.Last-Event-ID", message="not a position")],
        ) from exc
    return max(value, 0)


@get(
    "/events/stream",
    operation_id="events.stream",
    tags=["events"],
    summary="Server-sent events, live: id is the position; resume with Last-Event-ID",
    responses=documented(
        200,
        str,
        "text/event-stream of events",
        *READ_PROBLEMS,
        429,
        media_type="text/event-stream",
    ),
    operation_class=EventStreamOperation,
)
async def event_stream(
    request: ApiRequest,
    services: NamedDependency[Services],
    after: Annotated[int, QueryParameter(ge=0, description="start after this position")] = 0,
    last_event_id: Annotated[
        str | None, HeaderParameter(name="Last-Event-ID", max_length=20)
    ] = None,
    idle_timeout: Annotated[
        float | None,
        QueryParameter(gt=0, le=86_400, description="end the stream after this many idle seconds"),
    ] = None,
) -> ServerSentEvent:
    _feed_reader(request.user)
    start = _resume_from(after, last_event_id)
    secret = bearer_secret(request.headers.get("authorization"))
    store = services.store
    heartbeat = services.api.sse_heartbeat_seconds
    slot = services.stream_slots.take(request.user.token_id)

    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        position = start
        idle_since = beat = checked = time.monotonic()
        try:
            yield ServerSentEventMessage(data=None, comment="tracker events", retry=2000)
            while True:
                if time.monotonic() - checked >= heartbeat:
                    if not await _still_a_feed_reader(services, secret):
                        yield ServerSentEventMessage(
                            data=None, comment="token revoked or expired: stream ended"
                        )
                        return
                    checked = time.monotonic()
                page = await store.read_all(position, PAGE)
                for event in page:
                    data = msgspec.json.encode(event_out(event)).decode()
                    yield ServerSentEventMessage(id=event.position, event=event.type, data=data)
                    position = event.position
                now = time.monotonic()
                if page:
                    idle_since = beat = now
                    if len(page) == PAGE:
                        continue
                if idle_timeout is not None and now - idle_since >= idle_timeout:
                    return
                if now - beat >= heartbeat:
                    beat = now
                    yield ServerSentEventMessage(data=None, comment="keep-alive")
                wait = min(1.0, heartbeat, max(0.01, checked + heartbeat - now))
                if idle_timeout is not None:
                    wait = max(0.01, min(wait, idle_timeout - (now - idle_since)))
                await store.wait_for_new_events(wait)
        finally:
            slot.release()

    stream = messages()
    slot.tie_to(stream)  # a stream whose body never starts gives its slot back too
    return ServerSentEvent(stream, headers={"Cache-Control": "no-store"})


ROUTES = [events, event_stream]
