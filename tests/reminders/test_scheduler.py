"""APScheduler wiring: the cron expression, the job's settings, and an in-process scheduler
running passes on a per-second cron against SQLite and a real SMTP server."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.projections.builders import append_all
from tests.reminders.expected import BASE_URL
from tests.reminders.scenario import MONDAY, digital_transition, payroll_transition
from tests.reminders.smtp import mail_server
from tracker.clock import FixedClock
from tracker.errors import InvalidInput
from tracker.events.open import open_store
from tracker.locks import FileLock, leader_lock
from tracker.reminders.mailer import SmtpMailer, parse_smtp_url
from tracker.reminders.scheduler import JOB_ID, build_scheduler, cron_trigger, run_scheduler
from tracker.settings import ReminderSettings, Settings, load_settings

LONDON = ZoneInfo("Europe/London")


def fire_times(expression: str, start: datetime, count: int) -> list[datetime]:
    trigger = cron_trigger(expression, LONDON)
    times: list[datetime] = []
    previous = None
    now = start
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        times.append(fire)
        previous, now = fire, fire
    return times


def test_the_default_schedule_is_eight_in_the_morning_london_time_monday_to_friday() -> None:
    expression = ReminderSettings().reminders_cron
    # Friday 26 March 2021 (GMT), then Monday 29 March (BST, after the clocks went forward).
    fires = fire_times(expression, datetime(2021, 3, 26, 7, 0, tzinfo=LONDON), 3)
    assert [f.isoformat() for f in fires] == [
        "2021-03-26T08:00:00+00:00",
        "2021-03-29T08:00:00+01:00",
        "2021-03-30T08:00:00+01:00",
    ]


def test_cron_day_numbers_count_from_sunday_as_in_crontab() -> None:
    # APScheduler 3 numbers days from Monday; "1-5" must still mean Monday to Friday.
    fires = fire_times("30 7 * * 1-5", datetime(2021, 3, 27, 0, 0, tzinfo=LONDON), 2)
    assert [f.strftime("%a %H:%M") for f in fires] == ["Mon 07:30", "Tue 07:30"]
    sundays = fire_times("0 9 * * 0", datetime(2021, 3, 22, tzinfo=LONDON), 1)
    assert sundays[0].strftime("%a") == "Sun"


def test_six_fields_put_seconds_first() -> None:
    fires = fire_times("*/20 * * * * *", datetime(2021, 3, 22, 9, 0, 1, tzinfo=LONDON), 3)
    assert [f.second for f in fires] == [20, 40, 0]


@pytest.mark.parametrize("expression", ["0 8 * *", "0 8 * * * * *", "0 25 * * mon", "0 8 * * 9"])
def test_a_bad_cron_expression_is_refused_with_a_clear_error(expression: str) -> None:
    with pytest.raises(InvalidInput, match="TRACKER_REMINDERS_CRON"):
        cron_trigger(expression, LONDON)


async def test_the_job_has_an_explicit_id_misfire_grace_coalescing_and_one_instance() -> None:
    async def job() -> None:
        return None

    settings = load_settings({"TRACKER_REMINDERS_MISFIRE_GRACE_SECONDS": "900"})
    scheduler = build_scheduler(settings, job)
    scheduler.start(paused=True)
    try:
        found = scheduler.get_job(JOB_ID)
        assert found is not None
        assert (found.misfire_grace_time, found.coalesce, found.max_instances) == (900, True, 1)
        # Adding it again replaces it rather than duplicating it.
        scheduler.add_job(job, found.trigger, id=JOB_ID, replace_existing=True)
        assert [j.id for j in scheduler.get_jobs()] == [JOB_ID]
    finally:
        scheduler.shutdown(wait=False)


async def test_a_scheduler_runs_passes_on_its_cron_and_sends_each_email_once(
    sqlite_url: str, clock: FixedClock
) -> None:
    store = open_store(Settings(database_url=sqlite_url), clock=clock)
    await append_all(store, digital_transition()[0], clock)
    await append_all(store, payroll_transition(), clock)
    await store.close()
    with mail_server() as server:
        settings = Settings(
            database_url=sqlite_url,
            reminders=ReminderSettings(
                smtp_url=server.url, base_url=BASE_URL, reminders_cron="* * * * * *"
            ),
        )
        stop = asyncio.Event()
        mailer = SmtpMailer(parse_smtp_url(server.url), backoff=0)
        task = asyncio.create_task(
            run_scheduler(settings, stop, clock=clock, today=MONDAY, mailer=mailer)
        )
        deadline = time.monotonic() + 20
        while server.handler.count() < 5:
            assert time.monotonic() < deadline, "no e-mails"
            await asyncio.sleep(0.1)
        await asyncio.sleep(3)  # three more passes, one a second
        stop.set()
        runner = await task
    assert runner.passes >= 4
    assert server.handler.count() == 5


async def test_a_second_leader_cannot_take_the_sqlite_file_lock(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url)
    first, second = leader_lock(settings), leader_lock(settings)
    assert isinstance(first, FileLock)
    assert await first.acquire()
    try:
        assert not await second.acquire(wait=0.3)
    finally:
        await first.release()
    assert await second.acquire()
    await second.release()
