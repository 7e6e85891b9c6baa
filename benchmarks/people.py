"""What sealing people's data costs (issue 18): ``python -m benchmarks.people``.

In one run, on SQLite (a file in a temporary directory) and on PostgreSQL (a fresh database),
the plain store (``tracker.events.open.open_raw_store``: the reference) against the store the
tracker works through (``open_store``: ``tracker.people.store.SealingStore`` around it), each
on its own fresh, migrated database, the two driven alternately so that a noisy neighbour hurts
both alike:

1. append: single-event appends of events that name people (a deliverable planned with two
   approvers and an endorser, endorsed, approved twice, one approval in two by a deputy on
   someone's behalf; a risk raised with an owner, every other description quoting the owner's
   name), each with ``Metadata(actor=...)``, over 20 people whose keys exist already;
2. read: ``read_stream`` of a 500-event stream, and ``read_all`` over everything in pages;
3. the codec alone, without a database: ``Keyring.seal_event`` and ``Keyring.open_event`` per
   event (the opened-value cache cold and warm), and where the CPU goes (cProfile).

It prints a table with PASS / MISS against the issue's goals and writes its section of
docs/performance.md (between the ``people-benchmark`` markers).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from pstats import Stats
from typing import Any, Final
from uuid import UUID

import msgspec

from benchmarks.store import postgres as pg
from benchmarks.store.cli import _cpu_model, _load, _version
from benchmarks.store.sqlite import fresh_directory
from tracker.db import create_engine
from tracker.events.base import Metadata, NewEvent, StoredEvent, registry
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableEndorsed,
    DeliverablePlanned,
)
from tracker.events.open import open_raw_store, open_store
from tracker.events.risks import RiskRaised
from tracker.events.store import EventStore
from tracker.events.values import PersonRef
from tracker.migrations import upgrade_async
from tracker.people.crypto import DataKey, PeopleKey, new_data_key
from tracker.people.keys import KeyStore
from tracker.people.sealing import Keyring, identities_of
from tracker.people.store import SealingStore
from tracker.settings import Settings

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_DOCS: Final = REPO_ROOT / "docs" / "performance.md"
START_MARKER: Final = "<!-- people-benchmark:start -->"
END_MARKER: Final = "<!-- people-benchmark:end -->"
BACKENDS: Final = ("sqlite", "postgres")

DEFAULT_EVENTS: Final = 2000
ROUND: Final = 100
"""Appends per turn: the raw and the sealed store take turns of this many, alternating who
goes first."""
NEW_PEOPLE: Final = 20
"""Appends naming someone never named before (a key made), after the timed appends."""
READ_STREAM_EVENTS: Final = 500
READ_STREAM_REPEATS: Final = 20
READ_ALL_PAGE: Final = 500
READ_ALL_REPEATS: Final = 5
GENERATION_CALLS: Final = 200
LATER_READS: Final = 5
"""Reads of the new store after its first one (median kept)."""
CODEC_EVENTS: Final = 10_000
CODEC_PASSES: Final = 3
PROFILE_TOP: Final = 10

APPEND_GOAL: Final = 1.5
READ_STREAM_GOAL: Final = 2.0
OPEN_WARM_GOAL_US: Final = 20.0

PEOPLE_KEY: Final = b"benchmarks.people: a people key of more than forty-three characters"
PROGRAMME: Final = "bench-people"
READ_STREAM: Final = "programme:bench-people-read"
OCCURRED: Final = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

NAMES: Final = (
    "Amara Okafor",
    "Bethan Lloyd",
    "Callum Fraser",
    "Deepa Raman",
    "Eilidh MacLeod",
    "Farid Haddad",
    "Grace Whitfield",
    "Hamish Dunbar",
    "Ifeoma Nwosu",
    "James Pemberton",
    "Katarzyna Nowak",
    "Liam Gallagher",
    "Mei Lin Chen",
    "Niamh O'Connell",
    "Oluwaseun Adeyemi",
    "Priya Chaudhary",
    "Rhys Morgan",
    "Siobhan Kelly",
    "Tomasz Wisniewski",
    "Yasmin Qureshi",
)


def _address(name: str) -> str:
    return name.lower().replace("'", "").replace(" ", ".") + "@transition.example.gov.uk"


PEOPLE: Final = tuple(PersonRef(email=_address(n), name=n) for n in NAMES)


# --- the workload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Append:
    stream: str
    event: NewEvent
    expected: int


def _new(data: DeliverablePlanned | DeliverableEndorsed | DeliverableApproved | RiskRaised,
         at: datetime, actor: str, on_behalf_of: str | None = None) -> NewEvent:  # fmt: skip
    return NewEvent(
        data=data, occurred_at=at, metadata=Metadata(actor=actor, on_behalf_of=on_behalf_of)
    )


def cycle(c: int, first_id: int) -> list[Append]:
    """Five events naming people: a deliverable planned (two approvers, one endorser),
    endorsed, approved twice (every other time the second approval by a deputy on the
    approver's behalf), and a risk raised with an owner (every other description quoting the
    owner's name: free text that gets marked)."""
    first, second, endorser = (PEOPLE[(3 * c + k) % len(PEOPLE)] for k in range(3))
    manager = PEOPLE[(3 * c + 5) % len(PEOPLE)]
    deputy = PEOPLE[(3 * c + 7) % len(PEOPLE)]
    owner = PEOPLE[(7 * c + 1) % len(PEOPLE)]
    deliverable = UUID(int=first_id + 2 * c)
    risk = UUID(int=first_id + 2 * c + 1)
    at = OCCURRED + timedelta(minutes=5 * c)
    stream = f"deliverable:{deliverable}"
    by_deputy = c % 2 == 1
    approver = deputy if by_deputy else second
    on_behalf = second.email if by_deputy else None
    if c % 2:
        description = f"Supplier exit plan not agreed; {owner.name} to escalate to the SRO"
    else:
        description = "Legacy hosting contract ends before the new service is accredited"
    return [
        Append(
            stream,
            _new(
                DeliverablePlanned(
                    deliverable_id=deliverable,
                    programme_key=PROGRAMME,
                    title=f"Service transition plan, part {c}",
                    due_on=date(2026, 3, 31) + timedelta(days=c % 300),
                    approvers=(first, second),
                    endorsers=(endorser,),
                ),
                at,
                manager.email,
            ),
            0,
        ),
        Append(
            stream,
            _new(
                DeliverableEndorsed(
                    deliverable_id=deliverable,
                    programme_key=PROGRAMME,
                    round=1,
                    actor=endorser.email,
                ),
                at + timedelta(minutes=1),
                endorser.email,
            ),
            1,
        ),
        Append(
            stream,
            _new(
                DeliverableApproved(
                    deliverable_id=deliverable, programme_key=PROGRAMME, round=1, actor=first.email
                ),
                at + timedelta(minutes=2),
                first.email,
            ),
            2,
        ),
        Append(
            stream,
            _new(
                DeliverableApproved(
                    deliverable_id=deliverable,
                    programme_key=PROGRAMME,
                    round=1,
                    actor=approver.email,
                    on_behalf_of=on_behalf,
                ),
                at + timedelta(minutes=3),
                approver.email,
                on_behalf,
            ),
            3,
        ),
        Append(
            f"risk:{risk}",
            _new(
                RiskRaised(
                    item_id=risk,
                    programme_key=PROGRAMME,
                    ref=f"R{c:04d}",
                    kind="risk",
                    description=description,
                    owner=owner,
                    impact=3,
                    likelihood=2,
                    mitigation="Weekly call with the supplier until the plan is signed",
                ),
                at + timedelta(minutes=4),
                manager.email,
            ),
            0,
        ),
    ]


def workload(count: int, first_id: int) -> list[Append]:
    """``count`` appends, whole cycles first."""
    found: list[Append] = []
    c = 0
    while len(found) < count:
        found.extend(cycle(c, first_id))
        c += 1
    return found[:count]


def new_person_appends(count: int, first_id: int) -> list[Append]:
    """Risks each owned by someone never named before."""
    found = []
    for k in range(count):
        owner = PersonRef(email=f"new.person.{k}@supplier.example.com", name=f"Newcomer {k:02d}")
        item = UUID(int=first_id + k)
        found.append(
            Append(
                f"risk:{item}",
                _new(
                    RiskRaised(
                        item_id=item,
                        programme_key=PROGRAMME,
                        ref=f"N{k:04d}",
                        kind="issue",
                        description="Data migration rehearsal failed twice",
                        owner=owner,
                    ),
                    OCCURRED,
                    PEOPLE[k % len(PEOPLE)].email,
                ),
                0,
            )
        )
    return found


# --- measuring on a database -----------------------------------------------------------------


@dataclass
class Subject:
    """One store's timings."""

    append_seconds: list[float] = field(default_factory=list)
    append_cpu: float = 0.0
    new_person_seconds: list[float] = field(default_factory=list)
    read_stream_seconds: list[float] = field(default_factory=list)
    read_all_seconds: list[float] = field(default_factory=list)

    @property
    def append_total(self) -> float:
        return sum(self.append_seconds)

    @property
    def append_rate(self) -> float:
        return len(self.append_seconds) / self.append_total

    @property
    def append_cpu_us(self) -> float:
        return self.append_cpu / len(self.append_seconds) * 1e6


@dataclass
class Backend:
    name: str
    events: int
    raw: Subject = field(default_factory=Subject)
    sealed: Subject = field(default_factory=Subject)
    unchecked: Subject = field(default_factory=Subject)
    """The diagnostic subject: ``SealingStore`` without its per-call erasure check."""
    read_all_events: int = 0
    cold_first_read_ms: float = 0.0
    cold_later_read_ms: float = 0.0
    generation_ms: float = 0.0

    @property
    def append_ratio(self) -> float:
        return self.sealed.append_total / self.raw.append_total

    @property
    def read_stream_ratio(self) -> float:
        return statistics.median(self.sealed.read_stream_seconds) / statistics.median(
            self.raw.read_stream_seconds
        )

    @property
    def read_all_ratio(self) -> float:
        return statistics.median(self.sealed.read_all_seconds) / statistics.median(
            self.raw.read_all_seconds
        )


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _timed_append(store: EventStore, one: Append) -> float:
    started = time.perf_counter()
    await store.append(one.stream, [one.event], one.expected)
    return time.perf_counter() - started


async def _fill(store: EventStore, stream: str, events: Sequence[Append], batch: int) -> None:
    """Append ``events`` (their data) to one stream, ``batch`` at a time."""
    version = 0
    for start in range(0, len(events), batch):
        chunk = [a.event for a in events[start : start + batch]]
        result = await store.append(stream, chunk, version)
        version = result.last_version


async def _read_all(store: EventStore, page: int) -> int:
    after = 0
    total = 0
    while True:
        found = await store.read_all(after, page)
        if not found:
            return total
        total += len(found)
        after = found[-1].position


class UncheckedSealingStore(SealingStore):
    """Diagnostic only, never a valid configuration: the ``SealingStore`` without the erasure
    check it makes on every append (a ``Precondition`` read in the append's transaction) and
    read (``SealingStore._generation()``), to measure what that check costs in place."""

    async def _fresh(self, keys: KeyStore) -> None:
        """Reads: no erasure-count query before opening."""
        return None

    async def _guarded(self, events: Sequence[NewEvent], store: Any) -> Any:
        """Appends: no precondition on the erasure count in the append's transaction."""
        keys, sealed = await self._sealed(events)
        return await store(keys, sealed, None)


Subjects = list[tuple[EventStore, Subject]]


def _rotated(subjects: Subjects, turn: int) -> Subjects:
    """The subjects in turn ``turn``'s order: each goes first in its turn."""
    k = turn % len(subjects)
    return subjects[k:] + subjects[:k]


async def measure(backend: str, urls: Sequence[str], events: int) -> Backend:
    """Every database measurement of one backend; ``urls`` are three fresh, migrated databases
    (raw, sealed, sealed without the check)."""
    result = Backend(backend, events)
    raw_settings, sealed_settings, unchecked_settings = (
        Settings(database_url=url, people_key=PEOPLE_KEY) for url in urls
    )
    raw = open_raw_store(raw_settings)
    sealed = open_store(sealed_settings)
    assert isinstance(sealed, SealingStore)
    unchecked = UncheckedSealingStore(
        open_raw_store(unchecked_settings), create_engine(unchecked_settings), PEOPLE_KEY
    )
    subjects: Subjects = [
        (raw, result.raw),
        (sealed, result.sealed),
        (unchecked, result.unchecked),
    ]
    try:
        # Warm-up, untimed: pools opened, statements prepared, every person's key made.
        for one in workload(8 * 5, first_id=10_000_000):
            for store, _ in subjects:
                await store.append(one.stream, [one.event], one.expected)

        # 1. Append.
        appends = workload(events, first_id=0)
        for turn, start in enumerate(range(0, len(appends), ROUND)):
            chunk = appends[start : start + ROUND]
            for store, subject in _rotated(subjects, turn):
                cpu = time.process_time()
                for one in chunk:
                    subject.append_seconds.append(await _timed_append(store, one))
                subject.append_cpu += time.process_time() - cpu
        _log(
            f"  {backend}: append raw {result.raw.append_rate:,.0f} ev/s, sealed "
            f"{result.sealed.append_rate:,.0f} ev/s ({result.append_ratio:.2f}x time)"
        )
        for one in new_person_appends(NEW_PEOPLE, first_id=20_000_000):
            for store, subject in subjects:
                subject.new_person_seconds.append(await _timed_append(store, one))

        # 2. Read: one 500-event stream, and everything.
        read_events = workload(READ_STREAM_EVENTS, first_id=30_000_000)
        for store, _ in subjects:
            await _fill(store, READ_STREAM, read_events, 100)
        for repeat in range(READ_STREAM_REPEATS):
            for store, subject in _rotated(subjects, repeat):
                started = time.perf_counter()
                found = await store.read_stream(READ_STREAM)
                subject.read_stream_seconds.append(time.perf_counter() - started)
                if len(found) != READ_STREAM_EVENTS:
                    raise RuntimeError(f"read {len(found)} events of {READ_STREAM}")
        counts: set[int] = set()
        for repeat in range(READ_ALL_REPEATS):
            for store, subject in _rotated(subjects, repeat):
                started = time.perf_counter()
                counts.add(await _read_all(store, READ_ALL_PAGE))
                subject.read_all_seconds.append(time.perf_counter() - started)
        if len(counts) != 1:
            raise RuntimeError(f"read_all counts differ between the stores: {sorted(counts)}")
        result.read_all_events = counts.pop()
        _log(
            f"  {backend}: read_stream {result.read_stream_ratio:.2f}x, read_all "
            f"{result.read_all_ratio:.2f}x ({result.read_all_events:,} events)"
        )

        # The per-read erasure check alone.
        keys = await sealed.keys()
        timings = []
        for _ in range(GENERATION_CALLS):
            started = time.perf_counter()
            await sealed._generation(keys)
            timings.append(time.perf_counter() - started)
        result.generation_ms = statistics.median(timings) * 1000
    finally:
        await raw.close()
        await sealed.close()
        await unchecked.close()

    # A new process's first read: keys loaded, nothing opened yet.
    fresh = open_store(sealed_settings)
    try:
        started = time.perf_counter()
        await fresh.read_stream(READ_STREAM)
        result.cold_first_read_ms = (time.perf_counter() - started) * 1000
        later = []
        for _ in range(LATER_READS):
            started = time.perf_counter()
            await fresh.read_stream(READ_STREAM)
            later.append(time.perf_counter() - started)
        result.cold_later_read_ms = statistics.median(later) * 1000
    finally:
        await fresh.close()
    return result


async def run_sqlite(events: int) -> Backend:
    async with fresh_directory("people") as directory:
        urls = []
        for name in ("raw", "sealed", "unchecked"):
            url = f"sqlite+aiosqlite:///{directory / name}.db"
            await upgrade_async(url)
            urls.append(url)
        return await measure("sqlite", urls, events)


async def run_postgres(admin_dsn: str, events: int) -> Backend:
    async with (
        pg.fresh_database(admin_dsn, "people_raw") as raw_dsn,
        pg.fresh_database(admin_dsn, "people_sealed") as sealed_dsn,
        pg.fresh_database(admin_dsn, "people_unchecked") as unchecked_dsn,
    ):
        urls = [pg.sqlalchemy_url(dsn) for dsn in (raw_dsn, sealed_dsn, unchecked_dsn)]
        for url in urls:
            await upgrade_async(url)
        return await measure("postgres", urls, events)


# --- the codec alone -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileLine:
    function: str
    calls: str
    tottime_ms: float
    cumtime_ms: float
    share: float


@dataclass
class Codec:
    events: int
    seal_us: float = 0.0
    open_cold_us: float = 0.0
    open_warm_us: float = 0.0
    missing_us: float = 0.0
    ensure_us: float = 0.0
    decode_us: float = 0.0
    pseudonym_us: float = 0.0
    pseudonyms_per_seal: float = 0.0
    profiles: dict[str, list[ProfileLine]] = field(default_factory=dict)
    profiled_ms: dict[str, float] = field(default_factory=dict)


def keyring_for_people() -> Keyring:
    """A keyring holding the 20 people's keys and names, as ``KeyStore`` fills it."""
    keyring = Keyring(PeopleKey(PEOPLE_KEY))
    for ref in PEOPLE:
        pseudonym = keyring.pseudonym(ref.email)
        keyring.add(DataKey(pseudonym, new_data_key()), {ref.name, ref.email})
    return keyring


_metadata_decoder = msgspec.json.Decoder(Metadata)


def as_read(sealed: Sequence[NewEvent]) -> list[StoredEvent]:
    """The sealed events as a read gives them: decoded from their stored JSON, so every string
    is a new object, as it is on a real read."""
    found = []
    for position, new in enumerate(sealed, start=1):
        data = new.data
        name = type(data).__name__
        found.append(
            StoredEvent(
                position=position,
                stream_id="deliverable:x",
                version=position,
                event_id=new.event_id,
                type=name,
                schema_version=type(data).schema_version,
                data=registry.decode(name, type(data).schema_version, msgspec.json.encode(data)),
                metadata=_metadata_decoder.decode(msgspec.json.encode(new.metadata)),
                occurred_at=new.occurred_at,
                recorded_at=new.occurred_at,
                hash="",
            )
        )
    return found


def _per_event_us(run: Callable[[], object], events: int) -> float:
    timings = []
    for _ in range(CODEC_PASSES):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) / events * 1e6


def _per_pass_us(
    run: Callable[[list[StoredEvent]], object],
    make: Callable[[], list[StoredEvent]],
    events: int,
) -> float:
    """Like ``_per_event_us``, each pass on a new input (made untimed)."""
    timings = []
    for _ in range(CODEC_PASSES):
        given = make()
        started = time.perf_counter()
        run(given)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) / events * 1e6


def _short(where: str) -> str:
    for root in (str(REPO_ROOT), sysconfig.get_paths()["stdlib"]):
        if where.startswith(root + os.sep):
            return where[len(root) + 1 :]
    if "site-packages" + os.sep in where:
        return where.split("site-packages" + os.sep, 1)[1]
    return where


def _profile(run: Callable[[], object]) -> tuple[list[ProfileLine], float, dict[str, int]]:
    """The top functions by own time, the total (ms), and the calls of each function of
    ``tracker/people/crypto.py`` by name."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = Stats(profiler).get_stats_profile()
    total = stats.total_tt
    lines = []
    crypto_calls: dict[str, int] = {}
    for name, f in stats.func_profiles.items():
        if f.file_name.endswith(os.path.join("people", "crypto.py")):
            crypto_calls[name] = int(f.ncalls.split("/")[0])
        where = (
            f"{_short(f.file_name)}:{f.line_number}({name})"
            if f.file_name and f.line_number
            else name
        )
        lines.append(
            ProfileLine(where, f.ncalls, f.tottime * 1000, f.cumtime * 1000, f.tottime / total)
        )
    lines.sort(key=lambda line: line.tottime_ms, reverse=True)
    return lines[:PROFILE_TOP], total * 1000, crypto_calls


def measure_codec(events: int) -> Codec:
    keyring = keyring_for_people()
    news = [a.event for a in workload(events, first_id=0)]
    codec = Codec(events)

    codec.seal_us = _per_event_us(lambda: [keyring.seal_event(n) for n in news], events)
    sealed = [keyring.seal_event(n) for n in news]
    opened_cache = keyring._opened  # the opened-value cache, emptied for the cold figure

    def fresh() -> list[StoredEvent]:
        """The sealed events as a new read gives them: new strings, their hashes not yet
        computed (reusing one list would make every later pass's cache look-ups cheaper)."""
        return as_read(sealed)

    def open_cold(stored: list[StoredEvent]) -> None:
        for one in stored:
            opened_cache.clear()
            keyring.open_event(one)

    def open_warm(stored: list[StoredEvent]) -> None:
        for one in stored:
            keyring.open_event(one)

    codec.open_cold_us = _per_pass_us(open_cold, fresh, events)
    open_warm(fresh())
    codec.open_warm_us = _per_pass_us(open_warm, fresh, events)
    codec.missing_us = _per_pass_us(keyring.missing, fresh, events)

    def ensure_part() -> None:
        for new in news:
            for identity in identities_of(new.data, new.metadata):
                keyring.pseudonym(identity)

    codec.ensure_us = _per_event_us(ensure_part, events)
    addresses = [ref.email for ref in PEOPLE] * (events // len(PEOPLE))
    remembered = keyring.people_key._named

    def first_calls() -> None:
        for address in addresses:
            remembered.clear()  # each call as the first for its identity
            keyring.pseudonym(address)

    codec.pseudonym_us = _per_event_us(first_calls, len(addresses))
    encoded = [(type(n.data).__name__, msgspec.json.encode(n.data)) for n in sealed]
    codec.decode_us = _per_event_us(
        lambda: [registry.decode(name, 1, data) for name, data in encoded], events
    )
    # Checked: opening gives back the events as written.
    for one, new in zip(fresh(), news, strict=True):
        back = keyring.open_event(one)
        if back.data != new.data or back.metadata != new.metadata:
            raise RuntimeError(f"open_event(seal_event(e)) != e for {new.data!r}")

    for label, run in (
        ("open_event, cache warm", open_warm),
        ("open_event, cache cold", open_cold),
    ):
        codec.profiles[label], codec.profiled_ms[label], _ = _profile(partial(run, fresh()))
    label = "seal_event"
    codec.profiles[label], codec.profiled_ms[label], calls = _profile(
        lambda: [keyring.seal_event(n) for n in news]
    )
    codec.pseudonyms_per_seal = calls.get("pseudonym", 0) / events
    return codec


# --- the report ------------------------------------------------------------------------------


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def results_rows(backends: Sequence[Backend], codec: Codec | None) -> list[list[str]]:
    """database, measure, raw, sealed, sealed/raw, goal, result, sealed with the check
    skipped."""
    rows = []
    for b in backends:
        r, s, u = b.raw, b.sealed, b.unchecked
        mean_r, mean_s, mean_u = (_mean(x.append_seconds) for x in (r, s, u))
        rows.append(
            [
                b.name,
                f"append, 1 event per append ({b.events:,} appends): events/s; mean time",
                f"{r.append_rate:,.0f} ev/s; {_ms(mean_r)}",
                f"{s.append_rate:,.0f} ev/s; {_ms(mean_s)}",
                f"{b.append_ratio:.2f}x time",
                f"≤ {APPEND_GOAL:g}x",
                _verdict(b.append_ratio <= APPEND_GOAL),
                f"{u.append_rate:,.0f} ev/s; {_ms(mean_u)}; {u.append_total / r.append_total:.2f}x",
            ]
        )
        rows.append(
            [
                b.name,
                "append: median time; client CPU per event (this process, all threads)",
                f"{_ms(_median(r.append_seconds))}; {r.append_cpu_us:,.0f} us",
                f"{_ms(_median(s.append_seconds))}; {s.append_cpu_us:,.0f} us",
                f"{_median(s.append_seconds) / _median(r.append_seconds):.2f}x; "
                f"{s.append_cpu_us / r.append_cpu_us:.2f}x",
                "—",
                "",
                f"{_ms(_median(u.append_seconds))}; {u.append_cpu_us:,.0f} us; "
                f"{_median(u.append_seconds) / _median(r.append_seconds):.2f}x; "
                f"{u.append_cpu_us / r.append_cpu_us:.2f}x",
            ]
        )
        codec_append = (
            ""
            if codec is None
            else ", of which the codec alone "
            + _ms((codec.ensure_us + codec.seal_us + codec.open_warm_us) / 1e6)
            + " (ensure's pseudonyms, `seal_event`, `open_event` warm)"
        )
        rows.append(
            [
                b.name,
                "append: the sealed store's extra time per append (mean), split",
                "—",
                f"+{_ms(mean_s - mean_r)}",
                "",
                "—",
                "",
                f"the check {_ms(mean_s - mean_u)} (sealed minus skipped); the rest "
                f"{_ms(mean_u - mean_r)}{codec_append}",
            ]
        )
        new_r, new_s, new_u = (_median(x.new_person_seconds) for x in (r, s, u))
        rows.append(
            [
                b.name,
                f"append naming someone new (a key made; {NEW_PEOPLE} appends, median)",
                _ms(new_r),
                _ms(new_s),
                f"{new_s / new_r:.2f}x",
                "—",
                "",
                f"{_ms(new_u)}; {new_u / new_r:.2f}x",
            ]
        )
        rs, ss, us = (_median(x.read_stream_seconds) for x in (r, s, u))
        rows.append(
            [
                b.name,
                f"read_stream, {READ_STREAM_EVENTS} events ({READ_STREAM_REPEATS} reads, median): "
                "per read; per event",
                f"{_ms(rs)}; {rs / READ_STREAM_EVENTS * 1e6:.1f} us",
                f"{_ms(ss)}; {ss / READ_STREAM_EVENTS * 1e6:.1f} us",
                f"{b.read_stream_ratio:.2f}x",
                f"≤ {READ_STREAM_GOAL:g}x",
                _verdict(b.read_stream_ratio <= READ_STREAM_GOAL),
                f"{_ms(us)}; {us / READ_STREAM_EVENTS * 1e6:.1f} us; {us / rs:.2f}x",
            ]
        )
        codec_read = (
            ""
            if codec is None
            else ", of which the codec alone "
            + _ms(READ_STREAM_EVENTS * codec.open_warm_us / 1e6)
            + f" ({READ_STREAM_EVENTS} x `open_event` warm)"
        )
        rows.append(
            [
                b.name,
                "read_stream: the sealed store's extra time per read (median), split",
                "—",
                f"+{_ms(ss - rs)}",
                "",
                "—",
                "",
                f"the check {_ms(ss - us)}; the rest {_ms(us - rs)}{codec_read}",
            ]
        )
        rows.append(
            [
                b.name,
                "read_stream, the same in a new store: first read (its connections opened, keys "
                f"loaded, nothing opened yet); the {LATER_READS} reads after it (median)",
                "—",
                f"{b.cold_first_read_ms:.2f} ms; {b.cold_later_read_ms:.2f} ms",
                f"{b.cold_first_read_ms / (rs * 1000):.2f}x; "
                f"{b.cold_later_read_ms / (rs * 1000):.2f}x",
                "—",
                "",
                "—",
            ]
        )
        ra, sa, ua = (_median(x.read_all_seconds) for x in (r, s, u))
        rows.append(
            [
                b.name,
                f"read_all, {b.read_all_events:,} events in pages of {READ_ALL_PAGE} "
                f"({READ_ALL_REPEATS} passes, median): per pass; per event",
                f"{_ms(ra)}; {ra / b.read_all_events * 1e6:.1f} us",
                f"{_ms(sa)}; {sa / b.read_all_events * 1e6:.1f} us",
                f"{b.read_all_ratio:.2f}x",
                "—",
                "",
                f"{_ms(ua)}; {ua / b.read_all_events * 1e6:.1f} us; {ua / ra:.2f}x",
            ]
        )
        rows.append(
            [
                b.name,
                "`SealingStore._generation()` alone, the erasure check each sealed append and read "
                f"makes (median of {GENERATION_CALLS} calls)",
                "—",
                f"{b.generation_ms:.2f} ms",
                "",
                "—",
                "",
                "—",
            ]
        )
    return rows


def codec_rows(codec: Codec) -> list[list[str]]:
    """measure, us per event, goal, result."""
    return [
        ["`Keyring.seal_event`", f"{codec.seal_us:.1f}", "—", ""],
        [
            "`Keyring.open_event`, opened-value cache cold (emptied before each event)",
            f"{codec.open_cold_us:.1f}",
            "—",
            "",
        ],
        [
            "`Keyring.open_event`, opened-value cache warm",
            f"{codec.open_warm_us:.1f}",
            f"≤ {OPEN_WARM_GOAL_US:g} us",
            _verdict(codec.open_warm_us <= OPEN_WARM_GOAL_US),
        ],
        [
            "`Keyring.missing` (the scan for unloaded keys, made only when a key is missing)",
            f"{codec.missing_us:.1f}",
            "—",
            "",
        ],
        [
            "`identities_of` + a pseudonym for each identity (what `KeyStore.ensure` computes "
            "on every append when every key is known)",
            f"{codec.ensure_us:.1f}",
            "—",
            "",
        ],
        [
            "`PeopleKey.pseudonym`, the first call for an identity (HMAC + base32; later "
            f"calls are remembered): {codec.pseudonyms_per_seal:.1f} computed per `seal_event`",
            f"{codec.pseudonym_us:.1f} per call",
            "—",
            "",
        ],
        [
            "for scale: decoding the event's JSON (`registry.decode`)",
            f"{codec.decode_us:.1f}",
            "—",
            "",
        ],
    ]


def goal_lines(backends: Sequence[Backend], codec: Codec | None) -> list[str]:
    lines = []
    for b in backends:
        lines.append(
            f"{_verdict(b.append_ratio <= APPEND_GOAL)}: {b.name}, sealed append = "
            f"{b.append_ratio:.2f}x raw time (goal ≤ {APPEND_GOAL:g}x)"
        )
        lines.append(
            f"{_verdict(b.read_stream_ratio <= READ_STREAM_GOAL)}: {b.name}, sealed read_stream "
            f"= {b.read_stream_ratio:.2f}x raw time (goal ≤ {READ_STREAM_GOAL:g}x)"
        )
    if codec is not None:
        lines.append(
            f"{_verdict(codec.open_warm_us <= OPEN_WARM_GOAL_US)}: open_event, cache warm = "
            f"{codec.open_warm_us:.1f} us/event (goal ≤ {OPEN_WARM_GOAL_US:g} us)"
        )
    return lines


def markdown_table(header: Sequence[str], align: Sequence[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(align) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def text_table(header: Sequence[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    rule = "  ".join("-" * w for w in widths)
    return [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        rule,
        *("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows),
    ]


RESULTS_HEADER: Final = (
    "database",
    "measure",
    "raw",
    "sealed",
    "sealed/raw",
    "goal",
    "result",
    "sealed, check skipped (diagnostic); /raw",
)
RESULTS_ALIGN: Final = ("---", "---", "--:", "--:", "--:", "---", "---", "---")
CODEC_HEADER: Final = ("codec, no database", "us per event", "goal", "result")
CODEC_ALIGN: Final = ("---", "--:", "---", "---")
PROFILE_HEADER: Final = ("function", "calls", "tottime ms", "share", "cumtime ms")
PROFILE_ALIGN: Final = ("---", "--:", "--:", "--:", "--:")


def profile_rows(lines: list[ProfileLine]) -> list[list[str]]:
    return [
        [
            f"`{line.function}`",
            line.calls,
            f"{line.tottime_ms:.1f}",
            f"{line.share:.0%}",
            f"{line.cumtime_ms:.1f}",
        ]
        for line in lines
    ]


async def machine_lines(args: argparse.Namespace) -> list[str]:
    lines = [
        f"os.cpu_count() = {os.cpu_count()} (usable by this process: "
        f"{len(os.sched_getaffinity(0))}), {_cpu_model()}, {platform.system()} "
        f"{platform.release()}",
        f"Python {platform.python_version()}; "
        + ", ".join(
            f"{name} {_version(name)}"
            for name in ("cryptography", "msgspec", "asyncpg", "aiosqlite", "SQLAlchemy")
        ),
    ]
    if args.only != "sqlite":
        facts = await pg.server_facts(args.postgres)
        lines.append(
            f"PostgreSQL {facts['version']} on the same machine (127.0.0.1): synchronous_commit="
            f"{facts['synchronous_commit']}, fsync={facts['fsync']}"
        )
    if args.only != "postgres":
        lines.append(f"SQLite {sqlite3.sqlite_version}, a file in a temporary directory")
    lines.append(_code_version())
    return lines


def _code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "tracker"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "Code: not a git checkout"
    state = "with uncommitted changes under tracker/" if changed else "clean"
    return f"Code: commit {head}, {state}"


def method_lines(args: argparse.Namespace) -> list[str]:
    return [
        "**raw**: `tracker.events.open.open_raw_store` (the store alone: the reference); "
        "**sealed**: `open_store`, the `SealingStore` around the same kind of store, with "
        "`TRACKER_PEOPLE_KEY` set; **sealed, check skipped** (a diagnostic, not a valid "
        "configuration): a `SealingStore` subclass, defined in the benchmark, that makes no "
        "erasure-count check: none before a read (`_fresh`), and no precondition in an "
        "append's transaction (`_guarded`). The difference to **sealed** is what that check "
        "costs in place. Each on its own "
        "fresh database migrated by `tracker.migrations` (PostgreSQL: three new databases; "
        "SQLite: three files), all open at once and driven in turns of "
        f"{ROUND} appends (or one read each), who goes first rotating.",
        f"Append: {args.events:,} single-event appends with the exact expected version, in "
        "cycles of five events naming people: `DeliverablePlanned` (two approvers and one "
        "endorser, `PersonRef`s), `DeliverableEndorsed`, two `DeliverableApproved` (every other "
        "second approval by a deputy with `on_behalf_of`), `RiskRaised` with an owner (every "
        "other description quotes the owner's name: marked free text); every event has "
        f"`Metadata(actor=...)`. {len(PEOPLE)} people, whose keys were made by 40 untimed "
        "warm-up appends. Events/s over the summed append times (the ratio is of those "
        "sums); client CPU is "
        "`time.process_time()` of this process (SQLite's work included, PostgreSQL's not). "
        f"Then {NEW_PEOPLE} appends each naming someone new (the sealed store makes a key).",
        f"Read: a stream of {READ_STREAM_EVENTS} events of the same mix (appended 100 at a "
        f"time), read whole with `read_stream` {READ_STREAM_REPEATS} times; `read_all` over "
        f"everything stored (warm-up, timed appends, new people, the stream) in pages of "
        f"{READ_ALL_PAGE}, {READ_ALL_REPEATS} passes. The sealed store's opened-value cache is "
        "warm (the appends opened the same sealed texts); the cold case is a new `open_store` on "
        "the sealed database, whose first read loads every key.",
        f"Codec: {CODEC_EVENTS:,} events of the same mix, sealed by a `Keyring` holding the "
        f"{len(PEOPLE)} keys, then decoded from their JSON (new string objects, as a read gives "
        "them) and opened; median of "
        f"{CODEC_PASSES} passes. Cold: the keyring's opened-value cache emptied before each "
        "event, so every sealed value is decrypted; warm: every value found in the cache. "
        "Profiles: cProfile of one pass, top functions by own time (cProfile's overhead "
        "inflates the times; the shares are what count).",
        f"Goals (issue 18): sealed append ≤ {APPEND_GOAL:g}x the raw store's time; sealed "
        f"read_stream ≤ {READ_STREAM_GOAL:g}x; `open_event` ≤ {OPEN_WARM_GOAL_US:g} us per "
        "event with the cache warm.",
    ]


def section(
    *,
    command: str,
    date_text: str,
    machine: list[str],
    method: list[str],
    backends: Sequence[Backend],
    codec: Codec | None,
) -> str:
    out = [
        START_MARKER,
        "## Sealing people's data: the cost of `SealingStore` (issue 18; generated)",
        "",
        f"Written by `{command}` on {date_text}. Everything between the `people-benchmark` "
        "markers is replaced by the next run; keep notes outside them.",
        "",
        "### Machine",
        "",
        *(f"- {line}" for line in machine),
        "",
        "### Method",
        "",
        *(f"- {line}" for line in method),
        "",
    ]
    if backends:
        out += [
            "### On the databases",
            "",
            *markdown_table(RESULTS_HEADER, RESULTS_ALIGN, results_rows(backends, codec)),
            "",
        ]
    if codec is not None:
        out += [
            f"### The codec alone ({codec.events:,} events)",
            "",
            *markdown_table(CODEC_HEADER, CODEC_ALIGN, codec_rows(codec)),
            "",
        ]
    out += ["### Goals", "", *(f"- {line}" for line in goal_lines(backends, codec)), ""]
    if codec is not None:
        out += ["### Where the CPU goes", ""]
        for label, lines in codec.profiles.items():
            out += [
                f"`{label}`, {codec.events:,} events: {codec.profiled_ms[label]:,.0f} ms under "
                "cProfile, top functions by own time:",
                "",
                *markdown_table(PROFILE_HEADER, PROFILE_ALIGN, profile_rows(lines)),
                "",
            ]
    out.append(END_MARKER)
    return "\n".join(out) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the section between the markers, or add it at the end."""
    current = path.read_text() if path.exists() else "# Performance\n"
    start = current.find(START_MARKER)
    end = current.find(END_MARKER)
    if start != -1 and end > start:
        updated = current[:start] + text.rstrip("\n") + current[end + len(END_MARKER) :]
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    if not updated.endswith("\n"):
        updated += "\n"
    path.write_text(updated)


# --- the command -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.people",
        description="What sealing people's data costs: the raw store against the SealingStore.",
    )
    parser.add_argument("--only", choices=BACKENDS, help="one database only")
    parser.add_argument(
        "--events",
        type=int,
        default=DEFAULT_EVENTS,
        help=f"single-event appends per store (default {DEFAULT_EVENTS:,})",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TRACKER_BENCH_POSTGRES")
        or os.environ.get("TRACKER_TEST_POSTGRES")
        or pg.DEFAULT_ADMIN_DSN,
        help="an admin DSN of the PostgreSQL server: two databases are created and dropped",
    )
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the file to update")
    parser.add_argument("--no-write", action="store_true", help="print only, write no docs")
    args = parser.parse_args(argv)
    if args.events < ROUND:
        parser.error(f"--events must be at least {ROUND}")
    return args


def _command(argv: list[str] | None) -> str:
    words = sys.argv[1:] if argv is None else argv
    return " ".join(["python -m benchmarks.people", *map(shlex.quote, words)])


async def run(args: argparse.Namespace, command: str) -> int:
    started = time.perf_counter()
    date_text = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_at_start = _load()
    machine = await machine_lines(args)
    _log("Machine: " + " | ".join(machine))
    backends: list[Backend] = []
    for name in [args.only] if args.only else list(BACKENDS):
        _log(f"{name}:")
        if name == "sqlite":
            backends.append(await run_sqlite(args.events))
        else:
            backends.append(await run_postgres(args.postgres, args.events))
    _log(f"codec: {CODEC_EVENTS:,} events")
    codec = measure_codec(CODEC_EVENTS)
    elapsed = time.perf_counter() - started
    machine.append(
        f"Load average (1/5/15 min) at the start {load_at_start}, at the end {_load()}: the "
        f"machine is shared, so compare figures within one run. The run took {elapsed:,.0f} s."
    )
    print()
    print("\n".join(text_table(RESULTS_HEADER, results_rows(backends, codec))))
    print()
    print("\n".join(text_table(CODEC_HEADER, codec_rows(codec))))
    print()
    print("\n".join(goal_lines(backends, codec)))
    for label, lines in codec.profiles.items():
        print()
        print(f"{label}: {codec.profiled_ms[label]:,.0f} ms under cProfile, top by own time")
        print("\n".join(text_table(PROFILE_HEADER, profile_rows(lines))))
    if not args.no_write:
        text = section(
            command=command,
            date_text=date_text,
            machine=machine,
            method=method_lines(args),
            backends=backends,
            codec=codec,
        )
        write_section(args.docs, text)
        _log(f"wrote {args.docs}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return asyncio.run(run(args, _command(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
