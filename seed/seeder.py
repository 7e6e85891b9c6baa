"""Idempotent steps: each issues a user's command through the handlers only when the state,
folded by the domain's own ``evolve``, shows it has not happened yet. Running the seed again
therefore issues no command and appends nothing; a run that stopped half-way is finished by the
next one (ids are deterministic, and the handlers finish a half-created item)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from seed.source import paper_title
from tracker.closure import ClosureState
from tracker.commands import (
    AchieveMilestone,
    AddWorkstream,
    AppointDeputy,
    ApproveClosureReport,
    ApproveDeliverable,
    AssignRosterMember,
    BaselineMilestone,
    Command,
    DeferDeliverable,
    DefineGate,
    DefineOutcome,
    EndorseClosureReport,
    PlanDeliverable,
    RebaselineMilestone,
    RecordCloseOutRecommendation,
    RecordLearningPoint,
    RecordNextStep,
    RegisterProgramme,
    SubmitClosureReport,
    SubmitDeliverable,
)
from tracker.deliverables import DeliverableState, deliverable_stream
from tracker.errors import InvalidInput
from tracker.gates import gate_stream
from tracker.handlers import Handlers
from tracker.ids import person_id
from tracker.milestones import MilestoneState, milestone_stream
from tracker.programmes import ProgrammeState


class ProgrammeSeedReport(msgspec.Struct, frozen=True, kw_only=True):
    """What loading one programme did, and what the programme now holds."""

    key: str
    name: str
    commands: int
    """Commands issued by this run (0 when everything was already loaded)."""
    roster: int
    outcomes: int
    workstreams: int
    deliverables: int
    milestones: int
    gates: int
    learning_points: int
    recommendations: int
    next_steps: int
    lifecycle: str
    events: int = 0
    """Events appended by this run (counted from the store by ``load_seed``)."""


def _fixed(item_id: UUID | None, what: str) -> UUID:
    """Seeded things have deterministic ids: that is what makes a second run a no-op."""
    if item_id is None:
        raise InvalidInput(f"a seeded {what} needs a fixed id (seed.source.seed_id)")
    return item_id


def _named(actor: str | None, what: str) -> str:
    if actor is None:
        raise InvalidInput(f"a seeded {what} names who gave it (actor)")
    return actor


def paper_entry(command: Command) -> Command:
    """The command as an entry from a paper: the seed records, years later, what the council's
    papers say happened, so each command says why it is dated back (``tracker.backdating``),
    citing its document (the line is in the source). Used only where the rule asks for a
    reason; stored with the events."""
    if command.backdating_reason is not None or not command.source:
        return command
    document = command.source.get("document", "")
    reason = f"entered from {paper_title(document)}" if document else "entered from a council paper"
    return msgspec.structs.replace(command, backdating_reason=reason)


class Seeder:
    """The seed's view of one programme: state checks, then commands through the handlers."""

    def __init__(self, handlers: Handlers, key: str) -> None:
        self.handlers = handlers
        self.key = key
        self.commands = 0

    async def _run(self, command: Command) -> None:
        await self.handlers.handle(paper_entry(command))
        self.commands += 1

    async def programme(self) -> ProgrammeState:
        return (await self.handlers.load_programme(self.key)).state

    async def deliverable(self, deliverable_id: UUID) -> DeliverableState:
        return (await self.handlers.load_deliverable(deliverable_stream(deliverable_id))).state

    async def milestone(self, milestone_id: UUID) -> MilestoneState:
        return (await self.handlers.load_milestone(milestone_stream(milestone_id))).state

    async def closure(self) -> ClosureState:
        _, closure = await self.handlers.load_closure(self.key)
        return closure

    # The programme stream.

    async def register(self, command: RegisterProgramme) -> None:
        if not (await self.programme()).registered:
            await self._run(command)

    async def add_workstream(self, command: AddWorkstream) -> None:
        if (await self.programme()).workstream(command.workstream) is None:
            await self._run(command)

    async def assign(self, command: AssignRosterMember) -> None:
        if (await self.programme()).member(person_id(command.email)) is None:
            await self._run(command)

    async def appoint_deputy(self, command: AppointDeputy) -> None:
        delegation_id = _fixed(command.delegation_id, "delegation")
        if (await self.programme()).delegation(delegation_id) is None:
            await self._run(command)

    async def define_outcome(self, command: DefineOutcome) -> None:
        if (await self.programme()).outcome(command.number) is None:
            await self._run(command)

    async def record_learning_point(self, command: RecordLearningPoint) -> None:
        taken = (await self.programme()).learning_points
        if not any(n.item_id == command.learning_point_id for n in taken):
            await self._run(command)

    async def record_recommendation(self, command: RecordCloseOutRecommendation) -> None:
        taken = (await self.programme()).recommendations
        if not any(n.item_id == command.recommendation_id for n in taken):
            await self._run(command)

    async def record_next_step(self, command: RecordNextStep) -> None:
        taken = (await self.programme()).next_steps
        if not any(n.item_id == command.next_step_id for n in taken):
            await self._run(command)

    # Deliverables.

    async def plan(self, command: PlanDeliverable) -> UUID:
        deliverable_id = _fixed(command.deliverable_id, "deliverable")
        if not (await self.deliverable(deliverable_id)).exists:
            await self._run(command)
        return deliverable_id

    async def sign_off(
        self, submit: SubmitDeliverable, approvals: Sequence[ApproveDeliverable]
    ) -> None:
        """Submit once, then each approval not yet given: the last one signs it off."""
        if (await self.deliverable(submit.deliverable_id)).status == "planned":
            await self._run(submit)
        for approve in approvals:
            state = await self.deliverable(approve.deliverable_id)
            if not state.round.has_approved(person_id(_named(approve.actor, "approval"))):
                await self._run(approve)

    async def defer(self, command: DeferDeliverable) -> None:
        if (await self.deliverable(command.deliverable_id)).status != "deferred":
            await self._run(command)

    # Milestones.

    async def baseline(self, command: BaselineMilestone) -> UUID:
        milestone_id = _fixed(command.milestone_id, "milestone")
        if not (await self.milestone(milestone_id)).exists:
            await self._run(command)
        return milestone_id

    async def rebaseline(self, command: RebaselineMilestone) -> None:
        """A later paper's date for a milestone an earlier paper dated: once."""
        if (await self.milestone(command.milestone_id)).baseline != command.baseline:
            await self._run(command)

    async def achieve(self, command: AchieveMilestone) -> None:
        if (await self.milestone(command.milestone_id)).actual is None:
            await self._run(command)

    async def done_on_its_date(self, command: BaselineMilestone, *, entered: datetime) -> UUID:
        """A milestone a paper reports done and dates only once: baselined, then achieved on
        that same date (entered at ``entered``), both with the baseline's source."""
        milestone_id = await self.baseline(command)
        await self.achieve(
            AchieveMilestone(
                milestone_id=milestone_id,
                actual=command.baseline,
                occurred_at=entered,
                source=command.source,
            )
        )
        return milestone_id

    # Phase gates.

    async def define_gate(self, command: DefineGate) -> UUID:
        gate_id = _fixed(command.gate_id, "gate")
        if not (await self.handlers.load_gate(gate_stream(gate_id))).state.exists:
            await self._run(command)
        return gate_id

    # The closure report.

    async def close(
        self,
        submit: SubmitClosureReport,
        endorsements: Sequence[EndorseClosureReport],
        approve: ApproveClosureReport,
    ) -> None:
        if (await self.closure()).status == "none":
            await self._run(submit)
        for endorse in endorsements:
            closure = await self.closure()
            endorser = person_id(_named(endorse.actor, "endorsement"))
            if closure.status == "submitted" and not closure.round.has_endorsed(endorser):
                await self._run(endorse)
        if (await self.closure()).status != "approved":
            await self._run(approve)

    async def report(self) -> ProgrammeSeedReport:
        state = await self.programme()
        return ProgrammeSeedReport(
            key=self.key,
            name=state.name,
            commands=self.commands,
            roster=len(state.roster),
            outcomes=len(state.outcomes),
            workstreams=len(state.workstreams),
            deliverables=len(state.deliverables),
            milestones=len(state.milestones),
            gates=len(state.gates),
            learning_points=len(state.learning_points),
            recommendations=len(state.recommendations),
            next_steps=len(state.next_steps),
            lifecycle=state.lifecycle,
        )
