"""Running one pass against the configured database and mail server, under the pass lock."""

from __future__ import annotations

from datetime import date

from tracker.clock import Clock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.locks import Lock, pass_lock
from tracker.projections.read_model.reader import Reader
from tracker.reminders.mailer import Mailer, SmtpMailer, parse_smtp_url
from tracker.reminders.passes import PassReport, run_pass
from tracker.reminders.zone import today_in, zone
from tracker.settings import ReminderSettings, Settings


def smtp_mailer(settings: ReminderSettings) -> SmtpMailer:
    config = parse_smtp_url(settings.smtp_url, timeout=settings.smtp_timeout_seconds)
    return SmtpMailer(
        config, attempts=settings.smtp_attempts, backoff=settings.smtp_backoff_seconds
    )


async def run_reminders(
    settings: Settings,
    *,
    clock: Clock,
    today: date | None = None,
    wait: float = 0.0,
    dry_run: bool = False,
    mailer: Mailer | None = None,
    lock: Lock | None = None,
) -> PassReport | None:
    """One pass for ``today`` (default: the clock's date), or None when another pass kept the
    lock for ``wait`` seconds. A dry run sends and records nothing."""
    day = today or today_in(settings.reminders, clock)
    chosen: Mailer | None = None if dry_run else (mailer or smtp_mailer(settings.reminders))
    lock = lock or pass_lock(settings)
    if not await lock.acquire(wait):
        return None
    try:
        store, engine = open_store(settings, clock=clock), create_engine(settings)
        try:
            return await run_pass(
                Reader(store, engine),
                chosen,
                today=day,
                clock=clock,
                settings=settings.reminders,
                lock=lock,
            )
        finally:
            await store.close()
            await engine.dispose()
    finally:
        await lock.release()


__all__ = ["run_reminders", "smtp_mailer", "today_in", "zone"]
