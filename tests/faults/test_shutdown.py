"""Graceful shutdown: SIGTERM to ``tracker projector``, ``tracker scheduler`` and
``tracker serve`` at the moment it matters (mid catch-up, leading, a write in flight). Each exits
0, leaves consistent data, hands its leader lock over at once and does nothing twice."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.faults.processes import (
    Process,
    issue_admin_token,
    processes,
    tracker_env,
    until,
)
from tests.faults.read_model import checkpoint, compare_with_a_fresh_rebuild, given_programmes, head
from tests.reminders.smtp import MailServer, mail_server
from tests.reminders.test_processes import (
    PEOPLE,
    REMINDERS,
    environment,
    given_the_scenario,
    per_person,
    sent_keys,
)
from tracker.clock import FixedClock
from tracker.db import asyncpg_dsn, is_sqlite, sqlite_path
from tracker.events.open import open_store
from tracker.events.programmes import WorkstreamAdded
from tracker.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]

STARTUP = 15.0
"""Seconds a process may take to start (Python imports included)."""
EXIT_WITHIN = 5.0
"""Seconds from SIGTERM to exit for the projector and the scheduler."""
PROJECTOR_TAKEOVER = 3.0
SCHEDULER_TAKEOVER = 5.0
"""The scheduler's standby tries for the lock every 2 s (STANDBY_SECONDS)."""
SERVE_GRACE = 20.0
"""The default TRACKER_SHUTDOWN_GRACE_SECONDS."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def server() -> Iterator[MailServer]:
    with mail_server() as running:
        yield running


async def wait_for_line(process: Process, text: str, seconds: float = STARTUP) -> float:
    """Seconds until ``process`` logs a line with ``text``."""
    started = time.monotonic()
    await until(
        lambda: process.has_line(text) or not process.running,
        seconds,
        f"{process.name} to log {text!r}",
    )
    assert process.has_line(text), f"{process.name} exited:\n{process.text()}"
    return time.monotonic() - started


async def exit_code_within(process: Process, seconds: float) -> tuple[int, float]:
    """The exit code and the seconds it took, polling without blocking the event loop."""
    started = time.monotonic()
    await until(lambda: not process.running, seconds, f"{process.name} to exit")
    code = process.popen.returncode
    assert code is not None
    return code, round(time.monotonic() - started, 2)


def position_in(process: Process, pattern: str) -> int:
    found = re.findall(pattern, process.text())
    assert found, f"{process.name} logged no {pattern!r}:\n{process.text()}"
    return int(found[-1])


async def test_sigterm_mid_catch_up_commits_the_batch_logs_where_and_hands_over_at_once(
    database: str, clock: FixedClock, tmp_path: Path
) -> None:
    events = await given_programmes(database, clock, programmes=60, deliverables=25)
    head_position, _ = await head(database)
    env = tracker_env(database, TRACKER_PROJECTOR_BATCH="3")
    postgres = not is_sqlite(database)
    with processes(tmp_path) as group:
        first = group.start("projector-1", ["projector"], env)
        await wait_for_line(first, "projector: started at position 0")
        second: Process | None = None
        if postgres:
            second = group.start("projector-2", ["projector"], env)
            await wait_for_line(second, "projector: standby")
        assert (await checkpoint(database))[0] < head_position, "caught up before the signal"
        first.send(signal.SIGTERM)
        signalled = time.monotonic()
        code, took = await exit_code_within(first, EXIT_WITHIN)
        assert code == 0, first.text()
        stopped = position_in(first, r"projector: stopped at position (\d+)")
        assert 0 < stopped < head_position
        if second is None:  # SQLite: nothing stands by; the checkpoint is where it said
            assert (await checkpoint(database))[0] == stopped
            second = group.start("projector-2", ["projector"], env)
        await wait_for_line(second, "projector: started at position")
        takeover = round(time.monotonic() - signalled, 2)
        if postgres:
            assert takeover < PROJECTOR_TAKEOVER, second.text()
        # The batch in flight committed, rows and checkpoint together: the next one starts
        # exactly where the first said it stopped.
        assert position_in(second, r"projector: started at position (\d+)") == stopped
        await until_checkpoint(database, head_position)
        assert second.stop(timeout=EXIT_WITHIN) == 0, second.text()
    print(
        f"{events} events; SIGTERM at position {stopped}: exited 0 in {took} s; "
        f"next projector active {takeover} s after the signal"
    )
    live, fresh, report = await compare_with_a_fresh_rebuild(database)
    assert (report.added, report.removed, report.changed) == ([], [], [])
    assert live == fresh
    assert await checkpoint(database) == (head_position, events)


async def until_checkpoint(url: str, position: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while (await checkpoint(url))[0] < position:
        assert time.monotonic() < deadline, f"checkpoint did not reach {position} in {seconds} s"
        await asyncio.sleep(0.05)


async def test_sigterm_to_the_leading_scheduler_hands_over_and_sends_nothing_twice(
    database: str, clock: FixedClock, server: MailServer, tmp_path: Path
) -> None:
    await given_the_scenario(database, clock)
    env = environment(database, server.url, TRACKER_REMINDERS_CRON="* * * * * *")
    args = ["scheduler", "--today", "2021-03-15"]
    with processes(tmp_path) as group:
        leader = group.start("scheduler-1", args, env)
        await wait_for_line(leader, "leader: scheduling reminders")
        await until(lambda: server.handler.count() >= len(PEOPLE), 30, "the first pass's e-mails")
        standby = group.start("scheduler-2", args, env)
        await wait_for_line(standby, "standby: another scheduler is the leader")
        await wait_for_line(leader, "13 already sent; 0 e-mails sent", 10)  # passes go on
        leader.send(signal.SIGTERM)
        signalled = time.monotonic()
        code, took = await exit_code_within(leader, EXIT_WITHIN)
        assert code == 0, leader.text()
        assert leader.has_line("scheduler stopped")
        await wait_for_line(standby, "leader: scheduling reminders", SCHEDULER_TAKEOVER)
        takeover = round(time.monotonic() - signalled, 2)
        await wait_for_line(standby, "13 already sent; 0 e-mails sent", 10)
        assert standby.stop(timeout=EXIT_WITHIN) == 0, standby.text()
    print(f"scheduler: exited 0 in {took} s; standby leading {takeover} s after the signal")
    assert per_person(server) == dict.fromkeys(PEOPLE, 1)
    keys = await sent_keys(database)
    assert len(keys) == len(set(keys)) == REMINDERS
    assert set(re.findall(r"(\d+) e-mails sent", standby.text())) == {"0"}


async def hold_the_stream_lock(url: str, stream: str) -> object:
    """Take, from outside the server, the lock an append to ``stream`` needs."""
    if is_sqlite(url):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=5)
        conn.execute("BEGIN IMMEDIATE")
        return conn
    holder = await asyncpg.connect(asyncpg_dsn(url))
    await holder.execute("BEGIN")
    await holder.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream)
    return holder


async def release(holder: object) -> None:
    if isinstance(holder, sqlite3.Connection):
        holder.execute("ROLLBACK")
        holder.close()
    else:
        assert isinstance(holder, asyncpg.Connection)
        await holder.execute("ROLLBACK")
        await holder.close()


async def append_is_waiting(url: str) -> bool:
    """PostgreSQL: some session waits for an advisory lock (the append we are holding up)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        waiting: int = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        return waiting > 0
    finally:
        await conn.close()


def refused(base: str) -> bool:
    """No new connection is served: refused outright, or (a connection that reached the
    listening socket's backlog as it closed) reset by the server before any answer."""
    try:
        httpx.get(f"{base}/health", timeout=1)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
        return True
    return False


async def test_sigterm_to_serve_finishes_the_write_in_flight_and_refuses_new_connections(
    database: str, tmp_path: Path
) -> None:
    env = tracker_env(database)
    token = issue_admin_token(env)
    headers = {"Authorization": f"Bearer {token}"}
    with processes(tmp_path) as group:
        serve, base = group.serve("serve", env)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            created = await client.post(
                "/api/v1/programmes",
                json={"key": "in-flight", "name": "In flight", "start": "2021-01-04"},
            )
            assert created.status_code == 201, created.text
        holder: object | None = await hold_the_stream_lock(database, "programme:in-flight")
        try:
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
                write = asyncio.create_task(
                    client.post(
                        "/api/v1/programmes/in-flight/workstreams",
                        json={"key": "ws-1", "name": "Held-up workstream"},
                    )
                )
                if is_sqlite(database):
                    await asyncio.sleep(0.5)  # let it reach the write lock; checked just below
                else:
                    deadline = time.monotonic() + 10
                    while not await append_is_waiting(database):
                        assert time.monotonic() < deadline, "the write never waited for the lock"
                        await asyncio.sleep(0.05)
                assert not write.done(), "the write finished while its lock was held"
                serve.send(signal.SIGTERM)
                signalled = time.monotonic()
                await until(lambda: refused(base), 5, "new connections to be refused")
                refused_after = round(time.monotonic() - signalled, 2)
                assert serve.running and not write.done()
                await asyncio.sleep(1)  # the write stays in flight a second after the signal
                await release(holder)
                holder = None
                answer = await asyncio.wait_for(write, 30)
        finally:
            if holder is not None:
                await release(holder)
        assert answer.status_code == 201, answer.text
        answered = round(time.monotonic() - signalled, 2)
        code, took = await exit_code_within(serve, SERVE_GRACE)
        print(
            f"serve: new connections refused {refused_after} s after SIGTERM, the held-up write "
            f"answered {answered} s after it, the process ended {took} s later with {code}"
        )
        assert code == 0, serve.text()
    store = open_store(Settings(database_url=database))
    try:
        stream = await store.read_stream("programme:in-flight")
    finally:
        await store.close()
    added = [e for e in stream if isinstance(e.data, WorkstreamAdded)]
    assert len(added) == 1 and added[0].data.workstream == "ws-1"
