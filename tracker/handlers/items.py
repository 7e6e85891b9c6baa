"""Handlers for deliverables, milestones and RAID items: each item has its own stream and
reads its programme for the roster, deputies, start date and lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID, uuid4

from tracker.commands import (
    AchieveMilestone,
    ApproveDeliverable,
    BaselineMilestone,
    ChangeDeliverableSignatories,
    ChangeRiskOwner,
    CloseRisk,
    Command,
    DeferDeliverable,
    EndorseDeliverable,
    LogRiskUpdate,
    PlanDeliverable,
    RaiseRisk,
    RebaselineMilestone,
    ReforecastMilestone,
    ReinstateDeliverable,
    ReopenDeliverable,
    ReplanDeliverable,
    RescoreRisk,
    ResubmitDeliverable,
    ReturnDeliverable,
    SubmitDeliverable,
)
from tracker.context import Context
from tracker.deliverable_plan import (
    decide_change_signatories,
    decide_defer,
    decide_plan,
    decide_reinstate,
    decide_reopen,
    decide_replan,
)
from tracker.deliverable_signoff import (
    decide_approve,
    decide_endorse,
    decide_resubmit,
    decide_return,
    decide_submit,
)
from tracker.deliverables import DeliverableEvent, DeliverableState, deliverable_stream
from tracker.errors import NotFound
from tracker.events.base import Event
from tracker.handlers.base import CommandResult, HandlerBase, Loaded
from tracker.milestones import (
    MilestoneEvent,
    MilestoneState,
    decide_achieve,
    decide_baseline,
    decide_rebaseline,
    decide_reforecast,
    milestone_stream,
)
from tracker.programmes import ProgrammeEvent, ProgrammeState
from tracker.risks import (
    RiskEvent,
    RiskState,
    decide_change_owner,
    decide_close,
    decide_log_update,
    decide_raise,
    decide_rescore,
    risk_stream,
)

OnDeliverable = Callable[[ProgrammeState, DeliverableState, Context], list[DeliverableEvent]]
OnMilestone = Callable[[ProgrammeState, MilestoneState, Context], list[MilestoneEvent]]
OnRisk = Callable[[ProgrammeState, RiskState, Context], list[RiskEvent]]


class ItemHandlers(HandlerBase):
    async def _create(
        self,
        programme: Loaded[ProgrammeState],
        programme_events: Sequence[ProgrammeEvent],
        item_stream: str,
        item_events: Sequence[Event],
        command: Command,
        context: Context,
        new_id: UUID,
    ) -> CommandResult:
        return await self.append_streams(
            [
                (programme.stream_id, programme_events, programme.version),
                (item_stream, item_events, 0),
            ],
            command,
            context,
            created_id=new_id,
        )

    # Deliverables.

    async def plan_deliverable(self, command: PlanDeliverable) -> CommandResult:
        new_id = command.deliverable_id or uuid4()
        programme = await self.load_registered(command.programme_key)
        existing = await self.load_deliverable(deliverable_stream(new_id))
        context = self.context(command, programme.state.earliest, programme)
        creation = decide_plan(programme.state, existing.state, command, context, new_id=new_id)
        return await self._create(
            programme,
            creation.programme_events,
            existing.stream_id,
            creation.item_events,
            command,
            context,
            new_id,
        )

    async def _on_deliverable(
        self,
        deliverable_id: UUID,
        command: Command,
        decide: OnDeliverable,
        *,
        signing: bool = False,
    ) -> CommandResult:
        """``signing``: the command answers the open submission (endorse, approve, return) and
        may not be dated before it."""
        loaded = await self.load_deliverable(deliverable_stream(deliverable_id))
        if not loaded.state.exists:
            raise NotFound(
                f"deliverable {deliverable_id} does not exist", code="deliverable_not_found"
            )
        programme = await self.load_registered(loaded.state.programme_key)
        context = self.context(command, programme.state.earliest, programme, loaded)
        title = loaded.state.title
        self.require_after_creation(context, loaded, f"deliverable {title!r} was planned")
        if signing:
            self.require_after_submission(
                context, loaded, f"the submission of deliverable {title!r} it answers"
            )
        events = decide(programme.state, loaded.state, context)
        return await self.append(loaded.stream_id, events, loaded.version, command, context)

    async def replan_deliverable(self, command: ReplanDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id, command, lambda p, s, c: decide_replan(p, s, command, c)
        )

    async def change_deliverable_signatories(
        self, command: ChangeDeliverableSignatories
    ) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id,
            command,
            lambda p, s, c: decide_change_signatories(p, s, command, c),
        )

    async def submit_deliverable(self, command: SubmitDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id, command, lambda p, s, c: decide_submit(p, s, command, c)
        )

    async def resubmit_deliverable(self, command: ResubmitDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id, command, lambda p, s, c: decide_resubmit(p, s, command, c)
        )

    async def endorse_deliverable(self, command: EndorseDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id,
            command,
            lambda p, s, c: decide_endorse(p, s, command, c),
            signing=True,
        )

    async def approve_deliverable(self, command: ApproveDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id,
            command,
            lambda p, s, c: decide_approve(p, s, command, c),
            signing=True,
        )

    async def return_deliverable(self, command: ReturnDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id,
            command,
            lambda p, s, c: decide_return(p, s, command, c),
            signing=True,
        )

    async def defer_deliverable(self, command: DeferDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id, command, lambda p, s, c: decide_defer(p, s, command, c)
        )

    async def reinstate_deliverable(self, command: ReinstateDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id, command, lambda p, s, c: decide_reinstate(p, s, command, c)
        )

    async def reopen_deliverable(self, command: ReopenDeliverable) -> CommandResult:
        return await self._on_deliverable(
            command.deliverable_id, command, lambda p, s, c: decide_reopen(p, s, command, c)
        )

    # Milestones.

    async def baseline_milestone(self, command: BaselineMilestone) -> CommandResult:
        new_id = command.milestone_id or uuid4()
        programme = await self.load_registered(command.programme_key)
        existing = await self.load_milestone(milestone_stream(new_id))
        context = self.context(command, programme.state.earliest, programme)
        creation = decide_baseline(programme.state, existing.state, command, context, new_id=new_id)
        return await self._create(
            programme,
            creation.programme_events,
            existing.stream_id,
            creation.item_events,
            command,
            context,
            new_id,
        )

    async def _on_milestone(
        self, milestone_id: UUID, command: Command, decide: OnMilestone
    ) -> CommandResult:
        loaded = await self.load_milestone(milestone_stream(milestone_id))
        if not loaded.state.exists:
            raise NotFound(f"milestone {milestone_id} does not exist", code="milestone_not_found")
        programme = await self.load_registered(loaded.state.programme_key)
        context = self.context(command, programme.state.earliest, programme, loaded)
        self.require_after_creation(
            context, loaded, f"milestone {loaded.state.title!r} was baselined"
        )
        events = decide(programme.state, loaded.state, context)
        return await self.append(loaded.stream_id, events, loaded.version, command, context)

    async def reforecast_milestone(self, command: ReforecastMilestone) -> CommandResult:
        return await self._on_milestone(
            command.milestone_id, command, lambda p, s, c: decide_reforecast(p, s, command, c)
        )

    async def rebaseline_milestone(self, command: RebaselineMilestone) -> CommandResult:
        return await self._on_milestone(
            command.milestone_id, command, lambda p, s, c: decide_rebaseline(p, s, command, c)
        )

    async def achieve_milestone(self, command: AchieveMilestone) -> CommandResult:
        return await self._on_milestone(
            command.milestone_id, command, lambda p, s, c: decide_achieve(p, s, command, c)
        )

    # RAID items.

    async def raise_risk(self, command: RaiseRisk) -> CommandResult:
        new_id = command.item_id or uuid4()
        programme = await self.load_registered(command.programme_key)
        existing = await self.load_risk(risk_stream(new_id))
        context = self.context(command, programme.state.earliest, programme)
        creation = decide_raise(programme.state, existing.state, command, context, new_id=new_id)
        return await self._create(
            programme,
            creation.programme_events,
            existing.stream_id,
            creation.item_events,
            command,
            context,
            new_id,
        )

    async def _on_risk(self, item_id: UUID, command: Command, decide: OnRisk) -> CommandResult:
        loaded = await self.load_risk(risk_stream(item_id))
        if not loaded.state.exists:
            raise NotFound(f"RAID item {item_id} does not exist", code="risk_not_found")
        programme = await self.load_registered(loaded.state.programme_key)
        context = self.context(command, programme.state.earliest, programme, loaded)
        self.require_after_creation(context, loaded, f"{loaded.state.ref} was raised")
        events = decide(programme.state, loaded.state, context)
        return await self.append(loaded.stream_id, events, loaded.version, command, context)

    async def rescore_risk(self, command: RescoreRisk) -> CommandResult:
        return await self._on_risk(
            command.item_id, command, lambda p, s, c: decide_rescore(p, s, command, c)
        )

    async def log_risk_update(self, command: LogRiskUpdate) -> CommandResult:
        return await self._on_risk(
            command.item_id, command, lambda p, s, c: decide_log_update(p, s, command, c)
        )

    async def change_risk_owner(self, command: ChangeRiskOwner) -> CommandResult:
        return await self._on_risk(
            command.item_id, command, lambda p, s, c: decide_change_owner(p, s, command, c)
        )

    async def close_risk(self, command: CloseRisk) -> CommandResult:
        return await self._on_risk(
            command.item_id, command, lambda p, s, c: decide_close(p, s, command, c)
        )
