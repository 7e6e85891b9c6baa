"""Handlers for deliverables, milestones, RAID items and phase gates: each has its own stream
and reads its programme for the roster, deputies, start date and lifecycle. One shape serves
every kind (``ItemKind``): ``creating`` an item, and acting ``on_item`` that exists (a gate's
approval, which reads its criteria too, is in ``tracker.handlers.gates``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID, uuid4

from tracker.context import Context
from tracker.deliverables import deliverable_stream
from tracker.errors import NotFound
from tracker.events.base import Event
from tracker.gates import gate_stream
from tracker.handlers.base import CommandResult, Handler, HandlerBase, Loaded
from tracker.milestones import milestone_stream
from tracker.programmes import ProgrammeState
from tracker.risks import risk_stream

Decide = Callable[[ProgrammeState, Any, Any, Context], list[Any]]
"""``decide(programme, item state, command, context)``: the item's events."""
DecideCreation = Callable[..., Any]
"""``decide(programme, existing, command, context, new_id=)``: a creation (programme events and
item events)."""


@dataclass(frozen=True)
class ItemKind:
    name: str
    """For messages: "deliverable", "milestone", "RAID item"."""
    code: str
    """The not-found code: ``deliverable_not_found`` ..."""
    stream: Callable[[UUID], str]
    load: Callable[[HandlerBase, str], Awaitable[Loaded[Any]]]
    given_id: Callable[[Any], UUID | None]
    """The command's id of the item."""
    made: Callable[[Any], str]
    """"deliverable 'X' was planned": what no action on the item may be dated before."""

    def not_found(self, item_id: object) -> NotFound:
        return NotFound(f"{self.name} {item_id} does not exist", code=self.code)


DELIVERABLE: Final = ItemKind(
    name="deliverable",
    code="deliverable_not_found",
    stream=deliverable_stream,
    load=lambda h, stream: h.load_deliverable(stream),
    given_id=lambda command: command.deliverable_id,
    made=lambda state: f"deliverable {state.title!r} was planned",
)
MILESTONE: Final = ItemKind(
    name="milestone",
    code="milestone_not_found",
    stream=milestone_stream,
    load=lambda h, stream: h.load_milestone(stream),
    given_id=lambda command: command.milestone_id,
    made=lambda state: f"milestone {state.title!r} was baselined",
)
RISK: Final = ItemKind(
    name="RAID item",
    code="risk_not_found",
    stream=risk_stream,
    load=lambda h, stream: h.load_risk(stream),
    given_id=lambda command: command.item_id,
    made=lambda state: f"{state.ref} was raised",
)
GATE: Final = ItemKind(
    name="gate",
    code="gate_not_found",
    stream=gate_stream,
    load=lambda h, stream: h.load_gate(stream),
    given_id=lambda command: command.gate_id,
    made=lambda state: f"gate {state.title!r} was defined",
)


def creating(kind: ItemKind, decide: DecideCreation) -> Handler:
    """Writes the item's index entry in the programme stream (expecting the programme's
    version: this keeps RAID refs unique) and the item's own stream (expecting none), at once.
    A repeat with the same id finishes a creation an earlier version left half done."""

    async def handle(h: HandlerBase, command: Any) -> CommandResult:
        new_id = kind.given_id(command) or uuid4()
        programme = await h.load_registered(command.programme_key)
        existing = await kind.load(h, kind.stream(new_id))
        context = h.context(command, programme.state.earliest, programme)
        made = decide(programme.state, existing.state, command, context, new_id=new_id)
        item_events: list[Event] = made.item_events
        return await h.append_streams(
            [
                (programme.stream_id, made.programme_events, programme.version),
                (existing.stream_id, item_events, 0),
            ],
            command,
            context,
            created_id=new_id,
        )

    return handle


def on_item(kind: ItemKind, decide: Decide, *, signing: bool = False) -> Handler:
    """A command on an existing item. ``signing``: it answers the open submission (endorse,
    approve, return a deliverable) and may not be dated before it."""

    async def handle(h: HandlerBase, command: Any) -> CommandResult:
        item_id = kind.given_id(command)
        loaded = await kind.load(h, kind.stream(item_id)) if item_id is not None else None
        if loaded is None or not loaded.state.exists:
            raise kind.not_found(item_id)
        programme = await h.load_registered(loaded.state.programme_key)
        context = h.context(command, programme.state.earliest, programme, loaded)
        h.require_after_creation(context, loaded, kind.made(loaded.state))
        if signing:
            h.require_after_submission(
                context, loaded, f"the submission of deliverable {loaded.state.title!r} it answers"
            )
        events = decide(programme.state, loaded.state, command, context)
        return await h.append(loaded.stream_id, events, loaded.version, command, context)

    return handle
