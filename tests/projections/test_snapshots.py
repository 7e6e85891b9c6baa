"""Snapshots answer as full folds: random programmes with back-dated entries, folded by the
projector with snapshots a few events apart, asked random "as of" and "known at" questions;
every answer from a snapshot plus the events after it equals the fold from the first event,
and the live read (rows plus the events the projector has not folded) equals it too, however
far the projector got. On SQLite and on PostgreSQL (hypothesis drives each; a programme per
example, one database per test)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.databases import fresh_postgres_database, fresh_sqlite_database
from tests.projections.builders import Script, append_one, day, month, person
from tracker.clock import FixedClock
from tracker.db import create_engine
from tracker.errors import NotFound
from tracker.events.open import open_store
from tracker.events.programmes import RaciLetter
from tracker.events.store import EventStore
from tracker.projections.read_model.projector import Projector
from tracker.projections.read_model.reader import Reader, fold_from_store
from tracker.settings import Settings

pytestmark = pytest.mark.db

START = date(2020, 1, 6)
PEOPLE = [person(f"p{n}@council.example", f"Person {n}") for n in range(4)]

Step = tuple[str, int, int]
"""(what, which item, days after START it is dated: any order, so entries are back-dated)."""

steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "deliverable",
                "submit",
                "approve",
                "return",
                "defer",
                "milestone",
                "reforecast",
                "achieve",
                "risk",
                "update",
                "close",
                "member",
                "deputy",
            ]
        ),
        st.integers(0, 5),
        st.integers(0, 500),
    ),
    min_size=1,
    max_size=40,
)


def script_of(key: str, first_id: int, chosen: list[Step]) -> Script:
    """A programme from the steps (steps naming an item not made yet make one)."""
    script = Script(key, first_id=first_id)
    script.register("Random", START, starts_on=START, planned_end_on=date(2021, 12, 31))
    deliverables: list[UUID] = []
    milestones: list[UUID] = []
    risks: list[UUID] = []
    for n, (what, which, offset) in enumerate(chosen):
        on = START + timedelta(days=offset)
        who = PEOPLE[which % len(PEOPLE)]
        if what in ("deliverable", "submit", "approve", "return", "defer"):
            if what == "deliverable" or which >= len(deliverables):
                deliverables.append(script.deliverable(f"D{n}", on + timedelta(days=30), [who], on))
                continue
            item = deliverables[which]
            match what:
                case "submit":
                    script.submit(item, on)
                case "approve":
                    script.approve(item, who, on)
                case "return":
                    script.return_(item, who, "not yet", on)
                case _:
                    script.defer(item, "later", "Post Transition", on)
        elif what in ("milestone", "reforecast", "achieve"):
            if what == "milestone" or which >= len(milestones):
                milestones.append(script.milestone(f"M{n}", month(2021, 1 + which), on))
                continue
            item = milestones[which]
            if what == "reforecast":
                script.reforecast(item, day("2021-09-30"), month(2021, 1), "late", on)
            else:
                script.achieve(item, day("2021-10-01"), on)
        elif what in ("risk", "update", "close"):
            if what == "risk" or which >= len(risks):
                risks.append(script.raid(f"R{n}", "risk", "A risk", who, on, impact=3))
                continue
            item = risks[which]
            if what == "update":
                script.raid_update(item, f"update {n}", on)
            else:
                script.close_raid(item, "done", on)
        elif what == "member":
            letter: RaciLetter = ("R", "A", "C", "I")[which % 4]
            script.member(who, "Role", letter, on)
        else:
            script.deputy(who, PEOPLE[0], on, on + timedelta(days=90), on)
    return script


class Fixture:
    def __init__(self, store: EventStore, reader: Reader, clock: FixedClock) -> None:
        self.store = store
        self.reader = reader
        self.clock = clock
        self.examples = itertools.count(1)


async def one_example(
    f: Fixture, chosen: list[Step], every: int, split: float, asked: list[tuple[int, int]]
) -> None:
    n = next(f.examples)
    key = f"random-{n}"
    script = script_of(key, n * 10_000, chosen)
    moments: list[datetime] = []
    for stream, event in script.entries:
        f.clock.advance(timedelta(minutes=3))
        await append_one(f.store, stream, event)
        moments.append(f.clock.now())
    projector = Projector(f.store, f.reader.engine, snapshot_every=every, batch_size=3)
    # The projector gets part of the way; the live read folds the rest itself.
    for _ in range(int(split * len(script.entries) / 3)):
        await projector.run_once()
    whole = await fold_from_store(f.store, key)
    assert await f.reader.view(await f.reader.glance(key)) == whole
    await projector.catch_up()
    assert await f.reader.view(await f.reader.glance(key)) == whole
    days = sorted({e.occurred_at for _, e in script.entries})
    for as_of_pick, known_pick in asked:
        as_of = days[as_of_pick % len(days)] if as_of_pick >= 0 else None
        known_at = moments[known_pick % len(moments)] if known_pick >= 0 else None
        if as_of is not None and as_of_pick % 3 == 0:
            as_of -= timedelta(hours=1)  # between two entries' dates
        try:
            expected = await fold_from_store(f.store, key, as_of=as_of, known_at=known_at)
        except NotFound:
            with pytest.raises(NotFound):
                await f.reader.view_at(key, as_of, known_at)
            continue
        assert await f.reader.view_at(key, as_of, known_at) == expected, (as_of, known_at)


def _database(kind: str, tmp_path: Path) -> AbstractAsyncContextManager[str]:
    return fresh_sqlite_database(tmp_path) if kind == "sqlite" else fresh_postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def runner(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[asyncio.Runner, Fixture]]:
    """One event loop and one database for every example of the test."""
    loop = asyncio.Runner()
    database = _database(request.param, tmp_path)
    url = loop.run(database.__aenter__())
    clock = FixedClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    settings_ = Settings(database_url=url)
    store, engine = open_store(settings_, clock=clock), create_engine(settings_)
    try:
        yield loop, Fixture(store, Reader(store, engine), clock)
    finally:
        loop.run(store.close())
        loop.run(engine.dispose())
        loop.run(database.__aexit__(None, None, None))
        loop.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    chosen=steps,
    every=st.integers(1, 9),
    split=st.floats(0, 1),
    asked=st.lists(st.tuples(st.integers(-1, 60), st.integers(-1, 120)), min_size=1, max_size=8),
)
def test_snapshot_answers_equal_full_folds(
    runner: tuple[asyncio.Runner, Fixture],
    chosen: list[Step],
    every: int,
    split: float,
    asked: list[tuple[int, int]],
) -> None:
    loop, fixture = runner
    loop.run(one_example(fixture, chosen, every, split, asked))
