"""``tracker scheduler``: APScheduler 3.x running reminder passes in one process at a time.

APScheduler 3 has no coordination between processes (its FAQ: a job store cannot be shared),
so (docs/reminders.md):

* only the process holding the **leader lock** (``lock.leader_lock``: a PostgreSQL session
  advisory lock on a dedicated connection, or a file lock beside a SQLite database) starts
  APScheduler; the others stand by and try again every few seconds. The leader re-checks its
  connection every few seconds and stops scheduling the moment it is gone;
* the job store is in memory; the one job has an explicit id and ``replace_existing=True``,
  ``coalesce=True``, ``max_instances=1`` and an explicit ``misfire_grace_time`` (APScheduler's
  default of one second silently drops a job that starts a little late);
* each pass takes the pass lock, and the reminder keys in the store make it idempotent, so a
  second scheduler, an operator's ``tracker reminders run`` or a restart sends nothing twice;
* reminders are state-driven: a missed or coalesced run loses nothing, the next pass finds
  whatever is still due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
from collections.abc import Awaitable, Callable
from datetime import date
from zoneinfo import ZoneInfo

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import DBAPIError

from tracker.clock import Clock, SystemClock
from tracker.errors import InvalidInput, TrackerError
from tracker.locks import leader_lock
from tracker.reminders.mailer import Mailer
from tracker.reminders.service import run_reminders, smtp_mailer
from tracker.reminders.zone import zone
from tracker.settings import Settings

log = logging.getLogger("tracker.reminders.scheduler")

JOB_ID = "reminders-pass"
STANDBY_SECONDS = 2.0
"""How often a standby process tries to become the leader."""
WATCH_SECONDS = 5.0
"""How often the leader checks it still holds the lock."""
FINISH_SECONDS = 120.0
"""How long stopping waits for a pass in flight to finish recording."""

_FAILURES = (TrackerError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError)
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_names(field: str) -> str:
    """Cron numbers a week from Sunday (0 or 7); APScheduler 3's from Monday: use names."""

    def name(match: re.Match[str]) -> str:
        number = int(match.group(0))
        if number > 7:
            raise ValueError(f"day of week {number} is not 0-7")
        return _CRON_DAYS[number]

    return re.sub(r"(?<![/\d])\d+", name, field)


def cron_trigger(expression: str, timezone: ZoneInfo) -> CronTrigger:
    """Five cron fields (minute hour day month day-of-week), or six with seconds first."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise InvalidInput(
            f"TRACKER_REMINDERS_CRON {expression!r} needs 5 fields (minute hour day month "
            "day-of-week) or 6 (seconds first)"
        )
    second = fields[0] if len(fields) == 6 else "0"
    minute, hour, day, month, day_of_week = fields[-5:]
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_day_names(day_of_week),
            timezone=timezone,
        )
    except ValueError as exc:
        raise InvalidInput(f"TRACKER_REMINDERS_CRON {expression!r}: {exc}") from exc


class PassRunner:
    """The job: one pass, logged. The pass runs in its own task, so stopping the scheduler
    (which cancels running jobs) never interrupts it between a send and its record."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        today: date | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.settings, self.clock, self.today, self.mailer = settings, clock, today, mailer
        self._task: asyncio.Task[None] | None = None
        self.passes = 0

    async def run(self) -> None:
        """The job. A bound coroutine function, so APScheduler runs it on the event loop."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        await asyncio.shield(self._task)

    async def _run(self) -> None:
        self.passes += 1
        try:
            report = await run_reminders(
                self.settings, clock=self.clock, today=self.today, mailer=self.mailer
            )
        except _FAILURES:
            # The one place that logs and carries on: the next run finds whatever is still due.
            log.exception("reminders pass failed")
            return
        if report is None:
            log.info("reminders pass skipped: another pass holds the lock")
        else:
            log.info("%s", report.describe())

    async def finish(self, timeout: float = FINISH_SECONDS) -> None:
        if self._task is not None and not self._task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), timeout)


def build_scheduler(settings: Settings, job: Callable[[], Awaitable[None]]) -> AsyncIOScheduler:
    config = settings.reminders
    timezone = zone(config)
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_job(
        job,
        cron_trigger(config.reminders_cron, timezone),
        id=JOB_ID,
        name="reminders pass",
        replace_existing=True,
        misfire_grace_time=config.reminders_misfire_grace_seconds,
        coalesce=True,
        max_instances=1,
    )
    return scheduler


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _lead(settings: Settings, runner: PassRunner, stop: asyncio.Event) -> bool:
    """Schedule passes until ``stop`` or until the leader lock is lost; False if another
    process is the leader."""
    leader = leader_lock(settings)
    try:
        if not await leader.acquire():
            return False
        scheduler = build_scheduler(settings, runner.run)
        scheduler.start()
        job = scheduler.get_job(JOB_ID)
        log.info(
            "leader: scheduling reminders (%s); next pass %s",
            settings.reminders.reminders_cron,
            job.next_run_time if job else "none",
        )
        try:
            while not stop.is_set():
                await _pause(stop, WATCH_SECONDS)
                if not await leader.held():
                    log.error("leader lock lost: scheduling stopped")
                    break
        finally:
            # No new runs; let the pass in flight record what it sent; then stop.
            scheduler.pause()
            await runner.finish()
            await asyncio.sleep(0)
            scheduler.shutdown(wait=False)
        return True
    finally:
        await leader.release()


async def run_scheduler(
    settings: Settings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    today: date | None = None,
    mailer: Mailer | None = None,
) -> PassRunner:
    """Lead or stand by until ``stop`` is set. ``today`` pins the day of every pass."""
    cron_trigger(settings.reminders.reminders_cron, zone(settings.reminders))
    runner = PassRunner(
        settings,
        clock=clock or SystemClock(),
        today=today,
        mailer=mailer or smtp_mailer(settings.reminders),
    )
    standing_by = False
    while not stop.is_set():
        try:
            led = await _lead(settings, runner, stop)
        except _FAILURES as exc:
            log.warning("scheduler: cannot take or keep the leader lock: %s", exc)
            led = False
        if not led and not standing_by:
            log.info("standby: another scheduler is the leader")
        standing_by = not led
        if not stop.is_set():
            await _pause(stop, STANDBY_SECONDS)
    return runner


async def run_scheduler_process(settings: Settings, *, today: date | None = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_scheduler(settings, stop, today=today)
    log.info("scheduler stopped")


__all__ = [
    "JOB_ID",
    "PassRunner",
    "build_scheduler",
    "cron_trigger",
    "run_scheduler",
    "run_scheduler_process",
]
