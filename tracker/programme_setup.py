"""Setting a programme up: register, describe, add workstreams, define outcomes. Pure.

Describing, adding workstreams and defining outcomes are plan changes: refused once the
programme is closed. A re-description with the same text writes nothing.
"""

from __future__ import annotations

from tracker.commands import AddWorkstream, DefineOutcome, DescribeProgramme, RegisterProgramme
from tracker.context import Context
from tracker.errors import InvalidInput, RuleBroken
from tracker.events.programmes import (
    OutcomeDefined,
    ProgrammeDescribed,
    ProgrammeRegistered,
    WorkstreamAdded,
)
from tracker.ids import programme_key as check_programme_key
from tracker.programmes import ProgrammeEvent, ProgrammeState, one_line, required_text


def decide_register(
    state: ProgrammeState, command: RegisterProgramme, context: Context
) -> list[ProgrammeEvent]:
    key = check_programme_key(command.programme_key)
    if state.registered:
        raise RuleBroken("already_exists", f"programme {key!r} is already registered")
    if command.planned_end_on < command.starts_on:
        raise InvalidInput(
            f"planned end {command.planned_end_on.isoformat()} is before the start "
            f"{command.starts_on.isoformat()}"
        )
    return [
        ProgrammeRegistered(
            programme_key=key,
            name=one_line(command.name, "programme name"),
            starts_on=command.starts_on,
            planned_end_on=command.planned_end_on,
            registered_on=context.on,
            purpose=command.purpose.strip(),
            scope=command.scope.strip(),
            governance=command.governance.strip(),
        )
    ]


def decide_describe(
    state: ProgrammeState, command: DescribeProgramme, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("describing the programme")
    event = ProgrammeDescribed(
        programme_key=state.key,
        name=one_line(command.name, "programme name"),
        purpose=command.purpose.strip(),
        scope=command.scope.strip(),
        governance=command.governance.strip(),
    )
    current = (state.name, state.purpose, state.scope, state.governance)
    if (event.name, event.purpose, event.scope, event.governance) == current:
        return []
    return [event]


def decide_add_workstream(
    state: ProgrammeState, command: AddWorkstream, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("adding a workstream")
    key = required_text(command.workstream, "workstream")
    if state.workstream(key) is not None:
        raise RuleBroken("duplicate_workstream", f"workstream {key!r} already exists")
    return [
        WorkstreamAdded(
            programme_key=state.key,
            workstream=key,
            title=one_line(command.title, "title"),
            description=command.description.strip(),
        )
    ]


def decide_define_outcome(
    state: ProgrammeState, command: DefineOutcome, context: Context
) -> list[ProgrammeEvent]:
    state.require_registered(command.programme_key)
    state.require_open("defining an outcome")
    if command.number < 1:
        raise InvalidInput(f"outcome number must be 1 or more, got {command.number}")
    existing = state.outcome(command.number)
    if existing is not None:
        raise RuleBroken(
            "duplicate_outcome", f"outcome {command.number} already exists: {existing.title!r}"
        )
    return [
        OutcomeDefined(
            programme_key=state.key,
            number=command.number,
            title=one_line(command.title, "outcome title"),
        )
    ]
