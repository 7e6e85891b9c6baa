"""What a write acts on: its stream (known from the path, for If-Match) and, once loaded, the
programme and the item, from which some endpoints build their command (submit or resubmit; a
PUT that creates or changes). Loading uses the handlers' own read-only loaders, through the
request's store, so the handler that runs next reads nothing twice; the handler decides who may
act (``tracker.permissions``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import msgspec

from tracker.deliverables import DeliverableState, deliverable_stream
from tracker.errors import NotFound
from tracker.handlers import Handlers
from tracker.handlers.base import Loaded
from tracker.milestones import MilestoneState, milestone_stream
from tracker.programmes import ProgrammeState, programme_stream
from tracker.risks import RiskState, risk_stream


class Target(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    programme: ProgrammeState
    deliverable: DeliverableState | None = None
    milestone: MilestoneState | None = None
    risk: RiskState | None = None

    @property
    def programme_key(self) -> str:
        return self.programme.key


Loader = Callable[[Handlers], Awaitable[Target]]


class TargetRef(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    load: Loader


def new_programme(key: str) -> TargetRef:
    async def load(handlers: Handlers) -> Target:
        loaded = await handlers.load_programme(key)
        return Target(stream_id=loaded.stream_id, programme=loaded.state)

    return TargetRef(stream_id=programme_stream(key), load=load)


def programme(key: str) -> TargetRef:
    async def load(handlers: Handlers) -> Target:
        loaded = await handlers.load_registered(key)
        return Target(stream_id=loaded.stream_id, programme=loaded.state)

    return TargetRef(stream_id=programme_stream(key), load=load)


def _item(
    item_id: UUID,
    stream: str,
    load: Callable[[Handlers, str], Awaitable[Loaded[Any]]],
    what: str,
    code: str,
    attribute: str,
) -> TargetRef:
    """An item and the programme that owns it; 404 (``code``) when either is missing."""

    async def load_target(handlers: Handlers) -> Target:
        state = (await load(handlers, stream)).state
        if not state.exists or not state.programme_key:
            raise NotFound(f"{what} {item_id} does not exist", code=code)
        owner = (await handlers.load_registered(state.programme_key)).state
        return Target(stream_id=stream, programme=owner, **{attribute: state})

    return TargetRef(stream_id=stream, load=load_target)


def deliverable(item_id: UUID) -> TargetRef:
    stream = deliverable_stream(item_id)
    return _item(
        item_id,
        stream,
        lambda h, s: h.load_deliverable(s),
        "deliverable",
        "deliverable_not_found",
        "deliverable",
    )


def milestone(item_id: UUID) -> TargetRef:
    stream = milestone_stream(item_id)
    return _item(
        item_id,
        stream,
        lambda h, s: h.load_milestone(s),
        "milestone",
        "milestone_not_found",
        "milestone",
    )


def risk(item_id: UUID) -> TargetRef:
    stream = risk_stream(item_id)
    return _item(
        item_id, stream, lambda h, s: h.load_risk(s), "RAID item", "risk_not_found", "risk"
    )
