"""The "given" and the pass criteria of the projector fault tests: many programmes written
fast through the store API, the checkpoint as the projector left it, and the read model against
a fresh rebuild, row by row."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from sqlalchemy import text

from tracker.clock import FixedClock
from tracker.db import create_engine
from tracker.events.base import Event, NewEvent
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverablePlanned,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.open import open_store
from tracker.events.programmes import DeliverableListed, ProgrammeRegistered
from tracker.events.store import StreamState
from tracker.events.values import PersonRef
from tracker.projections.projector import NAME, read_checkpoint
from tracker.projections.rebuild import RebuildReport, rebuild
from tracker.settings import Settings

SPONSOR = PersonRef(email="sponsor@council.example", name="Sam Sponsor")

Rows = dict[str, tuple[int, str]]
"""Read-model rows: key -> (position, document)."""


def _lifecycle(key: str, deliverable_id: UUID, number: int) -> list[Event]:
    """Planned; every other one also submitted, approved and signed off (1 or 4 events)."""
    events: list[Event] = [
        DeliverablePlanned(
            deliverable_id=deliverable_id,
            programme_key=key,
            title=f"Deliverable {number}",
            due_on=date(2026, 12, 1) + timedelta(days=number),
            approvers=(SPONSOR,),
        )
    ]
    if number % 2 == 0:
        events += [
            DeliverableSubmitted(deliverable_id=deliverable_id, programme_key=key, round=1),
            DeliverableApproved(
                deliverable_id=deliverable_id, programme_key=key, round=1, actor=SPONSOR.email
            ),
            DeliverableSignedOff(
                deliverable_id=deliverable_id,
                programme_key=key,
                round=1,
                approvers=(SPONSOR.email,),
            ),
        ]
    return events


async def given_programmes(url: str, clock: FixedClock, programmes: int, deliverables: int) -> int:
    """Append ``programmes`` programmes of ``deliverables`` deliverables each, interleaved (each
    round appends one deliverable to every programme), so every projector batch touches many
    programme views. Returns the number of events stored."""
    store = open_store(Settings(database_url=url), clock=clock)
    at = clock.now() - timedelta(days=30)
    count = 0
    try:
        for p in range(programmes):
            key = f"prog-{p:03d}"
            registered = ProgrammeRegistered(
                programme_key=key,
                name=f"Programme {p}",
                starts_on=date(2026, 1, 1),
                planned_end_on=date(2026, 12, 31),
                registered_on=date(2026, 1, 1),
            )
            await store.append(
                f"programme:{key}",
                [NewEvent(data=registered, occurred_at=at)],
                StreamState.NO_STREAM,
            )
            count += 1
        for d in range(deliverables):
            for p in range(programmes):
                key = f"prog-{p:03d}"
                deliverable_id = uuid4()
                listed = DeliverableListed(programme_key=key, deliverable_id=deliverable_id)
                await store.append(
                    f"programme:{key}", [NewEvent(data=listed, occurred_at=at)], StreamState.ANY
                )
                lifecycle = [
                    NewEvent(data=event, occurred_at=at)
                    for event in _lifecycle(key, deliverable_id, d)
                ]
                await store.append(f"deliverable:{deliverable_id}", lifecycle, 0)
                count += 1 + len(lifecycle)
        return count
    finally:
        await store.close()


async def checkpoint(url: str) -> tuple[int, int]:
    """The live projector's checkpoint: (position, events applied)."""
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            return await read_checkpoint(conn, NAME)
    finally:
        await engine.dispose()


async def head(url: str) -> tuple[int, int]:
    """The store's head position and its number of events."""
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT max(position), count(*) FROM events"))).one()
        return int(row[0] or 0), int(row[1])
    finally:
        await engine.dispose()


async def read_model_rows(url: str) -> Rows:
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT key, position, document FROM programme_views"))
            ).all()
        return {r.key: (int(r.position), r.document) for r in rows}
    finally:
        await engine.dispose()


async def compare_with_a_fresh_rebuild(url: str) -> tuple[Rows, Rows, RebuildReport]:
    """The live rows, then a rebuild from zero (into a shadow table, compared, swapped in),
    then the rows it wrote. Equal rows mean no view missed an event or folded one twice: a
    view's document counts and lists what it folded, and its position is its last event's."""
    live = await read_model_rows(url)
    settings = Settings(database_url=url)
    store, engine = open_store(settings), create_engine(settings)
    try:
        report = await rebuild(store, engine)
    finally:
        await store.close()
        await engine.dispose()
    return live, await read_model_rows(url), report
