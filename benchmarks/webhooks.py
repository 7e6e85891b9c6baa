"""``python -m benchmarks.webhooks [--seconds 10] [--rate 500] [--postgres URL]``: webhook
delivery latency while events are appended at a steady 500 a second.

Set-up: a fresh database (a SQLite file in a temporary folder; with ``--postgres`` a database
``bench_webhooks_<random>`` made on that server through asyncpg and dropped afterwards), migrated,
and 4 programmes registered through ``Handlers`` (``RegisterProgramme``, ``AssignRosterMember``),
each with 5 risks (``RaiseRisk``). A receiver on 127.0.0.1 (``benchmarks.webhook_receiver``:
HTTP/1.1 keep-alive in its own thread and event loop) records when each request arrived.

The processes, as ``tracker serve --no-webhooks`` beside ``tracker webhooks run``:

* **the writer** (a subprocess of this module): ``Handlers.handle(LogRiskUpdate(...))`` at
  ``--rate`` a second for ``--seconds``, slot ``i`` due at ``start + i / rate`` and written to
  risk ``i % 20`` by that risk's own task (so no stream conflicts), with the projector running in
  the same process (``run_projector``, as ``tracker serve`` does) so that the deliverer's
  programme views are current. It stamps each command's commit with ``time.monotonic()`` right
  after the handler returned, and reports (position, programme, stamp) for every event. At 500
  commands a second the handlers alone take most of a core (about 1.4 ms of CPU each, measured
  on this machine): in this process they would starve the deliverer under test.
* **this process**: ``Deliverer.run_forever`` in its own task (its own store and engine,
  ``SystemClock``), subscribed through ``tracker.webhooks.tables`` to kind ``raid``, format
  json, checkpoint at the head (only the measured events are delivered), and the receiver.

Two phases, in this order, each for the same number of events at the same rate:

1. **direct** (the reference, the floor): the writer POSTs a bare JSON body to the receiver
   with a plain ``httpx.AsyncClient`` right after each append (its own task: no outbox, no
   database round trip, no signing); no subscription exists yet.
2. **outbox**: the subscription is made and the deliverer started; the writer only appends.
   Then this process waits until every event has been received (at most ``--drain`` seconds).

Latency of a delivery: its first arrival at the receiver minus its event's commit stamp (both
``time.monotonic()``, which is system-wide on Linux). Reported: count, achieved append rate,
deliveries a second, p50/p95/p99/max, ids received twice (0 expected), order per programme, and
outbox/direct ratios. Where the time goes, measured: each delivery split at the outbox's own
timestamps (read by ``enqueue``, attempt started), and the deliverer's rounds split into
``enqueue``, ``observe_colours``, ``send_due`` and idle by a subclass that times them, with the
calls inside timed by wrapping them for the run (nothing in the library is changed).

Goal: p95 delivery latency under 1,000 ms at 500 events/s (achieved append rate within 5 %),
nothing lost or received twice, in order per programme: PASS or MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
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
from tracker.projections.read_model.service import run_projector
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
STOP_TIMEOUT_S: Final = 60.0

P = ParamSpec("P")
R = TypeVar("R")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- the writer subprocess ------------------------------------------------------------------


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    rate: float
    seconds: float
    items: list[tuple[str, str]]
    """(item id, programme key) of each risk written to."""
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
    posted: int = 0
    post_failures: int = 0


def _direct_body(position: int, programme: str, item: str, line: str) -> bytes:
    """About the size and shape of a delivery's body (without summary and links)."""
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
    settings = Settings(database_url=plan.database_url, webhooks=LOOPBACK)
    clock = SystemClock()
    store = open_store(settings, clock=clock)
    handlers = Handlers(store, clock)
    stop = asyncio.Event()
    projector = asyncio.create_task(run_projector(settings, stop))
    http = httpx.AsyncClient() if plan.direct_url else None
    posts: set[asyncio.Task[None]] = set()
    outcome = Counter[bool]()

    async def post(position: int, programme: str, body: bytes) -> None:
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
    appends: list[Append] = []
    try:
        await asyncio.sleep(0.5)  # the projector's first catch-up, before the clock starts
        print("ready", flush=True)
        started = time.monotonic() + 0.2

        async def task(lane: int) -> None:
            item, programme = plan.items[lane]
            for i in range(lane, total, len(plan.items)):
                due = started + i / plan.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                line = f"Weekly review {i}: supplier confirmed the revised date"
                begun = time.monotonic()
                result = await handlers.handle(LogRiskUpdate(item_id=UUID(item), text=line))
                committed = time.monotonic()
                if result.position is None:
                    raise RuntimeError(f"LogRiskUpdate {i} wrote nothing")
                appends.append(Append(result.position, programme, due, begun, committed))
                if http is not None:
                    body = _direct_body(result.position, programme, item, line)
                    sent = asyncio.create_task(post(result.position, programme, body))
                    posts.add(sent)
                    sent.add_done_callback(posts.discard)

        await asyncio.gather(*(task(lane) for lane in range(len(plan.items))))
        if posts:
            await asyncio.wait_for(asyncio.gather(*posts), timeout=STOP_TIMEOUT_S)
    finally:
        stop.set()
        await asyncio.wait_for(projector, timeout=STOP_TIMEOUT_S)
        if http is not None:
            await http.aclose()
        await store.close()
    appends.sort(key=lambda a: a.position)
    report = WriterReport(
        started=started, appends=appends, posted=outcome[True], post_failures=outcome[False]
    )
    sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    sys.stdout.flush()


async def write(plan: Plan, on_start: Callable[[], None]) -> WriterReport:
    """Run the writer subprocess to the end; ``on_start`` when it is about to write."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.webhooks",
        "--writer",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(msgspec.json.encode(plan))
    await process.stdin.drain()
    process.stdin.close()
    if (await process.stdout.readline()).strip() != b"ready":
        raise RuntimeError("the writer subprocess did not start")
    on_start()
    output = await process.stdout.read()
    if await process.wait() != 0:
        raise RuntimeError(f"the writer subprocess failed ({process.returncode})")
    return msgspec.json.decode(output, type=WriterReport)


# --- the deliverer, timed -------------------------------------------------------------------


@dataclass
class Stopwatch:
    calls: int = 0
    seconds: float = 0.0


def _timed(fn: Callable[P, Awaitable[R]], watch: Stopwatch) -> Callable[P, Awaitable[R]]:
    async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            watch.calls += 1
            watch.seconds += time.perf_counter() - started

    return timed


class TimedDeliverer(Deliverer):
    """The deliverer as shipped, with each step of its rounds timed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watches: dict[str, Stopwatch] = {}
        self.attempts: list[int] = []
        """Attempts made by each ``send_due`` that found something due."""
        self.since = time.monotonic()

    def watch(self, label: str) -> Stopwatch:
        return self.watches.setdefault(label, Stopwatch())

    def reset(self) -> None:
        self.watches.clear()
        self.attempts.clear()
        self.since = time.monotonic()

    async def round(self) -> int:
        return await _timed(super().round, self.watch("round"))()

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
    (tables, "due", "tables.due (send)"),
    (tables, "subscription", "tables.subscription (each attempt)"),
    (tables, "secret_box", "tables.secret_box (each attempt)"),
    (None, "post", "http.post to the receiver (each attempt)"),
    (tables, "record", "tables.record (each attempt)"),
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


async def programmes(settings: Settings, count: int, risks: int) -> list[tuple[str, str]]:
    """Register the programmes and raise their risks through the handlers; (item id, key)."""
    clock = SystemClock()
    store = open_store(settings, clock=clock)
    handlers = Handlers(store, clock)
    today = clock.now().date()
    items: list[tuple[str, str]] = []
    try:
        for p in range(1, count + 1):
            key = f"webhook-bench-{p}"
            await handlers.handle(
                RegisterProgramme(
                    programme_key=key,
                    name=f"Webhook benchmark programme {p}",
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
            for r in range(1, risks + 1):
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
    report: WriterReport
    arrivals: list[Arrival]
    drained_at: float
    latencies_ms: list[float] = field(default_factory=list)
    first: dict[int, Arrival] = field(default_factory=dict)
    twice: int = 0
    out_of_order: int = 0

    def __post_init__(self) -> None:
        seen = Counter(a.delivery_id for a in self.arrivals)
        self.twice = sum(1 for n in seen.values() if n > 1)
        for a in self.arrivals:
            self.first.setdefault(a.position, a)
        commits = {a.position: a.committed for a in self.report.appends}
        self.latencies_ms = [
            (a.at - commits[p]) * 1000 for p, a in self.first.items() if p in commits
        ]
        last: dict[str, int] = {}
        for a in sorted(self.first.values(), key=lambda a: a.at):
            if a.position < last.get(a.programme, 0):
                self.out_of_order += 1
            last[a.programme] = max(a.position, last.get(a.programme, 0))

    @property
    def appended(self) -> int:
        return len(self.report.appends)

    @property
    def lost(self) -> int:
        return sum(1 for a in self.report.appends if a.position not in self.first)

    @property
    def append_rate(self) -> float:
        ended = max(a.committed for a in self.report.appends)
        return self.appended / (ended - self.report.started)

    @property
    def delivery_rate(self) -> float:
        """Deliveries a second, from the first commit to the last arrival."""
        if not self.first:
            return 0.0
        last = max(a.at for a in self.first.values())
        return len(self.first) / (last - self.report.started)

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
        if expected <= {a.position for a in receiver.on(path)}:
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
    commits = {a.position: a.committed for a in outbox.report.appends}
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


@dataclass
class Outbox:
    delivered: Delivered
    stages: dict[str, list[float]]
    states: dict[str, int]
    watches: dict[str, Stopwatch]
    attempts: list[int]
    window_s: float


async def run_direct(receiver: Receiver, plan: Plan, drain_s: float) -> Delivered:
    direct = msgspec.structs.replace(plan, direct_url=receiver.url + DIRECT)
    report = await write(direct, lambda: None)
    _log(f"  direct: {len(report.appends):,} appended, {report.posted:,} posts answered 200")
    expected = {a.position for a in report.appends}
    drained = await drain(receiver, DIRECT, expected, drain_s)
    return Delivered("direct httpx.post", report, receiver.on(DIRECT), drained)


async def run_outbox(settings: Settings, receiver: Receiver, plan: Plan, drain_s: float) -> Outbox:
    clock = SystemClock()
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    deliverer = TimedDeliverer(store, engine, settings, clock)
    stop = asyncio.Event()
    try:
        sid = await subscribe(engine, receiver.url + HOOK, await store.head_position())
        with timing_inside(deliverer):
            running = asyncio.create_task(deliverer.run_forever(stop))
            try:
                report = await write(plan, deliverer.reset)
                behind = len(report.appends) - len(receiver.on(HOOK))
                _log(f"  outbox: {len(report.appends):,} appended, {behind:,} still to arrive")
                expected = {a.position for a in report.appends}
                drained = await drain(receiver, HOOK, expected, drain_s)
                window = drained - deliverer.since
                watches = {k: Stopwatch(w.calls, w.seconds) for k, w in deliverer.watches.items()}
                attempts = list(deliverer.attempts)
            finally:
                stop.set()
                await asyncio.wait_for(running, timeout=STOP_TIMEOUT_S)
        delivered = Delivered("outbox Deliverer", report, receiver.on(HOOK), drained)
        return Outbox(
            delivered=delivered,
            stages=await stages(engine, sid, delivered),
            states=await outbox_states(engine, sid),
            watches=watches,
            attempts=attempts,
            window_s=window,
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
    return f"p50 {percentile(values, 50):7.1f}  p95 {percentile(values, 95):7.1f}"


def report_lines(
    args: argparse.Namespace, command: str, where: str, direct: Delivered, found: Outbox
) -> list[str]:
    outbox = found.delivered
    last_commit = max(a.committed for a in outbox.report.appends)
    lines = [
        f"Webhook delivery latency under {args.rate:,.0f} events/s of appends, "
        f"{args.seconds:g} s, on {where}",
        f"command: {command}",
        f"machine: nproc {len(os.sched_getaffinity(0))}, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; "
        + ", ".join(
            f"{name} {_version(name)}" for name in ("httpx", "SQLAlchemy", "aiosqlite", "asyncpg")
        ),
        f"load: LogRiskUpdate through Handlers over {args.programmes * args.risks} risks of "
        f"{args.programmes} programmes, one writer task per risk, in a writer subprocess with "
        "the projector; the Deliverer (run_forever) and the receiver (own thread) in this one",
        "",
    ]
    for phase in (direct, outbox):
        r = phase.report
        took = [(a.committed - a.begun) * 1000 for a in r.appends]
        slip = max(a.begun - a.due for a in r.appends) * 1000
        lines.append(
            f"appends ({phase.label}): {phase.appended:,} at {phase.append_rate:,.1f}/s "
            f"(target {args.rate:,.0f}); handler p50 {percentile(took, 50):.1f} ms, "
            f"p99 {percentile(took, 99):.1f} ms; latest start {slip:.1f} ms after its slot"
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
        f"outbox: received {len(outbox.first):,} of {outbox.appended:,} (lost {outbox.lost:,}); "
        f"received twice {outbox.twice:,}; order per programme "
        + ("held" if outbox.out_of_order == 0 else f"broken {outbox.out_of_order:,} times")
        + f"; outbox rows at stop {dict(sorted(found.states.items()))}",
        f"direct: received {len(direct.first):,} of {direct.appended:,} (lost {direct.lost:,}); "
        f"received twice {direct.twice:,}; posts failed {direct.report.post_failures:,}",
        f"outbox drain: every delivery in {outbox.drained_at - last_commit:.2f} s after the last "
        "commit",
        "",
        "where a delivery's time goes (ms, from the outbox's timestamps):",
        f"  commit -> read from the log by enqueue     {_ms(found.stages['read'])}",
        f"  read -> attempt started (outbox queue)     {_ms(found.stages['wait'])}",
        f"  attempt started -> received                {_ms(found.stages['send'])}",
    ]
    lines += deliverer_lines(found)
    ok_rate = outbox.append_rate >= RATE_TOLERANCE * args.rate
    ok = (
        outbox.q(95) < GOAL_P95_MS
        and outbox.lost == 0
        and outbox.twice == 0
        and outbox.out_of_order == 0
        and ok_rate
    )
    lines += [
        "",
        f"goal: p95 delivery latency < {GOAL_P95_MS:,.0f} ms at {args.rate:,.0f} events/s, "
        "nothing lost or doubled, in order per programme",
        f"  p95 {outbox.q(95):,.1f} ms, append rate {outbox.append_rate:,.1f}/s, "
        f"lost {outbox.lost:,}, twice {outbox.twice:,}, out of order {outbox.out_of_order:,}"
        f"  {_verdict(ok)}",
    ]
    return lines


def deliverer_lines(found: Outbox) -> list[str]:
    w = found.watches
    window = found.window_s
    rounds = w.get("round", Stopwatch())
    idle = window - rounds.seconds
    lines = [
        "",
        f"where the deliverer's time goes (from the writer's start to the last delivery, "
        f"{window:.2f} s, {rounds.calls:,} rounds, "
        f"{rounds.seconds / max(rounds.calls, 1) * 1000:.1f} ms a round):",
    ]
    for label, key in (("enqueue", "enqueue"), ("colours", "colours"), ("send_due", "send")):
        s = w.get(key, Stopwatch())
        lines.append(
            f"  {label:<10}{s.seconds:8.2f} s {s.seconds / window:6.1%}   "
            f"{s.seconds / max(s.calls, 1) * 1000:7.2f} ms a call"
        )
    lines.append(f"  {'idle':<10}{idle:8.2f} s {idle / window:6.1%}   (waiting for new events)")
    if found.attempts:
        mean = sum(found.attempts) / len(found.attempts)
        lines.append(
            f"  send_due calls that sent: {len(found.attempts):,}, {mean:.2f} attempts each "
            f"(at most one per programme and subscription at a time), "
            f"{sum(found.attempts) / window:,.0f} attempts/s"
        )
    lines.append("  inside (calls, total s, mean ms; attempts overlap, so totals can pass wall):")
    for _, _, label in INNER:
        s = w.get(label, Stopwatch())
        lines.append(
            f"    {label:<48}{s.calls:>7,}{s.seconds:8.2f} s"
            f"{s.seconds / max(s.calls, 1) * 1000:8.2f} ms"
        )
    return lines


async def run(args: argparse.Namespace, command: str) -> int:
    async with database(args.postgres) as (url, where):
        _log(f"database: {where}")
        settings = Settings(database_url=url, webhooks=LOOPBACK)
        items = await programmes(settings, args.programmes, args.risks)
        plan = Plan(database_url=url, rate=args.rate, seconds=args.seconds, items=items)
        with receiving() as receiver:
            _log(f"receiver: {receiver.url}; direct phase ({args.seconds:g} s)")
            direct = await run_direct(receiver, plan, args.drain)
            _log(f"outbox phase ({args.seconds:g} s, then up to {args.drain:g} s to drain)")
            found = await run_outbox(settings, receiver, plan, args.drain)
    print()
    for line in report_lines(args, command, where, direct, found):
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
    parser.add_argument("--risks", type=int, default=5, help="risks per programme (5)")
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
    if min(args.programmes, args.risks) < 1 or min(args.rate, args.seconds) <= 0:
        parser.error("counts, the rate and the duration must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.writer:
        asyncio.run(writer_main(msgspec.json.decode(sys.stdin.buffer.read(), type=Plan)))
        return 0
    words = sys.argv[1:] if argv is None else argv
    command = " ".join([".venv/bin/python -m benchmarks.webhooks", *map(shlex.quote, words)])
    return asyncio.run(run(args, command))


if __name__ == "__main__":
    raise SystemExit(main())
