"""Handlers for the closure report (in the programme stream)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker.closure import ClosureState, decide_approve, decide_endorse, decide_submit
from tracker.commands import SubmitClosureReport
from tracker.context import Context
from tracker.deliverables import deliverable_stream
from tracker.events.values import StreamVersion
from tracker.handlers.base import CommandResult, Handler, HandlerBase
from tracker.milestones import milestone_stream
from tracker.programmes import ProgrammeEvent, ProgrammeState
from tracker.risks import risk_stream

SignClosure = Callable[[ProgrammeState, ClosureState, Any, Context], list[ProgrammeEvent]]


async def submit_closure_report(h: HandlerBase, command: SubmitClosureReport) -> CommandResult:
    """Pins every item stream at its current version: the report as it stands."""
    programme, closure = await h.load_closure(command.programme_key)
    programme.state.require_registered(command.programme_key)
    context = h.context(command, programme.state.earliest, programme)
    streams = [
        *(deliverable_stream(i) for i in programme.state.deliverables),
        *(milestone_stream(i) for i in programme.state.milestones),
        *(risk_stream(r.item_id) for r in programme.state.raid_refs),
    ]
    items = tuple(
        [StreamVersion(stream_id=s, version=await h.store.stream_version(s)) for s in streams]
    )
    events = decide_submit(
        programme.state,
        closure,
        command,
        context,
        programme_version=programme.version,
        items=items,
    )
    return await h.append(programme.stream_id, events, programme.version, command, context)


def signing_closure(decide: SignClosure) -> Handler:
    """Endorsing or approving the closure report: not dated before its submission."""

    async def handle(h: HandlerBase, command: Any) -> CommandResult:
        programme, closure = await h.load_closure(command.programme_key)
        programme.state.require_registered(command.programme_key)
        context = h.context(command, programme.state.earliest, programme)
        h.require_after_submission(context, programme, "the closure report's submission")
        events = decide(programme.state, closure, command, context)
        return await h.append(programme.stream_id, events, programme.version, command, context)

    return handle


endorse_closure_report = signing_closure(decide_endorse)
approve_closure_report = signing_closure(decide_approve)
