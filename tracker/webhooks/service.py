"""Running the deliverer: inside ``tracker serve`` (the default) or as ``tracker webhooks run``.

One deliverer sends at a time: the holder of the webhook leader lock (``lock_for``: a
PostgreSQL session advisory lock on its own connection, or an exclusive file lock beside a
SQLite database). The others stand by and try again every ``LEADER_POLL_SECONDS``; a leader
checks every ``LEADER_CHECK_SECONDS`` that it still holds the lock and steps down when it does
not. Database failures restart it after a back-off. Enqueueing is safe without the lock too
(compare-and-set on each subscription's checkpoint); the lock keeps two senders from sending
the same delivery at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from email.message import EmailMessage
from typing import Final

import asyncpg
from sqlalchemy.exc import DBAPIError

from tracker.clock import Clock, SystemClock
from tracker.db import create_engine
from tracker.errors import StoreUnavailable, TrackerError
from tracker.events.open import open_store
from tracker.locks import lock_for
from tracker.reminders.service import smtp_mailer
from tracker.settings import Settings
from tracker.webhooks.deliverer import Deliverer, Notify
from tracker.webhooks.tables import Subscription

log = logging.getLogger(__name__)

WEBHOOK_LOCK: Final = 3
"""The leader lock's number among the tracker's advisory locks (``tracker.locks``)."""
LEADER_POLL_SECONDS: Final = 1.0
LEADER_CHECK_SECONDS: Final = 2.0
RETRY_MAX_SECONDS: Final = 5.0
_RETRYABLE = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError, StoreUnavailable)


def mail_notifier(settings: Settings) -> Notify | None:
    """Tell the subscription's creator by e-mail that it was paused (when mail is set up)."""
    if not settings.reminders.smtp_url:
        return None
    mailer = smtp_mailer(settings.reminders)

    async def notify(subscription: Subscription, reason: str) -> None:
        message = EmailMessage()
        message["From"] = settings.reminders.mail_from
        message["To"] = subscription.created_by
        message["Subject"] = "Webhook paused: deliveries keep failing"
        message.set_content(
            f"The webhook {subscription.subscription_id} to {subscription.url} is paused: "
            f"{reason}.\n\nIts deliveries wait, in order. Fix the receiver, then resume it "
            f"with POST /api/v1/webhooks/{subscription.subscription_id}/resume.\n"
        )
        try:
            await mailer.send(message)
        except TrackerError as exc:
            log.error("webhooks: could not tell %s of the pause: %s", subscription.created_by, exc)

    return notify


async def run_deliverer(
    settings: Settings, stop: asyncio.Event, clock: Clock | None = None
) -> None:
    """Run until ``stop``: as the leader while this process holds the lock."""
    delay = 0.5
    while not stop.is_set():
        try:
            await _run_once(settings, stop, clock or SystemClock())
            delay = 0.5
        except _RETRYABLE as exc:
            log.warning("webhooks: database failure, retrying in %.1f s: %s", delay, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)


async def _run_once(settings: Settings, stop: asyncio.Event, clock: Clock) -> None:
    lock = lock_for(settings, WEBHOOK_LOCK, "webhooks")
    standby = False
    while not stop.is_set() and not await lock.acquire():
        if not standby:
            log.info("webhooks: standby, another deliverer is the leader")
            standby = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=LEADER_POLL_SECONDS)
    if stop.is_set():
        await lock.release()
        return
    log.info("webhooks: leader, delivering")
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    deliverer = Deliverer(store, engine, settings, clock, notify=mail_notifier(settings))
    step_down = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=LEADER_CHECK_SECONDS)
            if stop.is_set() or not await lock.held():
                break
        step_down.set()

    watcher = asyncio.create_task(watch())
    try:
        await deliverer.run_forever(step_down)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await deliverer.close()
        await store.close()
        await engine.dispose()
        await lock.release()


async def run_deliverer_process(settings: Settings) -> None:
    """``tracker webhooks run``: until SIGTERM or SIGINT."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_deliverer(settings, stop)
