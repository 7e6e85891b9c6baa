"""The "given" and the pass criteria of the projector fault tests: many programmes written
fast through the store API, the checkpoint as the projector left it, and the read model against
a fresh rebuild, row by row."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import msgspec
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
from tracker.projections.read_model.projector import NAME, read_checkpoint
from tracker.projections.read_model.rebuild import RebuildReport, rebuild
from tracker.settings import Settings

SPONSOR = PersonRef(email="sponsor@council.example", name="Sam Sponsor")

Rows = dict[str, tuple[int, bytes, tuple[tuple[str, bytes], ...], tuple[tuple[int, bytes], ...]]]
"""Read-model rows by programme key: (position, header, its item rows as (id, document), its
snapshots as (position, document))."""


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
            headers = (
                await conn.execute(text("SELECT key, position, header FROM read_programmes"))
            ).all()
            items = (
                await conn.execute(
                    text(
                        "SELECT programme_key, item_id, document FROM read_items "
                        "ORDER BY programme_key, item_id"
                    )
                )
            ).all()
            snapshots = (
                await conn.execute(
                    text(
                        "SELECT programme_key, position, document FROM read_snapshots "
                        "ORDER BY programme_key, position"
                    )
                )
            ).all()
        by_key: dict[str, list[tuple[str, bytes]]] = {}
        for row in items:
            by_key.setdefault(row.programme_key, []).append((row.item_id, bytes(row.document)))
        taken: dict[str, list[tuple[int, bytes]]] = {}
        for row in snapshots:
            taken.setdefault(row.programme_key, []).append((int(row.position), bytes(row.document)))
        return {
            r.key: (
                int(r.position),
                bytes(r.header),
                tuple(by_key.get(r.key, [])),
                tuple(taken.get(r.key, [])),
            )
            for r in headers
        }
    finally:
        await engine.dispose()


async def compare_with_a_fresh_rebuild(url: str) -> tuple[Rows, Rows, RebuildReport]:
    """The live rows, then a rebuild from zero (into shadow tables, compared, swapped in),
    then the rows it wrote. Equal rows mean no programme missed an event or folded one twice: a
    header counts what it folded and its position is its last event's, an item row lists what
    happened to it, and a snapshot is the whole view at its position."""
    live = await read_model_rows(url)
    settings = Settings(database_url=url)
    store, engine = open_store(settings), create_engine(settings)
    try:
        report = await rebuild(store, engine)
    finally:
        await store.close()
        await engine.dispose()
    return live, await read_model_rows(url), report


def _first_difference(a: object, b: object, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path or '.'}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path or '.'} keys: {list(a)} != {list(b)}"
        for key in a:
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} entries != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path or '.'}: {a!r} != {b!r}"


def difference(live: Rows, fresh: Rows) -> str:
    """Where the first programme that differs differs (for an assertion's message)."""
    for key in sorted(set(live) | set(fresh)):
        if live.get(key) == fresh.get(key):
            continue
        if key not in live or key not in fresh:
            return f"{key}: only in {'the rebuild' if key in fresh else 'the live rows'}"
        mine, theirs = live[key], fresh[key]
        if mine[0] != theirs[0]:
            return f"{key}: position {mine[0]} != {theirs[0]}"
        decoded = msgspec.msgpack.decode
        found = _first_difference(decoded(mine[1]), decoded(theirs[1]), "header")
        if found:
            return f"{key}: {found}"
        items_a, items_b = dict(mine[2]), dict(theirs[2])
        for item in sorted(set(items_a) | set(items_b)):
            if items_a.get(item) != items_b.get(item):
                if item not in items_a or item not in items_b:
                    return f"{key}: item {item} only in one"
                found = _first_difference(
                    decoded(items_a[item]), decoded(items_b[item]), f"item {item}"
                )
                return f"{key}: {found}"
        return f"{key}: snapshots differ ({len(mine[3])} and {len(theirs[3])})"
    return "no difference"
