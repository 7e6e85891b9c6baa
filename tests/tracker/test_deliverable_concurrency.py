"""Concurrent commands on one deliverable, on PostgreSQL with separate connection pools: one
wins, the other gets a conflict, and nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import uuid4

import pytest

from tests.builders import (
    ANDREW,
    GABBY,
    GLYN,
    KEY,
    MIKE,
    PAUL,
    ROB,
    START,
    PaperHandlers,
    Person,
    at,
    day,
)
from tracker.clock import FixedClock
from tracker.commands import (
    ApproveDeliverable,
    AssignRosterMember,
    EndorseDeliverable,
    PlanDeliverable,
    RaiseRisk,
    RegisterProgramme,
    SubmitDeliverable,
)
from tracker.deliverables import deliverable_stream
from tracker.errors import RuleBroken, StreamConflict
from tracker.events.base import StoredEvent
from tracker.events.postgres_store import PostgresEventStore
from tracker.handlers import CommandResult, Handlers
from tracker.programmes import programme_stream
from tracker.settings import Settings

pytestmark = pytest.mark.postgres


class ReadTogether(PostgresEventStore):
    """A real store whose reads of one stream wait until every writer has read it, so each
    decides on the same version before any appends."""

    def __init__(
        self, settings: Settings, clock: FixedClock, barrier: asyncio.Barrier, stream: str
    ) -> None:
        super().__init__(settings, clock=clock)
        self._barrier = barrier
        self._stream = stream

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]:
        events = await super().read_stream(
            stream_id, to_version=to_version, as_of=as_of, known_at=known_at
        )
        if stream_id == self._stream:
            await self._barrier.wait()
        return events


@pytest.fixture
async def setup_store(postgres_url: str, clock: FixedClock) -> AsyncIterator[PostgresEventStore]:
    store = PostgresEventStore(Settings(database_url=postgres_url), clock=clock)
    yield store
    await store.close()


async def btls_with_deliverable(
    handlers: Handlers, approvers: Sequence[Person], endorsers: Sequence[Person] = ()
) -> PlanDeliverable:
    await handlers.handle(
        RegisterProgramme(
            programme_key=KEY,
            name="BTLS transition",
            starts_on=START,
            planned_end_on=day("2021-04-01"),
            occurred_at=at(START),
        )
    )
    await handlers.handle(
        AssignRosterMember(
            programme_key=KEY, email=MIKE.email, name=MIKE.name, role_title="Sponsor", raci="A"
        )
    )
    plan = PlanDeliverable(
        programme_key=KEY,
        title="Catalogue Matrix of Services provided to Beneficiaries",
        due_on=day("2021-03-18"),
        approvers=tuple(p.ref for p in approvers),
        endorsers=tuple(p.ref for p in endorsers),
        deliverable_id=uuid4(),
    )
    await handlers.handle(plan)
    assert plan.deliverable_id is not None
    await handlers.handle(SubmitDeliverable(deliverable_id=plan.deliverable_id))
    return plan


async def test_two_approvers_at_once_one_wins_the_other_conflicts_and_nothing_is_lost(
    postgres_url: str, setup_store: PostgresEventStore, clock: FixedClock
) -> None:
    plan = await btls_with_deliverable(PaperHandlers(setup_store, clock), [GABBY, PAUL])
    assert plan.deliverable_id is not None
    stream = deliverable_stream(plan.deliverable_id)
    barrier = asyncio.Barrier(2)
    settings = Settings(database_url=postgres_url)
    stores = [ReadTogether(settings, clock, barrier, stream) for _ in range(2)]
    try:
        commands = [
            ApproveDeliverable(deliverable_id=plan.deliverable_id, actor=person.email)
            for person in (GABBY, PAUL)
        ]
        outcomes = await asyncio.gather(
            *(PaperHandlers(s, clock).handle(c) for s, c in zip(stores, commands, strict=True)),
            return_exceptions=True,
        )
    finally:
        for s in stores:
            await s.close()

    winners = [o for o in outcomes if isinstance(o, CommandResult)]
    conflicts = [o for o in outcomes if isinstance(o, StreamConflict)]
    assert (len(winners), len(conflicts)) == (1, 1), outcomes
    assert winners[0].recorded == ("DeliverableApproved",)
    assert [e.type for e in await setup_store.read_stream(stream)][-1] == "DeliverableApproved"

    loser = commands[outcomes.index(conflicts[0])]
    retried = await PaperHandlers(setup_store, clock).handle(loser)
    assert retried.recorded == ("DeliverableApproved", "DeliverableSignedOff")
    stored = await setup_store.read_stream(stream)
    approvals = {e.metadata.actor for e in stored if e.type == "DeliverableApproved"}
    assert approvals == {GABBY.email, PAUL.email}
    assert [e.version for e in stored] == list(range(1, len(stored) + 1))


async def test_many_endorsers_at_once_each_endorsement_is_stored_exactly_once(
    setup_store: PostgresEventStore, postgres_url: str, clock: FixedClock
) -> None:
    """No barrier: eight endorsers race, retrying on conflict as a client would."""
    endorsers = [GLYN, ROB, ANDREW] + [
        Person(f"endorser{n}@lancashire.gov.uk", f"Endorser {n}") for n in range(5)
    ]
    plan = await btls_with_deliverable(PaperHandlers(setup_store, clock), [MIKE], endorsers)
    deliverable_id = plan.deliverable_id
    assert deliverable_id is not None
    settings = Settings(database_url=postgres_url)
    conflicts = 0

    async def endorse(email: str) -> None:
        nonlocal conflicts
        store = PostgresEventStore(settings, clock=clock)
        try:
            handlers = PaperHandlers(store, clock)
            command = EndorseDeliverable(deliverable_id=deliverable_id, actor=email)
            for _attempt in range(50):
                try:
                    await handlers.handle(command)
                    return
                except StreamConflict:
                    conflicts += 1
            raise AssertionError(f"{email}: 50 conflicts in a row")
        finally:
            await store.close()

    await asyncio.gather(*(endorse(p.email) for p in endorsers))
    assert conflicts > 0, "the endorsers never contended: the test proves nothing"
    stored = await setup_store.read_stream(deliverable_stream(deliverable_id))
    endorsed = [e.metadata.actor for e in stored if e.type == "DeliverableEndorsed"]
    assert sorted(endorsed) == sorted(p.email for p in endorsers)
    approved = await PaperHandlers(setup_store, clock).handle(
        ApproveDeliverable(deliverable_id=deliverable_id, actor=MIKE.email)
    )
    assert approved.recorded == ("DeliverableApproved", "DeliverableSignedOff")


async def test_two_people_raising_the_same_ref_at_once_get_one_item(
    setup_store: PostgresEventStore, postgres_url: str, clock: FixedClock
) -> None:
    await btls_with_deliverable(PaperHandlers(setup_store, clock), [MIKE])
    barrier = asyncio.Barrier(2)
    settings = Settings(database_url=postgres_url)
    stores = [ReadTogether(settings, clock, barrier, programme_stream(KEY)) for _ in range(2)]
    try:
        outcomes = await asyncio.gather(
            *(
                PaperHandlers(s, clock).handle(
                    RaiseRisk(
                        programme_key=KEY,
                        kind="risk",
                        ref="R1",
                        description=f"Raised by writer {n}",
                        owner=GLYN.ref,
                        impact=3,
                        likelihood=3,
                    )
                )
                for n, s in enumerate(stores)
            ),
            return_exceptions=True,
        )
    finally:
        for s in stores:
            await s.close()
    assert sorted(type(o).__name__ for o in outcomes) == ["CommandResult", "StreamConflict"]
    reserved = [
        e
        for e in await setup_store.read_stream(programme_stream(KEY))
        if e.type == "RaidRefReserved"
    ]
    assert len(reserved) == 1
    with pytest.raises(RuleBroken):
        await PaperHandlers(setup_store, clock).handle(
            RaiseRisk(
                programme_key=KEY,
                kind="risk",
                ref="R1",
                description="again",
                owner=GLYN.ref,
                impact=3,
                likelihood=3,
            )
        )
