"""Approving a phase gate: reads the gate, its programme, and every deliverable and milestone it
waits for (one query), then decides on the criteria as they stand now and, for an approval
dated back, as they stood at its effective time (``tracker.gates``).

The criteria are read, not written: an item reopened between this read and the append is not a
conflict here. That is the race ``tracker.gates`` foresees: the gate stays passed and the
reopening is a data-quality finding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from tracker.commands import ApproveGate
from tracker.context import Context
from tracker.deliverables import DeliverableState, deliverable_stream
from tracker.deliverables import evolve as evolve_deliverable
from tracker.events.base import StoredEvent
from tracker.gates import (
    Criterion,
    GateState,
    decide_approve,
    deliverable_criterion,
    gate_names,
    milestone_criterion,
)
from tracker.handlers.base import CommandResult, HandlerBase
from tracker.handlers.items import GATE
from tracker.milestones import MilestoneState, milestone_stream
from tracker.milestones import evolve as evolve_milestone
from tracker.programmes import ProgrammeState


def _fold(state: Any, evolve: Callable[[Any, Any], Any], events: Sequence[StoredEvent]) -> Any:
    for event in events:
        state = evolve(state, event.data)
    return state


def _criteria(
    programme: ProgrammeState,
    gate: GateState,
    streams: dict[str, list[StoredEvent]],
    until: datetime | None,
) -> list[Criterion]:
    """The gate's criteria from their streams' events (those effective by ``until``)."""

    def upto(stream: str) -> list[StoredEvent]:
        events = streams.get(stream, [])
        return events if until is None else [e for e in events if e.occurred_at <= until]

    name_of = gate_names(programme, gate)
    found: list[Criterion] = []
    for deliverable_id in gate.deliverables:
        events = upto(deliverable_stream(deliverable_id))
        state = _fold(DeliverableState(), evolve_deliverable, events)
        found.append(deliverable_criterion(state, name_of))
    for milestone_id in gate.milestones:
        events = upto(milestone_stream(milestone_id))
        found.append(milestone_criterion(_fold(MilestoneState(), evolve_milestone, events)))
    return found


async def approve_gate(h: HandlerBase, command: ApproveGate) -> CommandResult:
    loaded = await h.load_gate(GATE.stream(command.gate_id))
    if not loaded.state.exists:
        raise GATE.not_found(command.gate_id)
    gate = loaded.state
    programme = await h.load_registered(gate.programme_key)
    context: Context = h.context(command, programme.state.earliest, programme, loaded)
    h.require_after_creation(context, loaded, GATE.made(gate))
    names = [
        *(deliverable_stream(i) for i in gate.deliverables),
        *(milestone_stream(i) for i in gate.milestones),
    ]
    streams: dict[str, list[StoredEvent]] = {}
    for event in await h.store.read_streams(names):
        streams.setdefault(event.stream_id, []).append(event)
    now = _criteria(programme.state, gate, streams, None)
    dated_back = context.recorded_at is not None and context.at < context.recorded_at
    then = _criteria(programme.state, gate, streams, context.at) if dated_back else None
    events = decide_approve(programme.state, gate, command, context, now=now, then=then)
    return await h.append(loaded.stream_id, events, loaded.version, command, context)
