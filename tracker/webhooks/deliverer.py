"""The deliverer: turns the event log into each subscription's deliveries and sends them.

Each round:

1. **Enqueue.** For each subscription (active or paused: a paused one keeps its backlog in
   order for when it is resumed), read the log after its checkpoint, keep the events of the
   kinds and programmes it asked for, and add their deliveries while moving the checkpoint by
   compare-and-set, in one transaction (``tables.enqueue``): an event is enqueued once, never
   skipped, whatever crashes when; a second deliverer that read the same checkpoint writes
   nothing.
2. **Colours.** When a subscription wants ``rag``, the programmes the new events touched (and,
   every ``COLOUR_EVERY`` seconds, every programme: colours move with the calendar too) are
   observed (``tracker.webhooks.colours``) and any change is appended to the programme's colour
   stream, with its expected version: the next enqueue delivers it like any other event.
3. **Send.** The due deliveries, each the first pending one of its subscription and
   programme, at most ``CONCURRENCY`` at once: ``POST`` the body (JSON, or the Teams card),
   signed (``Tracker-Signature``), with ``Tracker-Webhook-Id`` and ``Tracker-Delivery-Id``
   (the same on every retry), no redirects followed, 10 s to answer. The host is resolved again
   and checked just before (``safety.safe_addresses``: a name that now points inside is
   refused). A 2xx is delivered; anything else is retried after an exponential back-off with
   jitter (``backoff``), until ``RETRY_WINDOW`` after the first attempt, then expired. After
   ``PAUSE_AFTER`` failures in a row the subscription is paused and the administrators told
   (an error in the log, and an e-mail to the subscription's creator when mail is set up).

A crash between sending and recording leaves the delivery pending: it is sent again with the
same ``Tracker-Delivery-Id``, so a receiver that dedupes on it sees it once.

One deliverer sends at a time (``run_deliverer``): the holder of the webhook leader lock (a
PostgreSQL advisory lock on its own connection, or a file lock beside a SQLite database, as the
reminder scheduler's); the others stand by.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.errors import InvalidInput, StreamConflict, TrackerError
from tracker.events.base import Metadata, NewEvent
from tracker.events.codec import format_instant, parse_instant
from tracker.events.store import EventStore
from tracker.projections.read_model.fold import belongs_to
from tracker.projections.read_model.reader import Reader
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.question import ask
from tracker.rag import RagThresholds
from tracker.settings import Settings
from tracker.webhooks import tables
from tracker.webhooks.colours import colour_stream, observe, remembered
from tracker.webhooks.kinds import kind_of
from tracker.webhooks.payload import delivery_id, event_body
from tracker.webhooks.safety import Resolve, safe_addresses
from tracker.webhooks.signing import sign
from tracker.webhooks.teams import teams_message

log = logging.getLogger(__name__)

TIMEOUT_SECONDS: Final = 10.0
RETRY_WINDOW: Final = timedelta(hours=24)
PAUSE_AFTER: Final = 50
CONCURRENCY: Final = 8
BATCH: Final = 500
FIRST_BACKOFF_SECONDS: Final = 5.0
MAX_BACKOFF_SECONDS: Final = 3600.0
COLOUR_EVERY: Final = 300.0
IDLE_SECONDS: Final = 0.2
"""The longest a round waits for new events or a due retry."""
ERROR_CHARACTERS: Final = 500

Notify = Callable[[tables.Subscription, str], Awaitable[None]]
"""Told when a subscription is paused: the subscription and why."""


def pinned(url: str, address: str) -> str:
    """``url`` with its host replaced by ``address`` (an IPv6 address in brackets)."""
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before the next attempt after ``attempts`` failures: 5 s doubling to an hour,
    with "full jitter" between half and all of it (so receivers coming back are not hit by
    every retry at once)."""
    ceiling = min(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    return (rng or random).uniform(ceiling / 2, ceiling)


class Deliverer:
    def __init__(
        self,
        store: EventStore,
        engine: AsyncEngine,
        settings: Settings,
        clock: Clock,
        *,
        http: httpx.AsyncClient | None = None,
        resolve: Resolve | None = None,
        notify: Notify | None = None,
        pause_after: int = PAUSE_AFTER,
    ) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.reader = Reader(store, engine)
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self._own_http = http is None
        self.resolve = resolve
        self.notify = notify
        self.pause_after = pause_after
        self.base_url = settings.reminders.base_url
        self._cipher: object | None = None
        self._colours_at = 0.0

    async def close(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # 1. Enqueue.

    async def enqueue(self) -> tuple[int, set[str]]:
        """Deliveries added, and the programmes the events read belong to."""
        added = 0
        touched: set[str] = set()
        for sub in await tables.subscriptions(self.engine):
            events = await self.store.read_all(after=sub.checkpoint, limit=BATCH)
            if not events:
                continue
            views: dict[str, ProgrammeView | None] = {}
            made: list[tables.Delivery] = []
            now = format_instant(self.clock.now())
            for event in events:
                key = belongs_to(event) or str(getattr(event.data, "programme_key", "") or "")
                if key:
                    touched.add(key)
                kind = kind_of(event.data)
                if kind is None or not sub.wants(kind, key):
                    continue
                if key not in views:
                    views[key] = await self._view(key)
                delivery = delivery_id(sub.subscription_id, event.position)
                body = event_body(
                    delivery=delivery,
                    kind=kind,
                    event=event,
                    view=views[key],
                    base_url=self.base_url,
                )
                made.append(
                    tables.Delivery(
                        delivery_id=delivery,
                        subscription_id=sub.subscription_id,
                        position=event.position,
                        programme_key=key,
                        kind=kind,
                        event_type=event.type,
                        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
            moved = await tables.enqueue(
                self.engine, sub.subscription_id, sub.checkpoint, events[-1].position, made
            )
            if moved:
                added += len(made)
        return added, touched

    async def _view(self, key: str) -> ProgrammeView | None:
        try:
            return await self.reader.view(await self.reader.glance(key))
        except TrackerError:
            return None

    # 2. Colours.

    async def observe_colours(self, touched: set[str]) -> int:
        """Append the colour changes of the touched programmes (every programme when the timer
        is due); the number of events appended."""
        subs = await tables.subscriptions(self.engine, states=("active", "paused"))
        if not any("rag" in s.kinds for s in subs):
            return 0
        keys = set(touched)
        if time.monotonic() - self._colours_at >= COLOUR_EVERY:
            keys |= {g.key for g in await self.reader.glance_all()}
            self._colours_at = time.monotonic()
        appended = 0
        question = ask(clock=self.clock, calendar=WorkingCalendar(), thresholds=RagThresholds())
        for key in sorted(keys):
            view = await self._view(key)
            if view is None or view.events == 0:
                continue
            stream = colour_stream(key)
            stored = await self.store.read_stream(stream)
            events = observe(key, remembered(stored), render("closure-report", view, question))
            if not events:
                continue
            new = [
                NewEvent(data=e, occurred_at=self.clock.now(), metadata=Metadata(actor=None))
                for e in events
            ]
            try:
                await self.store.append(stream, new, stored[-1].version if stored else 0)
            except StreamConflict:
                continue  # another observer wrote first: the next round compares again
            appended += len(new)
        return appended

    # 3. Send.

    async def send_due(self) -> int:
        """Send what is due now; the number of attempts made."""
        found = await tables.due(self.engine, self.clock.now(), CONCURRENCY * 4)
        if not found:
            return 0
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(delivery: tables.Delivery) -> None:
            async with gate:
                await self._attempt(delivery)

        await asyncio.gather(*(one(d) for d in found))
        return len(found)

    async def _secret(self, sub: tables.Subscription) -> str:
        if self._cipher is None:
            self._cipher = await tables.secret_cipher(self.engine, self.settings.webhooks)
        box = await tables.secret_box(self.engine, sub.subscription_id)
        return tables.unseal(self._cipher, box, sub.subscription_id)  # type: ignore[arg-type]

    async def _attempt(self, delivery: tables.Delivery) -> None:
        sub = await tables.subscription(self.engine, delivery.subscription_id)
        payload = json.loads(delivery.body)
        content = teams_message(payload) if sub.format == "teams" else payload
        body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
        started = self.clock.now()
        stamp = int(started.timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "tracker-webhooks/1",
            "Tracker-Webhook-Id": sub.subscription_id,
            "Tracker-Delivery-Id": delivery.delivery_id,
            "Tracker-Signature": sign(await self._secret(sub), body, stamp),
        }
        status: int | None = None
        error: str | None = None
        clock = time.perf_counter()
        try:
            parts = urlsplit(sub.url)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
            checked = await asyncio.wait_for(
                safe_addresses(
                    host,
                    port,
                    allow_private=self.settings.webhooks.allow_private,
                    resolve=self.resolve,
                ),
                timeout=TIMEOUT_SECONDS,
            )
            # Connect to the address just checked, not to whatever the name resolves to a
            # moment later (DNS rebinding); the certificate is still checked for the name.
            answer = await self.http.post(
                pinned(sub.url, checked[0]),
                content=body,
                headers={**headers, "Host": parts.netloc.rpartition("@")[2]},
                extensions={"sni_hostname": host},
            )
            status = answer.status_code
            if not 200 <= status < 300:
                redirect = " (redirects are not followed)" if 300 <= status < 400 else ""
                error = f"HTTP {status}{redirect}"
        except InvalidInput as exc:
            error = str(exc)
        except TimeoutError:
            error = f"{host} did not resolve within {TIMEOUT_SECONDS:.0f} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency = round((time.perf_counter() - clock) * 1000, 1)
        attempt = tables.Attempt(
            delivery_id=delivery.delivery_id,
            attempt=delivery.attempts + 1,
            at=format_instant(started),
            status=status,
            latency_ms=latency,
            error=error[:ERROR_CHARACTERS] if error else None,
        )
        first = parse_instant(delivery.first_attempt_at) if delivery.first_attempt_at else started
        if error is None:
            outcome, later = "delivered", None
        elif started - first >= RETRY_WINDOW:
            outcome, later = "expired", None
        else:
            outcome = "retry"
            later = format_instant(started + timedelta(seconds=backoff(attempt.attempt)))
        paused = await tables.record(
            self.engine,
            delivery,
            attempt,
            outcome=outcome,
            next_attempt_at=later,
            pause_after=self.pause_after,
        )
        if paused:
            reason = f"{self.pause_after} deliveries failed in a row; the last: {error}"
            log.error(
                "webhooks: subscription %s to %s paused: %s", sub.subscription_id, sub.url, reason
            )
            if self.notify is not None:
                await self.notify(sub, reason)

    # The loop.

    async def round(self) -> int:
        """One round; how much it did (deliveries added, colour events, attempts)."""
        added, touched = await self.enqueue()
        coloured = await self.observe_colours(touched)
        if coloured:
            more, _ = await self.enqueue()
            added += more
        return added + coloured + await self.send_due()

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            did = await self.round()
            if did:
                continue
            await self.store.wait_for_new_events(IDLE_SECONDS)
