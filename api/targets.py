"""What a write acts on: its stream (known from the path, for If-Match) and, once loaded, the
programme and the item, from which some endpoints build their command (submit or resubmit; a
PUT that creates or changes). Loading uses the handlers' own read-only loaders, through the
request's store, so the handler that runs next reads nothing twice; the handler decides who may
act (``tracker.permissions``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import msgspec

from tracker.deliverables import DeliverableState, deliverable_stream
from tracker.errors import NotFound
from tracker.handlers import Handlers
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
    label: str
    """For messages: "programme 'btls'"."""


def new_programme(key: str) -> TargetRef:
    async def load(handlers: Handlers) -> Target:
        loaded = await handlers.load_programme(key)
        return Target(stream_id=loaded.stream_id, programme=loaded.state)

    return TargetRef(stream_id=programme_stream(key), load=load, label=key)


def programme(key: str) -> TargetRef:
    async def load(handlers: Handlers) -> Target:
        loaded = await handlers.load_registered(key)
        return Target(stream_id=loaded.stream_id, programme=loaded.state)

    return TargetRef(stream_id=programme_stream(key), load=load, label=key)


async def _owner(handlers: Handlers, key: str, what: str) -> ProgrammeState:
    if not key:
        raise NotFound(f"{what} does not exist", code=f"{what.split()[0]}_not_found")
    return (await handlers.load_registered(key)).state


def deliverable(item_id: UUID) -> TargetRef:
    stream = deliverable_stream(item_id)

    async def load(handlers: Handlers) -> Target:
        state = (await handlers.load_deliverable(stream)).state
        if not state.exists:
            raise NotFound(f"deliverable {item_id} does not exist", code="deliverable_not_found")
        owner = await _owner(handlers, state.programme_key, f"deliverable {item_id}")
        return Target(stream_id=stream, programme=owner, deliverable=state)

    return TargetRef(stream_id=stream, load=load, label=f"deliverable {item_id}")


def milestone(item_id: UUID) -> TargetRef:
    stream = milestone_stream(item_id)

    async def load(handlers: Handlers) -> Target:
        state = (await handlers.load_milestone(stream)).state
        if not state.exists:
            raise NotFound(f"milestone {item_id} does not exist", code="milestone_not_found")
        owner = await _owner(handlers, state.programme_key, f"milestone {item_id}")
        return Target(stream_id=stream, programme=owner, milestone=state)

    return TargetRef(stream_id=stream, load=load, label=f"milestone {item_id}")


def risk(item_id: UUID) -> TargetRef:
    stream = risk_stream(item_id)

    async def load(handlers: Handlers) -> Target:
        state = (await handlers.load_risk(stream)).state
        if not state.exists:
            raise NotFound(f"RAID item {item_id} does not exist", code="risk_not_found")
        owner = await _owner(handlers, state.programme_key, f"risk {item_id}")
        return Target(stream_id=stream, programme=owner, risk=state)

    return TargetRef(stream_id=stream, load=load, label=f"RAID item {item_id}")
