"""What every handler does: load state by folding a stream, decide, append with the loaded
version as the expected version. Only handlers touch the store.

Creating an item writes two streams in one atomic append (``append_streams``): its index entry in
the programme stream (expected: the programme's loaded version; this is what makes RAID refs
unique) and the item's own stream (expected: no stream). Data written before that existed may
hold an index entry without its item; repeating the command with the same id finishes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec

from tracker.backdating import BackdatingRule, require_not_before
from tracker.clock import Clock
from tracker.closure import ClosureState
from tracker.closure import evolve as evolve_closure
from tracker.commands import Command
from tracker.context import Context, context_for, local_date
from tracker.deliverables import DELIVERABLE_EVENT_TYPES, DeliverableState
from tracker.deliverables import evolve as evolve_deliverable
from tracker.errors import InvalidInput, StreamConflict
from tracker.events.base import Event, Metadata, NewEvent, StoredEvent
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
)
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableEndorsed,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSubmitted,
)
from tracker.events.gates import GateApproved
from tracker.events.store import AppendResult, EventStore, StreamAppend
from tracker.gates import GATE_EVENT_TYPES, GateState
from tracker.gates import evolve as evolve_gate
from tracker.milestones import MILESTONE_EVENT_TYPES, MilestoneState
from tracker.milestones import evolve as evolve_milestone
from tracker.permissions import authorise
from tracker.programmes import (
    PROGRAMME_EVENT_TYPES,
    ProgrammeEvent,
    ProgrammeState,
    programme_stream,
)
from tracker.programmes import evolve as evolve_programme
from tracker.risks import RISK_EVENT_TYPES, RiskState
from tracker.risks import evolve as evolve_risk


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a command did. ``position`` is None when it wrote nothing (a no-op)."""

    stream_id: str
    version: int
    position: int | None = None
    recorded: tuple[str, ...] = ()
    """The type names of the events written, in order."""
    created_id: UUID | None = None

    @property
    def written(self) -> bool:
        return bool(self.recorded)


S = TypeVar("S")


class Loaded(msgspec.Struct, Generic[S], frozen=True, kw_only=True):
    stream_id: str
    state: S
    version: int
    created_on: date | None = None
    """The effective day of the stream's first event (an item planned, baselined, raised)."""
    opened_on: date | None = None
    """The effective day of the submission now open (a deliverable's round, the closure
    report): what a sign-off answers and may not be dated before."""


def _opened_on(stored: Sequence[StoredEvent], *submissions: type[Event]) -> date | None:
    for item in reversed(stored):
        if isinstance(item.data, submissions):
            return local_date(item.occurred_at)
    return None


def _created_on(stored: Sequence[StoredEvent]) -> date | None:
    return local_date(stored[0].occurred_at) if stored else None


def _foreign(stream_id: str, stored: StoredEvent) -> InvalidInput:
    return InvalidInput(f"stream {stream_id!r} holds an unexpected {stored.type} event")


def _version(events: Sequence[StoredEvent]) -> int:
    return events[-1].version if events else 0


def _acting_for(event: Event) -> str | None:
    signing = (
        DeliverableEndorsed,
        DeliverableApproved,
        DeliverableReturned,
        ClosureReportEndorsed,
        ClosureReportApproved,
        GateApproved,
    )
    if isinstance(event, signing):
        return event.on_behalf_of
    return None


class HandlerBase:
    def __init__(
        self, store: EventStore, clock: Clock, *, backdating: BackdatingRule | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.backdating = backdating or BackdatingRule()

    # Loading.

    async def programme_events(self, key: str) -> tuple[list[StoredEvent], int]:
        """The programme stream's stored events (each checked to be a programme event)."""
        stream_id = programme_stream(key)
        stored = await self.store.read_stream(stream_id)
        for item in stored:
            if not isinstance(item.data, PROGRAMME_EVENT_TYPES):
                raise _foreign(stream_id, item)
        return stored, _version(stored)

    async def load_programme(self, key: str) -> Loaded[ProgrammeState]:
        stored, version = await self.programme_events(key)
        return Loaded(
            stream_id=programme_stream(key), state=fold_programme(stored), version=version
        )

    async def load_closure(self, key: str) -> tuple[Loaded[ProgrammeState], ClosureState]:
        stored, version = await self.programme_events(key)
        closure = ClosureState()
        for item in stored:
            event: ProgrammeEvent = item.data  # type: ignore[assignment]
            closure = evolve_closure(closure, event)
        loaded = Loaded(
            stream_id=programme_stream(key),
            state=fold_programme(stored),
            version=version,
            created_on=_created_on(stored),
            opened_on=_opened_on(stored, ClosureReportSubmitted),
        )
        return loaded, closure

    async def _load_item(
        self,
        stream_id: str,
        kinds: tuple[type[Event], ...],
        evolve: Callable[[S, Any], S],
        state: S,
        *submissions: type[Event],
    ) -> Loaded[S]:
        """An item's state from its stream, each event checked to be one of ``kinds``; its
        ``opened_on`` from the last of ``submissions``."""
        stored = await self.store.read_stream(stream_id)
        for item in stored:
            if not isinstance(item.data, kinds):
                raise _foreign(stream_id, item)
            state = evolve(state, item.data)
        return Loaded(
            stream_id=stream_id,
            state=state,
            version=_version(stored),
            created_on=_created_on(stored),
            opened_on=_opened_on(stored, *submissions) if submissions else None,
        )

    async def load_deliverable(self, stream_id: str) -> Loaded[DeliverableState]:
        return await self._load_item(
            stream_id,
            DELIVERABLE_EVENT_TYPES,
            evolve_deliverable,
            DeliverableState(),
            DeliverableSubmitted,
            DeliverableResubmitted,
        )

    async def load_milestone(self, stream_id: str) -> Loaded[MilestoneState]:
        return await self._load_item(
            stream_id, MILESTONE_EVENT_TYPES, evolve_milestone, MilestoneState()
        )

    async def load_risk(self, stream_id: str) -> Loaded[RiskState]:
        return await self._load_item(stream_id, RISK_EVENT_TYPES, evolve_risk, RiskState())

    async def load_gate(self, stream_id: str) -> Loaded[GateState]:
        return await self._load_item(stream_id, GATE_EVENT_TYPES, evolve_gate, GateState())

    async def load_registered(self, key: str) -> Loaded[ProgrammeState]:
        loaded = await self.load_programme(key)
        loaded.state.require_registered(key)
        return loaded

    # Deciding and writing.

    def context(
        self,
        command: Command,
        earliest: date | None,
        programme: Loaded[ProgrammeState],
        item: Loaded[Any] | None = None,
    ) -> Context:
        """Whether the caller may give the command (``tracker.permissions``: today, and on the
        day it is dated); then whether the stream it acts on (``item``, else the programme) is
        still at the version the caller saw (``Command.expected_version``, If-Match); then when
        it takes effect: refused in the future, before ``earliest``, and more than the rule's
        working days back without a reason (``tracker.backdating``)."""
        now = self.clock.now()
        today = local_date(now)
        dated = command.occurred_at
        on = local_date(dated) if dated is not None and dated.tzinfo is not None else today
        named = (
            item.state
            if item is not None and isinstance(item.state, DeliverableState | GateState)
            else None
        )
        authorise(command, programme.state, named, today=today, on=on, rule=self.backdating)
        acted_on = item if item is not None else programme
        expected = command.expected_version
        if expected is not None and acted_on.version != expected:
            raise StreamConflict(acted_on.stream_id, expected, acted_on.version)
        context = context_for(
            actor=command.actor,
            occurred_at=command.occurred_at,
            now=now,
            earliest=earliest,
        )
        reason = self.backdating.require_reason(
            context.on, context.recorded_on, command.backdating_reason
        )
        return msgspec.structs.replace(context, backdating_reason=reason)

    @staticmethod
    def require_after_creation(context: Context, loaded: Loaded[S], what: str) -> None:
        """No action on an item is dated before the item was created (``what`` names it)."""
        require_not_before(context.on, loaded.created_on, "dated_before_item", what)

    @staticmethod
    def require_after_submission(context: Context, loaded: Loaded[S], what: str) -> None:
        """A sign-off is not dated before the submission it answers."""
        require_not_before(context.on, loaded.opened_on, "dated_before_submission", what)

    def new_events(
        self, events: Sequence[Event], command: Command, context: Context
    ) -> list[NewEvent]:
        return [
            NewEvent(
                data=event,
                occurred_at=context.at,
                metadata=Metadata(
                    actor=context.actor,
                    on_behalf_of=_acting_for(event),
                    correlation_id=command.correlation_id,
                    source=dict(command.source or {}),
                    backdating_reason=context.backdating_reason,
                ),
            )
            for event in events
        ]

    async def append(
        self,
        stream_id: str,
        events: Sequence[Event],
        expected_version: int,
        command: Command,
        context: Context,
        *,
        created_id: UUID | None = None,
    ) -> CommandResult:
        if not events:
            return CommandResult(
                stream_id=stream_id, version=expected_version, created_id=created_id
            )
        result = await self.store.append(
            stream_id,
            self.new_events(events, command, context),
            expected_version,
            idempotency_key=command.idempotency_key,
        )
        return _result(result, events, created_id)

    async def append_streams(
        self,
        parts: Sequence[tuple[str, Sequence[Event], int]],
        command: Command,
        context: Context,
        *,
        created_id: UUID | None = None,
    ) -> CommandResult:
        """Several streams, all or nothing; the result describes the last stream (the item a
        creation made), its events in ``recorded``."""
        appends = [
            StreamAppend(
                stream_id=stream_id,
                events=self.new_events(events, command, context),
                expected_version=expected,
            )
            for stream_id, events, expected in parts
            if events
        ]
        if not appends:
            stream_id, _, expected = parts[-1]
            return CommandResult(stream_id=stream_id, version=expected, created_id=created_id)
        results = await self.store.append_streams(appends, idempotency_key=command.idempotency_key)
        return _result(results[-1], parts[-1][1], created_id)


Handler = Callable[[HandlerBase, Any], Awaitable[CommandResult]]
"""A command's handler: ``handler(handlers, command)`` (``tracker.handlers.dispatch``)."""


def fold_programme(stored: Sequence[StoredEvent]) -> ProgrammeState:
    """The programme's state from its stored events, each dated by its effective day."""
    state = ProgrammeState()
    for item in stored:
        event: ProgrammeEvent = item.data  # type: ignore[assignment]
        state = evolve_programme(state, event, local_date(item.occurred_at))
    return state


def _result(
    result: AppendResult, events: Sequence[Event], created_id: UUID | None
) -> CommandResult:
    return CommandResult(
        stream_id=result.stream_id,
        version=result.last_version,
        position=result.last_position,
        recorded=tuple(type(e).__name__ for e in events),
        created_id=created_id,
    )
