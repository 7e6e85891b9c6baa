"""Running the projector: inside ``tracker serve`` or as ``tracker projector``.

At most one projector is active at a time. On PostgreSQL the active one holds a session advisory
lock on a dedicated connection; the others try for it every ``LEADER_POLL_SECONDS``, so one takes
over within about that long of the leader's session ending (a killed process's session ends at
once: the kernel closes its socket). Whatever the database, the checkpoint's compare-and-set
makes a second active projector harmless: it fails its batch instead of applying it twice.

Stopping (SIGTERM or SIGINT to ``tracker projector``) never interrupts a batch: the one in
progress commits (rows and checkpoint together), the projector logs
``projector: stopped at position N``, closes the lock's session (releasing the lock) and the
process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

import asyncpg
from sqlalchemy.exc import DBAPIError

from tracker.db import asyncpg_dsn, create_engine, is_sqlite
from tracker.errors import InvalidInput, StoreUnavailable
from tracker.events.open import open_store
from tracker.projections.read_model.projector import Projector
from tracker.settings import Settings

log = logging.getLogger(__name__)

PROJECTOR_LOCK = (1953653099, 2)
LEADER_POLL_SECONDS = 0.5
"""How often a standby projector tries for the leader lock."""
LEADER_CHECK_SECONDS = 1.0
"""How often the leader checks that the session holding its lock is alive. A server restart or
a terminated backend ends that session and frees the lock for a standby, while the projector's
own pooled connections reconnect unnoticed: the leader must notice, step down and try again."""
RETRY_MAX_SECONDS = 5.0
"""The longest back-off between attempts after database failures."""


_RETRYABLE = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError, StoreUnavailable)


async def run_projector(settings: Settings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set, starting again (with back-off) after database failures."""
    delay = 0.5
    while not stop.is_set():
        started = time.monotonic()
        try:
            await _run_projector_once(settings, stop)
            delay = 0.5
        except _RETRYABLE as exc:
            if time.monotonic() - started > RETRY_MAX_SECONDS:
                delay = 0.5  # it ran well since the last failure: this is a new outage
            log.warning("projector: database failure, retrying in %.1f s: %s", delay, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)


async def _run_projector_once(settings: Settings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set: as leader when this process holds the lock."""
    store = open_store(settings)
    engine = create_engine(settings)
    leader: asyncpg.Connection | None = None
    try:
        if not is_sqlite(settings.database_url):
            leader = await asyncpg.connect(
                asyncpg_dsn(settings.database_url),
                server_settings={"application_name": "tracker-projector-leader"},
            )
            standby = False
            while not stop.is_set():
                if await leader.fetchval("SELECT pg_try_advisory_lock($1, $2)", *PROJECTOR_LOCK):
                    log.info("projector: leader")
                    break
                if not standby:
                    log.info("projector: standby, another projector is the leader")
                    standby = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=LEADER_POLL_SECONDS)
            else:
                log.info("projector: stopped while standing by")
        if not stop.is_set():
            projector = Projector(store, engine, batch_size=settings.projector_batch)
            if leader is None:
                await projector.run_forever(stop)
            else:
                await _lead(projector, leader, stop)
    finally:
        if leader is not None and not leader.is_closed():
            await leader.close()  # closing the session releases the lock
        await store.close()
        await engine.dispose()


async def _lead(projector: Projector, leader: asyncpg.Connection, stop: asyncio.Event) -> None:
    """Run as leader while the lock's session lives; when it ends, finish the batch in progress
    (the checkpoint's compare-and-set guards it) and raise, so that ``run_projector`` logs the
    failure and competes for the lock again."""
    step_down = asyncio.Event()
    lost: list[BaseException] = []

    async def watch() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=LEADER_CHECK_SECONDS)
            if stop.is_set():
                break
            try:
                await leader.fetchval("SELECT 1", timeout=5 * LEADER_CHECK_SECONDS)
            except _RETRYABLE as exc:
                lost.append(exc)
                break
        step_down.set()

    watcher = asyncio.create_task(watch())
    try:
        await projector.run_forever(step_down)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    if lost:
        raise StoreUnavailable(f"the session holding the projector's leader lock ended: {lost[0]}")


async def run_projector_process(settings: Settings) -> None:
    """``tracker projector``: log to standard error, run until SIGTERM or SIGINT."""
    if settings.projector_batch < 1:
        raise InvalidInput(
            f"TRACKER_PROJECTOR_BATCH must be at least 1, got {settings.projector_batch}"
        )
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_projector(settings, stop)
