"""``python -m benchmarks.webhooks [--seconds 10] [--rate 500] [--postgres URL]``: webhook
delivery latency while events are appended at a steady 500 a second.

Set-up: a fresh database (a SQLite file in a temporary folder; with ``--postgres`` a database
``bench_webhooks_<random>`` made on that server through asyncpg and dropped afterwards), migrated,
and 4 programmes registered through ``Handlers`` (``RegisterProgramme``, ``AssignRosterMember``).
Each phase below raises its own 25 risks per programme (``RaiseRisk``) before it starts, so both
phases write to streams of the same lengths. A receiver on 127.0.0.1
(``benchmarks.webhook_receiver``: HTTP/1.1 keep-alive in its own thread and event loop) records
when each request arrived.

The processes, as the compose file runs the tracker (two API replicas, a projector, a deliverer):

* **writers** (``--writers``, 2; subprocesses of this module): ``Handlers.handle(LogRiskUpdate)``
  at ``--rate`` a second in all for ``--seconds``; slot ``i`` is due at ``start + i / rate`` and
  is written to risk ``i % risks`` by that risk's own task in the writer that owns the risk, so
  no two commands race for a stream. Each stamps a command's commit with ``time.monotonic()``
  right after the handler returned, and reports (position, programme, stamp) for every event.
* **the projector** (``python -m service.cli projector``), so that the programme views the
  deliverer reads are current, as in production.
* **this process**: ``Deliverer.run_forever`` in its own task (its own store and engine,
  ``SystemClock``), subscribed through ``tracker.webhooks.tables`` to kind ``raid``, format
  json, checkpoint at the head (only the measured events are delivered); and the receiver.

Why not one process: a ``LogRiskUpdate`` through the handlers takes about 2 ms of CPU in a
writer (it loads and folds the risk's and the programme's streams; more as the risk's stream
grows, hence 100 risks rather than 20), and an ``httpx`` POST 1 to 1.5 ms more: 500 a second
of them fill a core, and would starve the deliverer under test.

Two phases, in this order, each for the same number of events at the same rate:

1. **direct** (the reference, the floor): each writer POSTs a bare JSON body to the receiver
   with its own plain ``httpx.AsyncClient`` right after each append, awaited in the risk's own
   task before its next slot (at most one POST in flight per risk): no outbox, no database
   round trip, no signing; no subscription exists yet.
2. **outbox**: the subscription is made and the deliverer started; the writers only append.
   Then this process waits until every event has been received (at most ``--drain`` seconds).

Latency of a delivery: its first arrival at the receiver minus its event's commit stamp (both
``time.monotonic()``, one clock for every process on Linux). Reported: count, achieved append
rate, deliveries a second, p50/p95/p99/max, ids received twice (0 expected), order per
programme, and outbox/direct ratios. Where the time goes, measured: each delivery split at the
outbox's own timestamps (read by ``enqueue``, attempt started), and the deliverer's rounds split
into ``enqueue``, ``observe_colours``, ``send_due`` and idle by a subclass that times them, with
the calls inside timed by wrapping them for the run (nothing in the library is changed).

Goal: p95 delivery latency under 1,000 ms at 500 events/s (the achieved append rate within 5 %),
nothing lost or received twice, in order per programme: PASS or MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, Final, ParamSpec, TypeVar
from uuid import UUID

import asyncpg
import httpx
import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.read_side import percentile
from benchmarks.webhook_receiver import Arrival, Receiver, receiving
from tracker.clock import SystemClock
from tracker.commands import AssignRosterMember, LogRiskUpdate, RaiseRisk, RegisterProgramme
from tracker.db import create_engine
from tracker.events.codec import format_instant, parse_instant
from tracker.events.open import open_store
from tracker.events.values import PersonRef
from tracker.handlers import Handlers
from tracker.migrations import upgrade_async
from tracker.settings import Settings, WebhookSettings
from tracker.webhooks import tables
from tracker.webhooks.deliverer import Deliverer
from tracker.webhooks.signing import new_secret

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_ADMIN_DSN: Final = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOPBACK: Final = WebhookSettings(allow_http=True, allow_private=True)
GOAL_P95_MS: Final = 1000.0
RATE_TOLERANCE: Final = 0.95
"""The achieved append rate must be at least this fraction of ``--rate`` for the goal."""
HOOK: Final = "/hook"
DIRECT: Final = "/direct"
OWNER: Final = PersonRef(email="risk.owner@tracker.example", name="Risk Owner")
POLL_S: Final = 0.05
LEAD_S: Final = 0.3
"""From every writer ready to the first slot."""
STOP_TIMEOUT_S: Final = 60.0

P = ParamSpec("P")
R = TypeVar("R")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- the writers ------------------------------------------------------------------------------


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    rate: float
    """Appends a second, all writers together."""
    seconds: float
    items: list[tuple[str, str]]
    """(item id, programme key) of every risk written to; risk ``i`` is written by writer
    ``i % writers``."""
    writer: int = 0
    writers: int = 1
    direct_url: str = ""
    """Where to POST each event right after its append; empty: append only."""


class Append(msgspec.Struct, frozen=True, array_like=True):
    position: int
    programme: str
    due: float
    begun: float
    committed: float
    """``time.monotonic()`` right after the handler returned."""


class WriterReport(msgspec.Struct, frozen=True, kw_only=True):
    started: float
    appends: list[Append]
    cpu_seconds: float
    """CPU time (user and system) from the first slot to the last append."""
    posted: int = 0
    post_failures: int = 0


def _direct_body(position: int, programme: str, item: str, line: str) -> bytes:
    """The shape of a delivery's body, without its summary and links."""
    return json.dumps(
        {
            "id": f"direct-{position}",
            "kind": "raid",
            "type": "RiskUpdateLogged",
            "position": position,
            "programme": programme,
            "recorded_at": format_instant(SystemClock().now()),
            "data": {"item_id": item, "programme_key": programme, "text": line},
        },
        separators=(",", ":"),
    ).encode()


async def writer_main(plan: Plan) -> None:
    """One writer subprocess: its share of the slots, then its report on standard output."""
    settings = Settings(database_url=plan.database_url, webhooks=LOOPBACK)
    clock = SystemClock()
    store = open_store(settings, clock=clock)
    handlers = Handlers(store, clock)
    http = httpx.AsyncClient() if plan.direct_url else None
    outcome = Counter[bool]()

    async def post(position: int, body: bytes) -> None:
        assert http is not None
        try:
            answer = await http.post(
                plan.direct_url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Tracker-Delivery-Id": f"direct-{position}",
                },
            )
            outcome[answer.status_code == 200] += 1
        except httpx.HTTPError:
            outcome[False] += 1

    total = round(plan.rate * plan.seconds)
    lanes = len(plan.items)
    appends: list[Append] = []
    try:
        await store.head_position()  # connections open before the clock starts
        print("ready", flush=True)
        started = float(await asyncio.to_thread(sys.stdin.buffer.readline))
        cpu = time.process_time()

        async def lane(risk: int) -> None:
            item, programme = plan.items[risk]
            for i in range(risk, total, lanes):
                due = started + i / plan.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                line = f"Weekly review {i}: the supplier confirmed the revised date"
                begun = time.monotonic()
                result = await handlers.handle(LogRiskUpdate(item_id=UUID(item), text=line))
                committed = time.monotonic()
                if result.position is None:
                    raise RuntimeError(f"LogRiskUpdate {i} wrote nothing")
                appends.append(Append(result.position, programme, due, begun, committed))
                if http is not None:
                    # In the lane itself: a risk's next slot comes ``lanes / rate`` later (0.2 s
                    # by default), and the POSTs in flight stay at most one per lane.
                    await post(
                        result.position, _direct_body(result.position, programme, item, line)
                    )

        mine = range(plan.writer, lanes, plan.writers)
        await asyncio.gather(*(lane(risk) for risk in mine))
        cpu = time.process_time() - cpu
    finally:
        if http is not None:
            await http.aclose()
        await store.close()
    report = WriterReport(
        started=started,
        appends=appends,
        cpu_seconds=cpu,
        posted=outcome[True],
        post_failures=outcome[False],
    )
    sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    sys.stdout.flush()


async def write(plan: Plan, writers: int, on_start: Callable[[], None]) -> list[WriterReport]:
    """Run the writer subprocesses to the end, started together; ``on_start`` just before.
    Bounded: a writer that is not ready within ``STOP_TIMEOUT_S``, or not finished that long
    after its last slot, is killed."""
    processes: list[asyncio.subprocess.Process] = []
    try:
        for w in range(writers):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "benchmarks.webhooks",
                "--writer",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                cwd=REPO_ROOT,
            )
            processes.append(process)
            assert process.stdin is not None
            mine = msgspec.structs.replace(plan, writer=w, writers=writers)
            process.stdin.write(msgspec.json.encode(mine) + b"\n")
            await process.stdin.drain()
        for process in processes:
            assert process.stdout is not None
            ready = await asyncio.wait_for(process.stdout.readline(), timeout=STOP_TIMEOUT_S)
            if ready.strip() != b"ready":
                raise RuntimeError("a writer subprocess did not start")
        started = time.monotonic() + LEAD_S
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(f"{started!r}\n".encode())
            await process.stdin.drain()
            process.stdin.close()
        on_start()
        deadline = started + plan.seconds + STOP_TIMEOUT_S
        reports = []
        for process in processes:
            assert process.stdout is not None
            left = max(deadline - time.monotonic(), 1.0)
            output = await asyncio.wait_for(process.stdout.read(), timeout=left)
            if await process.wait() != 0:
                raise RuntimeError(f"a writer subprocess failed ({process.returncode})")
            reports.append(msgspec.json.decode(output, type=WriterReport))
        return reports
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()


@asynccontextmanager
async def projector(url: str) -> AsyncIterator[None]:
    """``tracker projector`` on the database, until the block ends (its log kept in a
    temporary file, shown if it fails)."""
    with tempfile.TemporaryFile() as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service.cli",
            "projector",
            env={**os.environ, "TRACKER_DATABASE_URL": url},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=errors,
            cwd=REPO_ROOT,
        )
        try:
            yield
        finally:
            if process.returncode is None:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT_S)
            except TimeoutError:
                process.kill()
                await process.wait()
        if process.returncode not in (0, -signal.SIGTERM):
            errors.seek(0)
            _log(errors.read().decode(errors="replace")[-2000:])
            raise RuntimeError(f"the projector failed ({process.returncode})")


# --- the deliverer, timed -----------------------------------------------------------------------


@dataclass
class Stopwatch:
    calls: int = 0
    seconds: float = 0.0
    longest: float = 0.0


def _timed(fn: Callable[P, Awaitable[R]], watch: Stopwatch) -> Callable[P, Awaitable[R]]:
    async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            took = time.perf_counter() - started
            watch.calls += 1
            watch.seconds += took
            watch.longest = max(watch.longest, took)

    return timed


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from ``/proc/stat`` ((0, 0)
    elsewhere): busy is everything but idle and I/O wait."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    total = sum(fields[:8])
    return total - fields[3] - fields[4], total


class TimedDeliverer(Deliverer):
    """The deliverer as shipped, with each step of its rounds timed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watches: dict[str, Stopwatch] = {}
        self.attempts: list[int] = []
        """Attempts made by each ``send_due`` that found something due."""
        self.reset()

    def watch(self, label: str) -> Stopwatch:
        return self.watches.setdefault(label, Stopwatch())

    def reset(self) -> None:
        """Start counting again (the stopwatches stay the ones the wrappers hold)."""
        for watch in self.watches.values():
            watch.calls, watch.seconds, watch.longest = 0, 0.0, 0.0
        self.attempts.clear()
        self.since = time.monotonic()
        self.cpu_since = time.process_time()
        self.machine_since = machine_jiffies()

    async def enqueue(self) -> tuple[int, set[str]]:
        return await _timed(super().enqueue, self.watch("enqueue"))()

    async def observe_colours(self, touched: set[str]) -> int:
        return await _timed(super().observe_colours, self.watch("colours"))(touched)

    async def send_due(self) -> int:
        made = await _timed(super().send_due, self.watch("send"))()
        if made:
            self.attempts.append(made)
        return made


INNER: Final = (
    (tables, "subscriptions", "tables.subscriptions (enqueue, colours)"),
    (None, "read_all", "store.read_all (enqueue)"),
    (None, "_view", "programme view (enqueue)"),
    (tables, "enqueue", "tables.enqueue: insert + checkpoint (enqueue)"),
    (tables, "pending", "tables.pending (send: each lane's first 100)"),
    (tables, "secret_box", "tables.secret_box (once a subscription)"),
    (None, "post", "http.post to the receiver (each attempt)"),
    (tables, "record", "tables.record (each lane's attempts, one transaction)"),
)
"""What is timed inside the rounds: (module, or None for the deliverer's own objects, name,
label)."""


@contextmanager
def timing_inside(deliverer: TimedDeliverer) -> Iterator[None]:
    """Wrap the calls of ``INNER`` with stopwatches for the block, then put them back."""
    owners: dict[str, object] = {
        "read_all": deliverer.store,
        "_view": deliverer,
        "post": deliverer.http,
    }
    saved: list[tuple[object, str, object]] = []
    for module, name, label in INNER:
        owner = module if module is not None else owners[name]
        original = getattr(owner, name)
        saved.append((owner, name, original))
        setattr(owner, name, _timed(original, deliverer.watch(label)))
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            if owner is tables:
                setattr(owner, name, original)
            else:
                delattr(owner, name)  # the instance's own attribute: the method shows again


# --- set-up -----------------------------------------------------------------------------------


@asynccontextmanager
async def database(postgres: str | None) -> AsyncIterator[tuple[str, str]]:
    """A fresh, migrated database: (SQLAlchemy URL, description); dropped afterwards."""
    if postgres is None:
        with tempfile.TemporaryDirectory(prefix="bench_webhooks_") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'tracker.db'}"
            await upgrade_async(url)
            yield url, "SQLite (a file in a temporary folder, WAL, synchronous=FULL)"
        return
    name = f"bench_webhooks_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        version = await admin.fetchval("SHOW server_version")
        commit = await admin.fetchval("SHOW synchronous_commit")
    finally:
        await admin.close()
    try:
        dsn = f"{postgres.rpartition('/')[0]}/{name}"
        url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_async(url)
        yield url, f"PostgreSQL {version} (database {name}, synchronous_commit={commit})"
    finally:
        admin = await asyncpg.connect(postgres)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def register(settings: Settings, count: int) -> list[str]:
    """Register the programmes through the handlers, each with a risk owner on its roster."""
    clock = SystemClock()
    store = open_store(settings, clock=clock)
    handlers = Handlers(store, clock)
    today = clock.now().date()
    keys = [f"webhook-bench-{p}" for p in range(1, count + 1)]
    try:
        for n, key in enumerate(keys, 1):
            await handlers.handle(
                RegisterProgramme(
                    programme_key=key,
                    name=f"Webhook benchmark programme {n}",
                    starts_on=today - timedelta(days=90),
                    planned_end_on=today + timedelta(days=365),
                )
            )
            await handlers.handle(
                AssignRosterMember(
                    programme_key=key,
                    email=OWNER.email,
                    name=OWNER.name,
                    role_title="Programme manager",
                    raci="R",
                )
            )
    finally:
        await store.close()
    return keys


async def raise_risks(settings: Settings, keys: list[str], risks: int) -> list[tuple[str, str]]:
    """``risks`` new risks in each programme, through the handlers; (item id, key), the
    programmes interleaved (risk ``i`` belongs to programme ``i % len(keys)``)."""
    clock = SystemClock()
    store = open_store(settings, clock=clock)
    handlers = Handlers(store, clock)
    items: list[tuple[str, str]] = []
    try:
        for r in range(1, risks + 1):
            for key in keys:
                made = await handlers.handle(
                    RaiseRisk(
                        programme_key=key,
                        kind="risk",
                        description=f"Supplier {r} may miss the cut-over window",
                        owner=OWNER,
                        impact=3,
                        likelihood=3,
                    )
                )
                assert made.created_id is not None
                items.append((str(made.created_id), key))
    finally:
        await store.close()
    return items


async def subscribe(engine: AsyncEngine, url: str, checkpoint: int) -> str:
    secret, sid = new_secret(), str(uuid.uuid4())
    cipher = await tables.secret_cipher(engine, LOOPBACK)
    await tables.create(
        engine,
        tables.Subscription(
            subscription_id=sid,
            url=url,
            kinds=("raid",),
            programmes=None,
            format="json",
            created_at=format_instant(SystemClock().now()),
            created_by="programme.office@tracker.example",
            checkpoint=checkpoint,
            state="active",
        ),
        tables.seal(cipher, secret, sid),
    )
    return sid


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Delivered:
    label: str
    reports: list[WriterReport]
    arrivals: list[Arrival]
    drained_at: float
    appends: list[Append] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    first: dict[int, Arrival] = field(default_factory=dict)
    twice: int = 0
    out_of_order: int = 0

    def __post_init__(self) -> None:
        self.appends = sorted(
            (a for r in self.reports for a in r.appends), key=lambda a: a.position
        )
        seen = Counter(a.delivery_id for a in self.arrivals)
        self.twice = sum(1 for n in seen.values() if n > 1)
        for a in self.arrivals:
            self.first.setdefault(a.position, a)
        commits = {a.position: a.committed for a in self.appends}
        self.latencies_ms = [
            (a.at - commits[p]) * 1000 for p, a in self.first.items() if p in commits
        ]
        last: dict[str, int] = {}
        for a in sorted(self.first.values(), key=lambda a: a.at):
            if a.position < last.get(a.programme, 0):
                self.out_of_order += 1
            last[a.programme] = max(a.position, last.get(a.programme, 0))

    @property
    def started(self) -> float:
        return self.reports[0].started

    @property
    def last_commit(self) -> float:
        return max(a.committed for a in self.appends)

    @property
    def missing(self) -> int:
        """Appended and not received by the end of the drain."""
        return sum(1 for a in self.appends if a.position not in self.first)

    @property
    def append_rate(self) -> float:
        return len(self.appends) / (self.last_commit - self.started)

    @property
    def writer_cores(self) -> float:
        """The writers' CPU while writing, in cores."""
        return sum(r.cpu_seconds for r in self.reports) / (self.last_commit - self.started)

    @property
    def delivery_rate(self) -> float:
        """Deliveries a second, from the first slot to the last arrival."""
        if not self.first:
            return 0.0
        last = max(a.at for a in self.first.values())
        return len(self.first) / (last - self.started)

    def q(self, p: float) -> float:
        return percentile(self.latencies_ms, p) if self.latencies_ms else float("nan")

    def row(self) -> str:
        return (
            f"{self.label:<22}{len(self.first):>7,}{self.delivery_rate:>9.0f}"
            + "".join(f"{self.q(p):>10.1f}" for p in (50, 95, 99))
            + f"{max(self.latencies_ms, default=float('nan')):>10.1f}"
        )


async def drain(receiver: Receiver, path: str, expected: set[int], timeout: float) -> float:
    """Wait until every expected position has arrived on ``path`` (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if expected <= receiver.positions.get(path, set()):
            break
        await asyncio.sleep(POLL_S)
    return time.monotonic()


async def stages(engine: AsyncEngine, sid: str, outbox: Delivered) -> dict[str, list[float]]:
    """Each delivery split at the outbox's timestamps (wall clock, mapped onto the monotonic
    one): commit -> read by ``enqueue`` (``created_at``), -> attempt started (``at`` of the
    answered attempt), -> received."""
    offset = time.time() - time.monotonic()
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT d.position, d.created_at, a.at FROM webhook_deliveries d "
                    "JOIN webhook_attempts a ON a.delivery_id = d.delivery_id "
                    "WHERE d.subscription_id = :id AND a.status = 200"
                ),
                {"id": sid},
            )
        ).all()
    commits = {a.position: a.committed for a in outbox.appends}
    found: dict[str, list[float]] = {"read": [], "wait": [], "send": []}
    for row in rows:
        arrival = outbox.first.get(int(row.position))
        if arrival is None:
            continue
        read = parse_instant(row.created_at).timestamp() - offset
        tried = parse_instant(row.at).timestamp() - offset
        found["read"].append((read - commits[int(row.position)]) * 1000)
        found["wait"].append((tried - read) * 1000)
        found["send"].append((arrival.at - tried) * 1000)
    return found


async def outbox_states(engine: AsyncEngine, sid: str) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT state, count(*) AS n FROM webhook_deliveries "
                    "WHERE subscription_id = :id GROUP BY state"
                ),
                {"id": sid},
            )
        ).all()
    return {str(row.state): int(row.n) for row in rows}


async def projector_behind(engine: AsyncEngine) -> int:
    """Events after the read model's checkpoint."""
    async with engine.connect() as conn:
        head = (await conn.execute(text("SELECT max(position) FROM events"))).scalar()
        done = (
            await conn.execute(
                text("SELECT position FROM projection_checkpoints WHERE name = 'read_model'")
            )
        ).scalar()
    return int(head or 0) - int(done or 0)


def recorded_to_received(delivered: Delivered) -> list[float]:
    """Received minus the event's ``recorded_at`` from the body, on the wall clock (ms): a
    check on the commit stamps, which come a little after ``recorded_at``."""
    return [
        (a.wall - parse_instant(a.recorded_at).timestamp()) * 1000 for a in delivered.first.values()
    ]


@dataclass
class Outbox:
    delivered: Delivered
    stages: dict[str, list[float]]
    states: dict[str, int]
    watches: dict[str, Stopwatch]
    attempts: list[int]
    window_s: float
    cpu_seconds: float
    """This process's CPU time over the window (the deliverer, the receiver's thread)."""
    machine_busy: float
    """The machine's CPUs busy over the window, in cores (nan when unknown)."""
    projector_behind: int


async def run_direct(receiver: Receiver, plan: Plan, writers: int, drain_s: float) -> Delivered:
    direct = msgspec.structs.replace(plan, direct_url=receiver.url + DIRECT)
    reports = await write(direct, writers, lambda: None)
    expected = {a.position for r in reports for a in r.appends}
    _log(f"  direct: {len(expected):,} appended, {sum(r.posted for r in reports):,} answered 200")
    drained = await drain(receiver, DIRECT, expected, drain_s)
    return Delivered("direct httpx.post", reports, receiver.on(DIRECT), drained)


async def run_outbox(
    settings: Settings, receiver: Receiver, plan: Plan, writers: int, drain_s: float
) -> Outbox:
    clock = SystemClock()
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    deliverer = TimedDeliverer(store, engine, settings, clock)
    stop = asyncio.Event()
    try:
        sid = await subscribe(engine, receiver.url + HOOK, await store.head_position())
        with timing_inside(deliverer):
            running = asyncio.create_task(deliverer.run_forever(stop))
            try:
                reports = await write(plan, writers, deliverer.reset)
                expected = {a.position for r in reports for a in r.appends}
                behind = len(expected - receiver.positions.get(HOOK, set()))
                _log(f"  outbox: {len(expected):,} appended, {behind:,} still to arrive")
                drained = await drain(receiver, HOOK, expected, drain_s)
                window = drained - deliverer.since
                cpu = time.process_time() - deliverer.cpu_since
                busy, total = machine_jiffies()
                ticks = total - deliverer.machine_since[1]
                machine = (
                    (busy - deliverer.machine_since[0]) / ticks * (os.cpu_count() or 1)
                    if ticks
                    else float("nan")
                )
                watches = {
                    k: Stopwatch(w.calls, w.seconds, w.longest)
                    for k, w in deliverer.watches.items()
                }
                attempts = list(deliverer.attempts)
            finally:
                stop.set()
                await asyncio.wait_for(running, timeout=STOP_TIMEOUT_S)
        delivered = Delivered("outbox Deliverer", reports, receiver.on(HOOK), drained)
        return Outbox(
            delivered=delivered,
            stages=await stages(engine, sid, delivered),
            states=await outbox_states(engine, sid),
            watches=watches,
            attempts=attempts,
            window_s=window,
            cpu_seconds=cpu,
            machine_busy=machine,
            projector_behind=await projector_behind(engine),
        )
    finally:
        await deliverer.close()
        await store.close()
        await engine.dispose()


# --- the report ---------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"p50 {percentile(values, 50):8.1f}   p95 {percentile(values, 95):8.1f}"


def report_lines(
    args: argparse.Namespace,
    command: str,
    where: str,
    direct: Delivered,
    found: Outbox,
    receiver_facts: str,
) -> list[str]:
    outbox = found.delivered
    risks = args.programmes * args.risks
    lines = [
        f"Webhook delivery latency under {args.rate:,.0f} events/s of appends for "
        f"{args.seconds:g} s, on {where}",
        f"command: {command}",
        f"machine: nproc {os.cpu_count()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; "
        + ", ".join(
            f"{name} {_version(name)}" for name in ("httpx", "SQLAlchemy", "aiosqlite", "asyncpg")
        ),
        f"load: LogRiskUpdate through Handlers on {risks} risks of {args.programmes} programmes "
        f"(new risks each phase), one task per risk in {args.writers} writer processes; the "
        "projector in its own; the Deliverer (run_forever) and the receiver (own thread) here",
        "",
    ]
    for phase in (direct, outbox):
        short = phase.append_rate < RATE_TOLERANCE * args.rate
        took = [(a.committed - a.begun) * 1000 for a in phase.appends]
        slip = max(a.begun - a.due for a in phase.appends) * 1000
        lines.append(
            f"appends, {phase.label} phase: {len(phase.appends):,} at "
            f"{phase.append_rate:,.1f}/s (target {args.rate:,.0f}); handler p50 "
            f"{percentile(took, 50):.1f} ms, p99 {percentile(took, 99):.1f} ms; latest start "
            f"{slip:,.1f} ms after its slot; writers' CPU {phase.writer_cores:.2f} cores"
            + ("  BELOW THE TARGET RATE" if short else "")
        )
    lines += [
        "",
        f"{'latency (ms)':<22}{'count':>7}{'per s':>9}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}",
        direct.row(),
        outbox.row(),
        f"{'outbox / direct':<22}{'':>16}"
        + "".join(f"{outbox.q(p) / direct.q(p):>9.1f}x" for p in (50, 95, 99))
        + f"{max(outbox.latencies_ms) / max(direct.latencies_ms):>9.1f}x",
        "",
        f"outbox: received {len(outbox.first):,} of {len(outbox.appends):,} (missing "
        f"{outbox.missing:,}); received twice {outbox.twice:,}; order per programme "
        + ("held" if outbox.out_of_order == 0 else f"broken {outbox.out_of_order:,} times")
        + f"; outbox rows at stop {dict(sorted(found.states.items()))}",
        f"direct: received {len(direct.first):,} of {len(direct.appends):,} (missing "
        f"{direct.missing:,}); received twice {direct.twice:,}; posts failed "
        f"{sum(r.post_failures for r in direct.reports):,}",
        f"cross-check, received - recorded_at in the body (wall clock, ms): outbox "
        f"{_ms(recorded_to_received(outbox))}",
        f"receiver: {receiver_facts}",
        f"outbox drain: the last delivery {outbox.drained_at - outbox.last_commit:,.2f} s after "
        f"the last commit; projector {found.projector_behind:,} events behind at the end",
        "",
        "where a delivery's time goes (ms, at the outbox's own timestamps):",
        f"  commit -> read from the log by enqueue    {_ms(found.stages['read'])}",
        f"  read -> attempt started (in the outbox)   {_ms(found.stages['wait'])}",
        f"  attempt started -> received               {_ms(found.stages['send'])}",
    ]
    lines += deliverer_lines(found)
    ok = (
        outbox.q(95) < GOAL_P95_MS
        and outbox.missing == 0
        and outbox.twice == 0
        and outbox.out_of_order == 0
        and outbox.append_rate >= RATE_TOLERANCE * args.rate
    )
    lines += [
        "",
        f"goal: p95 delivery latency < {GOAL_P95_MS:,.0f} ms at {args.rate:,.0f} events/s "
        f"(appends at {RATE_TOLERANCE:.0%} or more of it), nothing lost (every delivery "
        "received within the drain) or doubled, in order per programme",
        f"  p95 {outbox.q(95):,.1f} ms, appends {outbox.append_rate:,.1f}/s, missing "
        f"{outbox.missing:,}, twice {outbox.twice:,}, out of order {outbox.out_of_order:,}: "
        f"{_verdict(ok)}",
    ]
    return lines


def deliverer_lines(found: Outbox) -> list[str]:
    w = found.watches
    window = found.window_s
    lines = [
        "",
        f"where the deliverer's time goes (writers' start signal to last delivery, {window:.2f} s; "
        "two loops at once: feeding the outbox, and sending from it):",
    ]
    feeding = w.get("enqueue", Stopwatch()).seconds + w.get("colours", Stopwatch()).seconds
    for label, key in (("enqueue", "enqueue"), ("colours", "colours"), ("send_due", "send")):
        s = w.get(key, Stopwatch())
        lines.append(
            f"  {label:<10}{s.seconds:8.2f} s {s.seconds / window:6.1%}   "
            f"{s.seconds / max(s.calls, 1) * 1000:7.2f} ms a call"
        )
    sending = w.get("send", Stopwatch()).seconds
    lines.append(
        f"  idle: feeding {max(window - feeding, 0):.2f} s, sending "
        f"{max(window - sending, 0):.2f} s (waiting for events, or for deliveries due)"
    )
    if found.attempts:
        mean = sum(found.attempts) / len(found.attempts)
        lines.append(
            f"  send_due calls that sent: {len(found.attempts):,}, {mean:.2f} attempts each "
            f"(most {max(found.attempts)}; up to 100 of a programme in a row), "
            f"{sum(found.attempts) / window:,.0f} attempts/s"
        )
    lines.append(
        "  inside (calls, total, mean, longest; attempts overlap, so totals can pass the wall):"
    )
    for _, _, label in INNER:
        s = w.get(label, Stopwatch())
        lines.append(
            f"    {label:<48}{s.calls:>7,}{s.seconds:8.2f} s"
            f"{s.seconds / max(s.calls, 1) * 1000:8.2f} ms{s.longest * 1000:9.1f} ms"
        )
    lines.append(
        f"  CPU over the window: this process {found.cpu_seconds / window:.2f} cores, "
        f"the machine {found.machine_busy:.2f} of {os.cpu_count()} cores busy"
    )
    return lines


async def run(args: argparse.Namespace, command: str) -> int:
    async with database(args.postgres) as (url, where):
        _log(f"database: {where}")
        settings = Settings(database_url=url, webhooks=LOOPBACK)
        keys = await register(settings, args.programmes)
        async with projector(url):
            with receiving() as receiver:
                plan = Plan(
                    database_url=url,
                    rate=args.rate,
                    seconds=args.seconds,
                    items=await raise_risks(settings, keys, args.risks),
                )
                _log(f"receiver: {receiver.url}; direct phase ({args.seconds:g} s)")
                direct = await run_direct(receiver, plan, args.writers, args.drain)
                plan = msgspec.structs.replace(
                    plan, items=await raise_risks(settings, keys, args.risks)
                )
                _log(f"outbox phase ({args.seconds:g} s, then at most {args.drain:g} s)")
                found = await run_outbox(settings, receiver, plan, args.writers, args.drain)
                facts = (
                    f"{receiver.connections:,} connections, {len(receiver.arrivals):,} requests, "
                    f"{receiver.malformed:,} malformed"
                )
    print()
    for line in report_lines(args, command, where, direct, found, facts):
        print(line)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.webhooks",
        description="Webhook delivery latency under a steady rate of appends, against a "
        "direct POST after each append.",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of appends (10)")
    parser.add_argument("--rate", type=float, default=500.0, help="appends per second (500)")
    parser.add_argument("--programmes", type=int, default=4, help="programmes (4)")
    parser.add_argument(
        "--risks", type=int, default=25, help="risks per programme written in each phase (25)"
    )
    parser.add_argument("--writers", type=int, default=2, help="writer processes (2)")
    parser.add_argument(
        "--drain", type=float, default=60.0, help="seconds to wait for the last deliveries (60)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help=f"run on PostgreSQL: an admin DSN (e.g. {DEFAULT_ADMIN_DSN}) where a database "
        "bench_webhooks_<random> is made and dropped; default: SQLite",
    )
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.programmes, args.risks, args.writers) < 1 or min(args.rate, args.seconds) <= 0:
        parser.error("counts, the rate and the duration must be positive")
    if args.writers > args.programmes * args.risks:
        parser.error("more writers than risks")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.writer:
        plan = msgspec.json.decode(sys.stdin.buffer.readline(), type=Plan)
        asyncio.run(writer_main(plan))
        return 0
    words = sys.argv[1:] if argv is None else argv
    command = " ".join([".venv/bin/python -m benchmarks.webhooks", *map(shlex.quote, words)])
    return asyncio.run(run(args, command))


if __name__ == "__main__":
    raise SystemExit(main())
