"""Handlers for the programme stream: registration, roster, deputies, outcomes, notes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from tracker.commands import RegisterProgramme
from tracker.context import Context
from tracker.handlers.base import CommandResult, Handler, HandlerBase
from tracker.ids import programme_key
from tracker.programme_setup import decide_register
from tracker.programmes import ProgrammeEvent, ProgrammeState

Decide = Callable[[ProgrammeState, Any, Context], list[ProgrammeEvent]]
DecideNew = Callable[..., list[ProgrammeEvent]]
"""A decision that makes something with an id (``new_id=``): a deputy, a note."""


async def register_programme(h: HandlerBase, command: RegisterProgramme) -> CommandResult:
    loaded = await h.load_programme(programme_key(command.programme_key))
    context = h.context(command, None, loaded)
    events = decide_register(loaded.state, command, context)
    return await h.append(loaded.stream_id, events, loaded.version, command, context)


def on_programme(decide: Decide) -> Handler:
    """A command on a registered programme's stream: ``decide(state, command, context)``."""

    async def handle(h: HandlerBase, command: Any) -> CommandResult:
        loaded = await h.load_registered(command.programme_key)
        context = h.context(command, loaded.state.earliest, loaded)
        events = decide(loaded.state, command, context)
        return await h.append(loaded.stream_id, events, loaded.version, command, context)

    return handle


def making(decide: DecideNew, given_id: Callable[[Any], UUID | None]) -> Handler:
    """As ``on_programme``, for a decision that makes something: its id is the command's
    (``given_id``) or a new one, passed as ``new_id`` and answered as ``created_id``."""

    async def handle(h: HandlerBase, command: Any) -> CommandResult:
        new_id = given_id(command) or uuid4()
        loaded = await h.load_registered(command.programme_key)
        context = h.context(command, loaded.state.earliest, loaded)
        events = decide(loaded.state, command, context, new_id=new_id)
        return await h.append(
            loaded.stream_id, events, loaded.version, command, context, created_id=new_id
        )

    return handle
