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
3. **Send.** Lane by lane (a subscription and a programme), at most ``CONCURRENCY`` lanes at
   once: up to ``LANE_BATCH`` of a lane's deliveries one after the other, in the store's order,
   stopping at the lane's first failure; then the lane's attempts are recorded in one
   transaction (``tables.record``). Each ``POST`` carries the body (JSON, or the Teams card),
   signed (``Tracker-Signature``), with ``Tracker-Webhook-Id`` and ``Tracker-Delivery-Id``
   (the same on every retry), follows no redirect, and has 10 s to answer. The host is
   resolved again and checked just before (``safety.safe_addresses``: a name that now points
   inside is refused), and the connection goes to the address checked. A 2xx is delivered;
   anything else is retried after an exponential back-off with jitter (``backoff``), until
   ``RETRY_WINDOW`` after the first attempt, then expired, and the lane goes on. After
   ``PAUSE_AFTER`` failures in a row the subscription is paused and the administrators told
   (an error in the log, and an e-mail to the subscription's creator when mail is set up).

A crash between sending and recording leaves the lane's deliveries pending: they are sent again
with the same ``Tracker-Delivery-Id`` (at most ``LANE_BATCH`` of a lane), so a receiver that
dedupes on it sees each once.

One deliverer sends at a time (``run_deliverer``): the holder of the webhook leader lock (a
PostgreSQL advisory lock on its own connection, or a file lock beside a SQLite database, as the
reminder scheduler's); the others stand by.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.errors import InvalidInput, StreamConflict, TrackerError
from tracker.events.base import Metadata, NewEvent, StoredEvent
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
from tracker.webhooks.kinds import kind_of, names_all
from tracker.webhooks.payload import delivery_id, event_body
from tracker.webhooks.safety import Resolve, safe_addresses
from tracker.webhooks.signing import sign
from tracker.webhooks.teams import teams_message

log = logging.getLogger(__name__)

TIMEOUT_SECONDS: Final = 10.0
RETRY_WINDOW: Final = timedelta(hours=24)
PAUSE_AFTER: Final = 50
CONCURRENCY: Final = 8
"""Lanes (a subscription and a programme) sent at once."""
LANE_BATCH: Final = 100
"""Deliveries of one lane sent in a row and recorded in one transaction."""
BATCH: Final = 500
FIRST_BACKOFF_SECONDS: Final = 5.0
MAX_BACKOFF_SECONDS: Final = 3600.0
COLOUR_EVERY: Final = 300.0
IDLE_SECONDS: Final = 0.2
"""The longest a round waits for new events or a due retry."""
ERROR_CHARACTERS: Final = 500
NAMED_VIEWS: Final = 64
"""Programmes whose last view the deliverer keeps to name items in summaries."""

Notify = Callable[[tables.Subscription, str], Awaitable[None]]
"""Told when a subscription is paused: the subscription and why."""


class Target(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    """The URL with its host replaced by the address checked."""
    host: str
    """The ``Host`` header: the URL's own host and port."""
    name: str
    """The name the certificate must be for (TLS server name indication)."""


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
        self._named: OrderedDict[str, ProgrammeView] = OrderedDict()
        self._wants_colours = False
        self._cipher: AESGCM | None = None
        self._secrets: dict[str, str] = {}
        self._colours_at = 0.0

    async def close(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # 1. Enqueue.

    async def enqueue(self) -> tuple[int, set[str]]:
        """Deliveries added, and the programmes the events read belong to."""
        added = 0
        touched: set[str] = set()
        subs = await tables.subscriptions(self.engine)
        self._wants_colours = any("rag" in s.kinds for s in subs)
        for sub in subs:
            events = await self.store.read_all(after=sub.checkpoint, limit=BATCH)
            if not events:
                continue
            made: list[tables.Delivery] = []
            now = format_instant(self.clock.now())
            for event in events:
                key = belongs_to(event) or str(getattr(event.data, "programme_key", "") or "")
                if key:
                    touched.add(key)
                kind = kind_of(event.data)
                if kind is None or not sub.wants(kind, key):
                    continue
                delivery = delivery_id(sub.subscription_id, event.position)
                body = event_body(
                    delivery=delivery,
                    kind=kind,
                    event=event,
                    view=await self._names(key, event),
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

    async def _names(self, key: str, event: StoredEvent) -> ProgrammeView | None:
        """A view of the programme that names the event's item and people, for its summary:
        the one last read when it does (titles and names rarely change, and reading a big
        programme for every event was most of the deliverer's time), else read again."""
        known = self._named.get(key)
        if known is not None and names_all(known, event.data):
            self._named.move_to_end(key)
            return known
        view = await self._view(key)
        if view is not None:
            self._named[key] = view
            while len(self._named) > NAMED_VIEWS:
                self._named.popitem(last=False)
        return view

    # 2. Colours.

    async def observe_colours(self, touched: set[str]) -> int:
        """Append the colour changes of the touched programmes (every programme when the timer
        is due); the number of events appended."""
        if not self._wants_colours:  # as the last enqueue found the subscriptions
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
        """Send what is due now, lane by lane (a subscription and a programme): up to
        ``LANE_BATCH`` of a lane one after the other, stopping at its first failure, at most
        ``CONCURRENCY`` lanes at once, each lane's attempts recorded in one transaction. The
        number of attempts made."""
        lanes = tables.due_lanes(await tables.pending(self.engine, LANE_BATCH), self.clock.now())
        if not lanes:
            return 0
        subs = {s.subscription_id: s for s in await tables.subscriptions(self.engine)}
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(lane: list[tables.Delivery]) -> int:
            async with gate:
                sub = subs.get(lane[0].subscription_id)
                return 0 if sub is None else await self._send_lane(sub, lane)

        return sum(await asyncio.gather(*(one(lane) for lane in lanes)))

    async def _secret(self, sub: tables.Subscription) -> str:
        """The subscription's signing secret, decrypted once per deliverer."""
        known = self._secrets.get(sub.subscription_id)
        if known is None:
            if self._cipher is None:
                self._cipher = await tables.secret_cipher(self.engine, self.settings.webhooks)
            box = await tables.secret_box(self.engine, sub.subscription_id)
            known = tables.unseal(self._cipher, box, sub.subscription_id)
            self._secrets[sub.subscription_id] = known
        return known

    async def _send_lane(self, sub: tables.Subscription, lane: list[tables.Delivery]) -> int:
        secret = await self._secret(sub)
        target: Target | str = await self._target(sub.url)
        outcomes: list[tables.Outcome] = []
        for delivery in lane:
            outcome = await self._attempt(sub, secret, delivery, target)
            outcomes.append(outcome)
            if outcome.outcome != "delivered":
                break
        paused = await tables.record(
            self.engine, sub.subscription_id, outcomes, pause_after=self.pause_after
        )
        if paused:
            last = outcomes[-1].attempt
            reason = (
                f"{self.pause_after} deliveries failed in a row; the last: "
                f"{last.error or last.status}"
            )
            log.error(
                "webhooks: subscription %s to %s paused: %s", sub.subscription_id, sub.url, reason
            )
            if self.notify is not None:
                await self.notify(sub, reason)
        return len(outcomes)

    async def _target(self, url: str) -> Target | str:
        """Where to connect for ``url``: its host resolved and checked now, once for the lane's
        batch (a name that now points inside is refused), or why not."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
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
        except InvalidInput as exc:
            return str(exc)
        except TimeoutError:
            return f"{host} did not resolve within {TIMEOUT_SECONDS:.0f} s"
        return Target(url=pinned(url, checked[0]), host=parts.netloc.rpartition("@")[2], name=host)

    async def _attempt(
        self,
        sub: tables.Subscription,
        secret: str,
        delivery: tables.Delivery,
        target: Target | str,
    ) -> tables.Outcome:
        if sub.format == "teams":
            card = teams_message(json.loads(delivery.body))
            body = json.dumps(card, separators=(",", ":"), ensure_ascii=False).encode()
        else:
            body = delivery.body.encode()  # as stored: the bytes signed are the bytes sent
        started = self.clock.now()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "tracker-webhooks/1",
            "Tracker-Webhook-Id": sub.subscription_id,
            "Tracker-Delivery-Id": delivery.delivery_id,
            "Tracker-Signature": sign(secret, body, int(started.timestamp())),
        }
        status: int | None
        error: str | None
        if isinstance(target, str):
            status, error, latency = None, target, 0.0
        else:
            status, error, latency = await self._post(target, body, headers)
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
            return tables.Outcome(delivery=delivery, attempt=attempt, outcome="delivered")
        if started - first >= RETRY_WINDOW:
            return tables.Outcome(delivery=delivery, attempt=attempt, outcome="expired")
        later = format_instant(started + timedelta(seconds=backoff(attempt.attempt)))
        return tables.Outcome(
            delivery=delivery, attempt=attempt, outcome="retry", next_attempt_at=later
        )

    async def _post(
        self, target: Target, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None, float]:
        """(status, error or None for a 2xx, milliseconds). The connection goes to the address
        checked, not to whatever the name resolves to a moment later (DNS rebinding); the
        certificate is still checked for the name."""
        status: int | None = None
        error: str | None = None
        clock = time.perf_counter()
        try:
            answer = await self.http.post(
                target.url,
                content=body,
                headers={**headers, "Host": target.host},
                extensions={"sni_hostname": target.name},
            )
            status = answer.status_code
            if not 200 <= status < 300:
                redirect = " (redirects are not followed)" if 300 <= status < 400 else ""
                error = f"HTTP {status}{redirect}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return status, error, round((time.perf_counter() - clock) * 1000, 1)

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
        """Feed the outbox and send from it at once, in two loops: filling it never waits for
        a slow receiver, and sending never waits for the log to be read."""
        fed = asyncio.Event()

        async def feeding() -> None:
            while not stop.is_set():
                added, touched = await self.enqueue()
                coloured = await self.observe_colours(touched)
                if coloured:
                    added += (await self.enqueue())[0]
                if added:
                    fed.set()
                else:
                    await self.store.wait_for_new_events(IDLE_SECONDS)

        async def sending() -> None:
            while not stop.is_set():
                if await self.send_due():
                    continue
                fed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(fed.wait(), timeout=IDLE_SECONDS)

        async with asyncio.TaskGroup() as group:
            group.create_task(feeding())
            group.create_task(sending())
