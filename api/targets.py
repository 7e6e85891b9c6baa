"""What a write acts on: its stream (known from the path, for If-Match) and, once loaded, the
programme and the item, from which some endpoints build their command (submit or resubmit; a
PUT that creates or changes). Loading uses the handlers' own read-only loaders, through the
request's store, so the handler that runs next reads nothing twice; the handler decides who may
act (``tracker.permissions``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import msgspec

from tracker.deliverables import DeliverableState
from tracker.errors import NotFound
from tracker.gates import GateState
from tracker.handlers import Handlers
from tracker.handlers.items import DELIVERABLE, GATE, MILESTONE, RISK, ItemKind
from tracker.milestones import MilestoneState
from tracker.programmes import ProgrammeState, programme_stream
from tracker.risks import RiskState


class Target(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    programme: ProgrammeState
    deliverable: DeliverableState | None = None
    milestone: MilestoneState | None = None
    risk: RiskState | None = None
    gate: GateState | None = None

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


def _item(kind: ItemKind, item_id: UUID, attribute: str) -> TargetRef:
    """An item of ``kind`` (the handlers' own: its stream, loader and not-found code) and the
    programme that owns it; 404 when either is missing."""
    stream = kind.stream(item_id)

    async def load_target(handlers: Handlers) -> Target:
        state = (await kind.load(handlers, stream)).state
        if not state.exists or not state.programme_key:
            raise NotFound(f"{kind.name} {item_id} does not exist", code=kind.code)
        owner = (await handlers.load_registered(state.programme_key)).state
        return Target(stream_id=stream, programme=owner, **{attribute: state})

    return TargetRef(stream_id=stream, load=load_target)


def deliverable(item_id: UUID) -> TargetRef:
    return _item(DELIVERABLE, item_id, "deliverable")


def milestone(item_id: UUID) -> TargetRef:
    return _item(MILESTONE, item_id, "milestone")


def risk(item_id: UUID) -> TargetRef:
    return _item(RISK, item_id, "risk")


def gate(gate_id: UUID) -> TargetRef:
    return _item(GATE, gate_id, "gate")
