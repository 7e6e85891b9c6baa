"""Handlers for the programme stream: registration, roster, deputies, outcomes, notes."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

from tracker.closing_notes import (
    decide_record_learning_point,
    decide_record_next_step,
    decide_record_recommendation,
)
from tracker.commands import (
    AddWorkstream,
    AppointDeputy,
    AssignRosterMember,
    ChangeRosterMember,
    Command,
    DefineOutcome,
    DescribeProgramme,
    RecordCloseOutRecommendation,
    RecordLearningPoint,
    RecordNextStep,
    RegisterProgramme,
    RevokeDeputy,
    RevokeRosterMember,
)
from tracker.context import Context
from tracker.handlers.base import CommandResult, HandlerBase
from tracker.ids import programme_key
from tracker.programme_setup import (
    decide_add_workstream,
    decide_define_outcome,
    decide_describe,
    decide_register,
)
from tracker.programmes import ProgrammeEvent, ProgrammeState
from tracker.roster import (
    decide_appoint_deputy,
    decide_assign_member,
    decide_change_member,
    decide_revoke_deputy,
    decide_revoke_member,
)

Decide = Callable[[ProgrammeState, Context], list[ProgrammeEvent]]


class ProgrammeHandlers(HandlerBase):
    async def _on_programme(
        self, key: str, command: Command, decide: Decide, *, created_id: UUID | None = None
    ) -> CommandResult:
        loaded = await self.load_registered(key)
        context = self.context(command, loaded.state.earliest, loaded)
        events = decide(loaded.state, context)
        return await self.append(
            loaded.stream_id, events, loaded.version, command, context, created_id=created_id
        )

    async def register_programme(self, command: RegisterProgramme) -> CommandResult:
        loaded = await self.load_programme(programme_key(command.programme_key))
        context = self.context(command, None, loaded)
        events = decide_register(loaded.state, command, context)
        return await self.append(loaded.stream_id, events, loaded.version, command, context)

    async def describe_programme(self, command: DescribeProgramme) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_describe(s, command, c)
        )

    async def add_workstream(self, command: AddWorkstream) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_add_workstream(s, command, c)
        )

    async def define_outcome(self, command: DefineOutcome) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_define_outcome(s, command, c)
        )

    async def assign_roster_member(self, command: AssignRosterMember) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_assign_member(s, command, c)
        )

    async def change_roster_member(self, command: ChangeRosterMember) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_change_member(s, command, c)
        )

    async def revoke_roster_member(self, command: RevokeRosterMember) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_revoke_member(s, command, c)
        )

    async def appoint_deputy(self, command: AppointDeputy) -> CommandResult:
        new_id = command.delegation_id or uuid4()
        return await self._on_programme(
            command.programme_key,
            command,
            lambda s, c: decide_appoint_deputy(s, command, c, new_id=new_id),
            created_id=new_id,
        )

    async def revoke_deputy(self, command: RevokeDeputy) -> CommandResult:
        return await self._on_programme(
            command.programme_key, command, lambda s, c: decide_revoke_deputy(s, command, c)
        )

    async def record_learning_point(self, command: RecordLearningPoint) -> CommandResult:
        new_id = command.learning_point_id or uuid4()
        return await self._on_programme(
            command.programme_key,
            command,
            lambda s, c: decide_record_learning_point(s, command, c, new_id=new_id),
            created_id=new_id,
        )

    async def record_close_out_recommendation(
        self, command: RecordCloseOutRecommendation
    ) -> CommandResult:
        new_id = command.recommendation_id or uuid4()
        return await self._on_programme(
            command.programme_key,
            command,
            lambda s, c: decide_record_recommendation(s, command, c, new_id=new_id),
            created_id=new_id,
        )

    async def record_next_step(self, command: RecordNextStep) -> CommandResult:
        new_id = command.next_step_id or uuid4()
        return await self._on_programme(
            command.programme_key,
            command,
            lambda s, c: decide_record_next_step(s, command, c, new_id=new_id),
            created_id=new_id,
        )
