"""``tracker projector`` killed (SIGKILL) again and again during a long catch-up, restarted each
time: it loses nothing and folds nothing twice, and on PostgreSQL its leader lock is free the
moment it dies.

The kill delays come from a seeded RNG; the seed is printed (and taken from
``TRACKER_FAULT_SEED`` when set) so a failure can be replayed.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from pathlib import Path

import pytest

from tests.faults.processes import Process, processes, tracker_env, until
from tests.faults.read_model import checkpoint, compare_with_a_fresh_rebuild, given_programmes, head
from tracker.clock import FixedClock
from tracker.db import is_sqlite

pytestmark = [pytest.mark.db, pytest.mark.slow]

PROGRAMMES = 60
DELIVERABLES = 25
"""60 programmes of 25 deliverables: 5,400 events."""
BATCH = 3
"""Events per projector transaction: small, so a catch-up takes about 1,800 commits."""
KILLS = 5
LEADER_WITHIN = 15.0
"""Seconds from starting a projector (Python start-up included) to its first log line as the
active projector."""
TAKEOVER_WITHIN = 3.0
"""PostgreSQL: seconds from a SIGKILL to a standing-by projector's first log line as leader."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def seed() -> int:
    chosen = os.environ.get("TRACKER_FAULT_SEED")
    value = int(chosen) if chosen else random.SystemRandom().randrange(2**32)
    print(f"kill delays from seed {value} (replay: TRACKER_FAULT_SEED={value})")
    return value


async def the_active_one(candidates: list[Process], since: float) -> Process:
    """The one running candidate that logged it is the active projector (it has the lock)."""

    def active() -> list[Process]:
        return [p for p in candidates if p.running and p.has_line("projector: started at position")]

    await until(lambda: bool(active()), LEADER_WITHIN, "an active projector")
    [one] = active()
    return one


def started_at(process: Process) -> int:
    return int(re.findall(r"started at position (\d+)", process.text())[-1])


async def wait_for_checkpoint_beyond(url: str, position: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while True:
        now, _ = await checkpoint(url)
        if now > position:
            return now
        assert time.monotonic() < deadline, f"checkpoint stuck at {now} for {seconds} s"
        await asyncio.sleep(0.02)


async def until_checkpoint(url: str, position: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (await checkpoint(url))[0] < position:
        assert time.monotonic() < deadline, f"checkpoint did not reach {position} in {seconds} s"
        await asyncio.sleep(0.05)


async def test_a_projector_killed_mid_catch_up_five_times_ends_equal_to_a_fresh_rebuild(
    database: str, clock: FixedClock, tmp_path: Path
) -> None:
    stored = await given_programmes(database, clock, PROGRAMMES, DELIVERABLES)
    head_position, events = await head(database)
    assert stored == events >= 5000
    rng = random.Random(seed())
    env = tracker_env(database, TRACKER_PROJECTOR_BATCH=str(BATCH))
    postgres = not is_sqlite(database)
    kills: list[dict[str, float]] = []
    with processes(tmp_path) as group:

        def start(n: int) -> Process:
            return group.start(f"projector-{n}", ["projector"], env)

        # PostgreSQL: every projector the test will need starts now; one leads, the others stand
        # by, and each kill is a fail-over. SQLite (no leader lock): a new one after each kill.
        waiting = [start(n) for n in range(KILLS + 1)] if postgres else [start(0)]
        current = await the_active_one(waiting, time.monotonic())
        position = started_at(current)
        assert position == 0
        for n in range(1, KILLS + 1):
            moved = await wait_for_checkpoint_beyond(database, position, 10)
            delay = rng.uniform(0.0, 0.4)
            await asyncio.sleep(delay)
            current.popen.kill()  # SIGKILL: no handler, no clean-up, no goodbye
            current.popen.wait(timeout=10)
            killed = time.monotonic()
            at_kill, _ = await checkpoint(database)
            assert position < moved <= at_kill < head_position, (
                f"kill {n} did not land mid catch-up: checkpoint {at_kill}, head {head_position}"
            )
            if not postgres:
                waiting = [start(n)]
            current = await the_active_one(waiting, killed)
            active_after = round(time.monotonic() - killed, 2)
            if postgres:
                assert active_after < TAKEOVER_WITHIN, current.text()
            position = started_at(current)
            # A commit sent just before the kill may land after the read above: one batch more.
            assert at_kill <= position <= at_kill + BATCH
            kills.append(
                {"delay_s": round(delay, 3), "checkpoint": at_kill, "active_after_s": active_after}
            )
        await until_checkpoint(database, head_position, 120)
        assert current.stop(timeout=10) == 0, current.text()
    print(f"{events} events; kills: {kills}")
    live, fresh, report = await compare_with_a_fresh_rebuild(database)
    assert (report.added, report.removed, report.changed) == ([], [], [])
    assert live == fresh and len(live) == PROGRAMMES
    assert await checkpoint(database) == (head_position, events)
