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

import asyncpg
from sqlalchemy.exc import DBAPIError

from tracker.db import asyncpg_dsn, create_engine, is_sqlite
from tracker.errors import InvalidInput, StoreUnavailable
from tracker.events.open import open_store
from tracker.projections.projector import Projector
from tracker.settings import Settings

log = logging.getLogger(__name__)

PROJECTOR_LOCK = (1953653099, 2)
LEADER_POLL_SECONDS = 0.5
"""How often a standby projector tries for the leader lock."""


_RETRYABLE = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError, StoreUnavailable)


async def run_projector(settings: Settings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set, starting again (with back-off) after database failures."""
    delay = 0.5
    while not stop.is_set():
        try:
            await _run_projector_once(settings, stop)
            delay = 0.5
        except _RETRYABLE as exc:
            log.warning("projector: database failure, retrying in %.1f s: %s", delay, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, 10.0)


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
            await Projector(store, engine, batch_size=settings.projector_batch).run_forever(stop)
    finally:
        if leader is not None and not leader.is_closed():
            await leader.close()  # closing the session releases the lock
        await store.close()
        await engine.dispose()


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
