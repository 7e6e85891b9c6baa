"""Handlers for the closure report (in the programme stream)."""

from __future__ import annotations

from tracker.closure import decide_approve, decide_endorse, decide_submit
from tracker.commands import ApproveClosureReport, EndorseClosureReport, SubmitClosureReport
from tracker.deliverables import deliverable_stream
from tracker.events.values import StreamVersion
from tracker.handlers.base import CommandResult, HandlerBase
from tracker.milestones import milestone_stream
from tracker.risks import risk_stream


class ClosureHandlers(HandlerBase):
    async def submit_closure_report(self, command: SubmitClosureReport) -> CommandResult:
        """Pins every item stream at its current version: the report as it stands."""
        programme, closure = await self.load_closure(command.programme_key)
        programme.state.require_registered(command.programme_key)
        context = self.context(command, programme.state.earliest, programme)
        streams = [
            *(deliverable_stream(i) for i in programme.state.deliverables),
            *(milestone_stream(i) for i in programme.state.milestones),
            *(risk_stream(r.item_id) for r in programme.state.raid_refs),
        ]
        items = tuple(
            [
                StreamVersion(stream_id=s, version=await self.store.stream_version(s))
                for s in streams
            ]
        )
        events = decide_submit(
            programme.state,
            closure,
            command,
            context,
            programme_version=programme.version,
            items=items,
        )
        return await self.append(programme.stream_id, events, programme.version, command, context)

    async def endorse_closure_report(self, command: EndorseClosureReport) -> CommandResult:
        programme, closure = await self.load_closure(command.programme_key)
        programme.state.require_registered(command.programme_key)
        context = self.context(command, programme.state.earliest, programme)
        self.require_after_submission(context, programme, "the closure report's submission")
        events = decide_endorse(programme.state, closure, command, context)
        return await self.append(programme.stream_id, events, programme.version, command, context)

    async def approve_closure_report(self, command: ApproveClosureReport) -> CommandResult:
        programme, closure = await self.load_closure(command.programme_key)
        programme.state.require_registered(command.programme_key)
        context = self.context(command, programme.state.earliest, programme)
        self.require_after_submission(context, programme, "the closure report's submission")
        events = decide_approve(programme.state, closure, command, context)
        return await self.append(programme.stream_id, events, programme.version, command, context)
