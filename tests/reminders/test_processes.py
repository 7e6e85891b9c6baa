"""The once-only guarantee across real OS processes started at the same moment: two
``tracker reminders run`` and two ``tracker scheduler``, against one database, delivering to a
real SMTP server in the test process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.projections.builders import append_all
from tests.reminders.expected import BASE_URL
from tests.reminders.scenario import (
    ANDREW,
    GABBY,
    GLYN,
    IAN,
    MIKE,
    digital_transition,
    payroll_transition,
)
from tests.reminders.smtp import MailServer, mail_server
from tracker.clock import FixedClock
from tracker.events.open import open_store
from tracker.events.reminders import ReminderSent
from tracker.reminders.history import reminder_stream
from tracker.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PEOPLE = {ANDREW.email, GABBY.email, GLYN.email, IAN.email, MIKE.email}
REMINDERS = 13
"""Addressable reminders due on Monday 15 March 2021 in the scenario."""


@pytest.fixture
def server() -> Iterator[MailServer]:
    with mail_server() as running:
        yield running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


async def given_the_scenario(url: str, clock: FixedClock) -> None:
    store = open_store(Settings(database_url=url), clock=clock)
    try:
        script, _ = digital_transition()
        await append_all(store, script, clock)
        await append_all(store, payroll_transition(), clock)
    finally:
        await store.close()


async def sent_keys(url: str) -> list[str]:
    store = open_store(Settings(database_url=url))
    try:
        keys: list[str] = []
        for email in PEOPLE:
            events = await store.read_stream(reminder_stream(email))
            keys += [e.data.key for e in events if isinstance(e.data, ReminderSent)]
        return keys
    finally:
        await store.close()


def environment(database_url: str, smtp_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        TRACKER_DATABASE_URL=database_url,
        TRACKER_SMTP_URL=smtp_url,
        TRACKER_MAIL_FROM="Programme tracker <tracker@lcc.example>",
        TRACKER_BASE_URL=BASE_URL,
        TRACKER_SMTP_BACKOFF_SECONDS="0",
        **extra,
    )
    return env


async def tracker(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        *args,
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def until(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


def per_person(server: MailServer) -> dict[str, int]:
    return {email: len(server.handler.to(email)) for email in PEOPLE}


async def test_two_reminders_runs_started_together_send_each_email_once(
    database: str, clock: FixedClock, server: MailServer
) -> None:
    await given_the_scenario(database, clock)
    env = environment(database, server.url)
    first, second = await asyncio.gather(
        tracker(env, "reminders", "run", "--today", "2021-03-15"),
        tracker(env, "reminders", "run", "--today", "2021-03-15"),
    )
    outputs = await asyncio.gather(first.communicate(), second.communicate())
    assert (first.returncode, second.returncode) == (0, 0), outputs
    summaries = sorted(out.decode().strip().splitlines()[-1] for out, _ in outputs)
    assert summaries == [
        "reminders for 2021-03-15: 14 due (0 more muted), 0 already sent; 5 e-mails sent "
        "(13 reminders), 0 failed, 1 reminders skipped, 0 planned",
        "reminders for 2021-03-15: 14 due (0 more muted), 13 already sent; 0 e-mails sent "
        "(0 reminders), 0 failed, 1 reminders skipped, 0 planned",
    ]
    assert per_person(server) == dict.fromkeys(PEOPLE, 1)
    keys = await sent_keys(database)
    assert len(keys) == len(set(keys)) == REMINDERS


@pytest.mark.postgres
async def test_two_schedulers_started_together_elect_one_leader_and_send_each_email_once(
    postgres_url: str, clock: FixedClock, server: MailServer
) -> None:
    await given_the_scenario(postgres_url, clock)
    env = environment(postgres_url, server.url, TRACKER_REMINDERS_CRON="* * * * * *")
    args = ("scheduler", "--today", "2021-03-15")
    a, b = await asyncio.gather(tracker(env, *args), tracker(env, *args))
    try:
        await until(lambda: server.handler.count() >= 5, 30)
        await asyncio.sleep(4)  # several more passes, one a second
        assert per_person(server) == dict.fromkeys(PEOPLE, 1)
    finally:
        for process in (a, b):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        logs = [(await p.communicate())[1].decode() for p in (a, b)]
    assert (a.returncode, b.returncode) == (0, 0), logs
    leaders = [log for log in logs if "leader: scheduling reminders" in log]
    assert len(leaders) == 1, logs
    standby = next(log for log in logs if log is not leaders[0])
    assert "standby: another scheduler is the leader" in standby
    assert "e-mails sent" not in standby
    assert "5 e-mails sent (13 reminders)" in leaders[0]
    assert "13 already sent; 0 e-mails sent" in leaders[0]
    keys = await sent_keys(postgres_url)
    assert len(keys) == len(set(keys)) == REMINDERS


@pytest.mark.postgres
async def test_a_standby_scheduler_takes_over_when_the_leader_dies_and_resends_nothing(
    postgres_url: str, clock: FixedClock, server: MailServer
) -> None:
    await given_the_scenario(postgres_url, clock)
    env = environment(postgres_url, server.url, TRACKER_REMINDERS_CRON="* * * * * *")
    args = ("scheduler", "--today", "2021-03-15")
    leader = await tracker(env, *args)
    standby: asyncio.subprocess.Process | None = None
    try:
        await until(lambda: server.handler.count() >= 5, 30)
        standby = await tracker(env, *args)
        assert standby.stderr is not None
        await wait_for_line(standby.stderr, "standby: another scheduler is the leader", 30)
        leader.kill()  # no pass is sending now: everything due was sent and recorded
        await leader.wait()
        await wait_for_line(standby.stderr, "leader: scheduling reminders", 30)
        await wait_for_line(standby.stderr, "13 already sent; 0 e-mails sent", 30)
    finally:
        for process in (leader, standby):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.communicate()
    assert per_person(server) == dict.fromkeys(PEOPLE, 1)


async def wait_for_line(stream: asyncio.StreamReader, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no line with {text!r}"
        line = await asyncio.wait_for(stream.readline(), remaining)
        assert line, f"stream ended before a line with {text!r}"
        if text in line.decode():
            return
