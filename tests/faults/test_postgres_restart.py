"""PostgreSQL restarted (``pg_ctl stop -m immediate``, then start) under a steady mixed load.

A private cluster (tests/faults/cluster.py: the shared server is never restarted), one
``tracker serve --no-projector`` and one ``tracker projector``. The test runs writers (each
creating deliverables, milestones and risks with unique titles, every write with its own
Idempotency-Key, retried with that key after a 503 or a lost answer, as a client should) and
readers (the programme list, closure reports) for ``LOAD_SECONDS``; ``RESTART_AFTER`` seconds in,
the server is stopped in immediate mode (every backend killed, crash recovery on the next start),
kept down ``DOWN_SECONDS`` and started again.

Pass criteria:
- no request hangs: every one answers within the client timeout;
- every answer is a 2xx or a 503 ``application/problem+json``;
- the service recovers: the first 2xx write and read within ``RECOVERY_LIMIT`` s of the server
  being back, and no 503 to a request started later than that;
- every write answered 2xx is stored exactly once, at the position it was answered with; no
  write is stored twice, whatever its answers; ``tracker verify`` passes;
- the projector logs the database failure, recovers without being restarted, reaches the head,
  and its read model equals a fresh rebuild.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import msgspec
import pytest

from tests.api.builders import BTLS_ROSTER, SPONSOR, name_of
from tests.databases import plain_keys
from tests.faults.cluster import Cluster, Restart, private_cluster
from tests.faults.processes import (
    Process,
    issue_admin_token,
    processes,
    run_tracker,
    tracker_env,
)
from tests.faults.read_model import checkpoint, compare_with_a_fresh_rebuild, head
from tracker.events.open import open_store
from tracker.migrations import upgrade_async
from tracker.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.postgres]

ADMIN = "ops@lancashire.gov.uk"
DATABASE = "tracker"
PROGRAMMES = ("restart-north", "restart-south", "restart-east")
WRITERS = 6
READERS = 3
LOAD_SECONDS = 20.0
RESTART_AFTER = 5.0
LOAD_AFTER_BACK = 8.0
"""The load goes on at least this long after the server is back, however long it was down."""
DOWN_SECONDS = 2.0
"""How long the server stays stopped: long enough that requests meet a server that is gone,
not only connections that died."""
CLIENT_TIMEOUT = 10.0
RECOVERY_LIMIT = 10.0
RETRY_PAUSE = 0.25
WRITE_DEADLINE = 30.0
"""How long one write may keep being retried before the test gives up on it."""
PROBLEM_JSON = "application/problem+json"

CREATED_BY: dict[str, tuple[str, frozenset[str]]] = {
    "deliverable": ("DeliverablePlanned", frozenset({"DeliverableListed", "DeliverablePlanned"})),
    "milestone": ("MilestoneBaselined", frozenset({"MilestoneListed", "MilestoneBaselined"})),
    "risk": ("RiskRaised", frozenset({"RaidRefReserved", "RiskRaised"})),
}
"""Per kind of write: the event holding its title, and the event types one such command may
store (the programme's index entry and the item's first event)."""


@dataclass
class Attempt:
    """One HTTP request and what became of it."""

    kind: str
    started: float
    ended: float
    status: int | None = None
    content_type: str = ""
    failure: str | None = None
    """No answer: ``timeout`` or the transport error."""
    body: str = ""


@dataclass
class Write:
    """One logical write: a unique title and Idempotency-Key, tried until answered."""

    kind: str
    programme: str
    title: str
    key: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def acknowledged(self) -> Attempt | None:
        return next((a for a in self.attempts if a.status is not None and a.status < 300), None)


@dataclass
class Load:
    writes: list[Write] = field(default_factory=list)
    reads: list[Attempt] = field(default_factory=list)

    def attempts(self) -> list[Attempt]:
        return [a for w in self.writes for a in w.attempts] + self.reads


@dataclass(frozen=True)
class StoredEvent:
    position: int
    type: str
    stream_id: str
    key: str | None
    data: bytes


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with private_cluster(tmp_path) as built:
        yield built


@pytest.fixture
async def database(cluster: Cluster) -> AsyncIterator[str]:
    admin = await asyncpg.connect(cluster.admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    url = cluster.url(DATABASE)
    await upgrade_async(url)
    yield url


def write_body(kind: str, title: str) -> dict[str, object]:
    if kind == "deliverable":
        return {"title": title, "due": "2021-03-01", "approvers": [SPONSOR]}
    if kind == "milestone":
        return {"title": title, "baseline": "2021-03"}
    return {
        "kind": "risk",
        "title": title,
        "description": "raised under load",
        "likelihood": 2,
        "impact": 3,
        "owner": SPONSOR,
    }


async def request(
    client: httpx.AsyncClient, kind: str, method: str, path: str, **kwargs: object
) -> Attempt:
    started = time.monotonic()
    try:
        answer = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.TimeoutException as exc:
        return Attempt(kind, started, time.monotonic(), failure=f"timeout: {exc!r}")
    except httpx.TransportError as exc:
        return Attempt(kind, started, time.monotonic(), failure=f"transport: {exc!r}")
    return Attempt(
        kind,
        started,
        time.monotonic(),
        status=answer.status_code,
        content_type=answer.headers.get("content-type", ""),
        body=answer.text[:500],
    )


async def writer(
    client: httpx.AsyncClient, number: int, load: Load, admin: dict[str, str], stop: asyncio.Event
) -> None:
    kinds = tuple(CREATED_BY)
    i = 0
    while not stop.is_set():
        kind = kinds[(number + i) % len(kinds)]
        programme = PROGRAMMES[(number + i) % len(PROGRAMMES)]
        marker = uuid.uuid4().hex
        write = Write(kind, programme, f"{kind} w{number}-{i} {marker}", f"restart-{marker}")
        load.writes.append(write)
        body = write_body(kind, write.title)
        headers = {**admin, "Idempotency-Key": write.key}
        give_up = time.monotonic() + WRITE_DEADLINE
        while True:
            attempt = await request(
                client,
                kind,
                "POST",
                f"/api/v1/programmes/{programme}/{kind}s",
                json=body,
                headers=headers,
            )
            write.attempts.append(attempt)
            retry = attempt.status is None or attempt.status == 503
            if not retry or time.monotonic() > give_up:
                break
            await asyncio.sleep(RETRY_PAUSE)  # a client's back-off, not a wait for anything
        i += 1


async def reader(
    client: httpx.AsyncClient, number: int, load: Load, admin: dict[str, str], stop: asyncio.Event
) -> None:
    i = 0
    while not stop.is_set():
        if (number + i) % 2 == 0:
            attempt = await request(client, "read", "GET", "/api/v1/programmes", headers=admin)
        else:
            programme = PROGRAMMES[(number + i) % len(PROGRAMMES)]
            attempt = await request(
                client,
                "read",
                "GET",
                f"/api/v1/programmes/{programme}/closure-report",
                headers=admin,
            )
        load.reads.append(attempt)
        i += 1
        await asyncio.sleep(0.02)


async def given_the_programmes(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for key in PROGRAMMES:
        body = {"key": key, "name": key.title(), "start": "2020-01-06", "planned_end": "2021-06-30"}
        answer = await client.post("/api/v1/programmes", json=body, headers=admin)
        assert answer.status_code == 201, answer.text
        for email, letter in BTLS_ROSTER.items():
            member = {"name": name_of(email), "title": f"{letter} role", "raci": letter}
            answer = await client.put(
                f"/api/v1/programmes/{key}/roster/{email}", json=member, headers=admin
            )
            assert answer.status_code == 201, answer.text


async def stored_events(url: str) -> list[StoredEvent]:
    plain = await plain_keys(url, [ADMIN])
    store = open_store(Settings(database_url=url))
    found: list[StoredEvent] = []
    try:
        after = 0
        while page := await store.read_raw(after, 2000):
            for raw in page:
                key = plain(msgspec.json.decode(bytes(raw.metadata)).get("idempotency_key"))
                found.append(
                    StoredEvent(
                        position=raw.position,
                        type=raw.type,
                        stream_id=raw.stream_id,
                        key=key if isinstance(key, str) else None,
                        data=bytes(raw.data),
                    )
                )
            after = page[-1].position
    finally:
        await store.close()
    return found


def check_writes(load: Load, events: list[StoredEvent]) -> Counter[str]:
    """Every acknowledged write stored exactly once where it was answered; none twice."""
    by_key: dict[str, list[StoredEvent]] = {}
    for event in events:
        if event.key is not None:
            by_key.setdefault(event.key, []).append(event)
    outcome: Counter[str] = Counter()
    for write in load.writes:
        title_event, allowed = CREATED_BY[write.kind]
        marker = write.title.rsplit(" ", 1)[1].encode()
        titled = [e for e in events if e.type == title_event and marker in e.data]
        keyed = by_key.get(f"api:{ADMIN}:{write.key}", [])
        types = [e.type for e in keyed]
        assert len(titled) <= 1, f"{write.title} stored {len(titled)} times: {write.attempts}"
        assert len(types) == len(set(types)) and set(types) <= allowed, (
            f"{write.title}: key {write.key} holds {types}: a doubled or foreign command"
        )
        acknowledged = write.acknowledged
        if acknowledged is None:
            assert not keyed or set(types) == allowed, f"{write.title}: partly stored: {types}"
            outcome["unacknowledged, stored" if keyed else "unacknowledged, absent"] += 1
            continue
        assert set(types) == allowed and len(titled) == 1, (
            f"{write.title} was answered {acknowledged.status} but the store holds {types}"
        )
        answered = msgspec.json.decode(acknowledged.body)
        positions = {e.position for e in keyed}
        assert answered["position"] in positions, (
            f"{write.title}: answered position {answered['position']}, stored at {positions}"
        )
        assert titled[0].stream_id == answered["stream_id"], (write.title, answered)
        outcome["acknowledged, stored once"] += 1
    return outcome


@dataclass
class Checkpoints:
    """The projector's checkpoint, sampled from the moment the server is back."""

    samples: list[tuple[float, int]] = field(default_factory=list)

    def reached(self, position: int) -> float | None:
        """When the checkpoint first reached ``position``."""
        return next((at for at, p in self.samples if p >= position), None)


async def sample_checkpoints(dsn: str, checkpoints: Checkpoints, stop: asyncio.Event) -> None:
    conn: asyncpg.Connection | None = None
    try:
        while not stop.is_set():
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(dsn, timeout=2)
                position = await conn.fetchval(
                    "SELECT position FROM projection_checkpoints WHERE name = 'read_model'",
                    timeout=2,
                )
                checkpoints.samples.append((time.monotonic(), int(position or 0)))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                conn = None
            await asyncio.sleep(0.1)  # the sampling interval
    finally:
        if conn is not None and not conn.is_closed():
            await conn.close()


async def until_caught_up(url: str, seconds: float) -> tuple[int, float]:
    """Wait for the projector's checkpoint to reach the head; (head, seconds it took)."""
    started = time.monotonic()
    target, _ = await head(url)
    while (await checkpoint(url))[0] < target:
        assert time.monotonic() - started < seconds, (
            f"the projector's checkpoint did not reach the head {target} within {seconds} s"
        )
        await asyncio.sleep(0.1)
    return target, time.monotonic() - started


async def test_a_postgres_restart_under_load_answers_503_recovers_and_loses_nothing(
    cluster: Cluster, database: str, tmp_path: Path
) -> None:
    env = tracker_env(
        database,
        TRACKER_LOG_LEVEL="INFO",
        TRACKER_API_WRITES_PER_MINUTE="1000000",
    )
    admin = {"Authorization": f"Bearer {issue_admin_token(env, ADMIN)}"}
    load = Load()
    with processes(tmp_path) as group:
        api, base = group.serve("api", env)
        projector: Process = group.start("projector", ["projector"], env)
        limits = httpx.Limits(max_connections=WRITERS + READERS + 4)
        async with httpx.AsyncClient(
            base_url=base, timeout=CLIENT_TIMEOUT, limits=limits
        ) as client:
            await given_the_programmes(client, admin)
            began = time.monotonic()
            stop = asyncio.Event()
            tasks = [
                *(
                    asyncio.create_task(writer(client, n, load, admin, stop))
                    for n in range(WRITERS)
                ),
                *(
                    asyncio.create_task(reader(client, n, load, admin, stop))
                    for n in range(READERS)
                ),
            ]
            await asyncio.sleep(RESTART_AFTER)  # the steady load before the fault
            restart: Restart = await asyncio.to_thread(cluster.restart_immediately, DOWN_SECONDS)
            checkpoints = Checkpoints()
            sampling = asyncio.create_task(
                sample_checkpoints(cluster.dsn(DATABASE), checkpoints, stop)
            )
            end = max(began + LOAD_SECONDS, restart.back_at + LOAD_AFTER_BACK)
            await asyncio.sleep(end - time.monotonic())  # the rest of the load
            stop.set()
            await asyncio.gather(*tasks, sampling)
            load_seconds = time.monotonic() - began
        assert api.running, f"the API process died:\n{api.text()}"
        caught_head, catch_up_seconds = await until_caught_up(database, 60)
        assert projector.running, f"the projector died:\n{projector.text()}"
        assert projector.stop(timeout=20) == 0, projector.text()
    attempts = load.attempts()
    no_answer = [a for a in attempts if a.status is None]
    ok = [a for a in attempts if a.status is not None and a.status < 300]
    unavailable = [a for a in attempts if a.status == 503]
    others = [a for a in attempts if a.status is not None and a.status >= 300 and a.status != 503]
    writes_ok = sorted(a.ended for a in ok if a.kind != "read" and a.started >= restart.back_at)
    reads_ok = sorted(a.ended for a in ok if a.kind == "read" and a.started >= restart.back_at)
    first_write = writes_ok[0] - restart.back_at if writes_ok else None
    after_back = [w for w in load.writes if (a := w.acknowledged) and a.started >= restart.back_at]
    first_position = min(
        (
            int(msgspec.json.decode(w.acknowledged.body)["position"])
            for w in after_back
            if w.acknowledged
        ),
        default=None,
    )
    applied_at = checkpoints.reached(first_position) if first_position is not None else None
    projector_back = applied_at - restart.back_at if applied_at is not None else None
    first_read = reads_ok[0] - restart.back_at if reads_ok else None
    last_503 = max((a.ended for a in unavailable), default=restart.back_at) - restart.back_at
    slowest = max(a.ended - a.started for a in attempts)
    retried = sum(1 for w in load.writes if len(w.attempts) > 1)
    print(
        f"\nPostgreSQL restart under load: {len(attempts)} requests in {load_seconds:.1f} s "
        f"({len(load.writes)} writes, {retried} retried; {len(load.reads)} reads): "
        f"{len(ok)} 2xx, {len(unavailable)} 503, {len(others)} other, {len(no_answer)} no answer; "
        f"slowest answer {slowest:.2f} s. Server stop {restart.stop_seconds:.2f} s, kept down "
        f"{restart.down_seconds:.2f} s, start {restart.start_seconds:.2f} s: outage "
        f"{restart.outage_seconds:.2f} s. After it was back: first 2xx write "
        f"{first_write if first_write is None else round(first_write, 2)} s, first 2xx read "
        f"{first_read if first_read is None else round(first_read, 2)} s, last 503 "
        f"{last_503:.2f} s. The projector applied the first write made after it "
        f"{projector_back if projector_back is None else round(projector_back, 2)} s after the "
        f"server was back; at the head ({caught_head}) {catch_up_seconds:.1f} s after the load."
    )
    assert not no_answer, f"{len(no_answer)} requests got no answer: {no_answer[:5]}"
    assert not others, (
        f"{len(others)} answers neither 2xx nor 503: "
        f"{Counter(a.status for a in others)}; first: {others[:3]}"
    )
    assert unavailable, "no request met the outage: the test proves nothing"
    wrong_type = [a for a in unavailable if not a.content_type.startswith(PROBLEM_JSON)]
    assert not wrong_type, f"503 without problem+json: {wrong_type[:3]}"
    assert first_write is not None and first_write <= RECOVERY_LIMIT, (
        f"no 2xx write within {RECOVERY_LIMIT} s of the server being back: {first_write}"
    )
    assert first_read is not None and first_read <= RECOVERY_LIMIT, (
        f"no 2xx read within {RECOVERY_LIMIT} s of the server being back: {first_read}"
    )
    late = [a for a in unavailable if a.started > restart.back_at + RECOVERY_LIMIT]
    assert not late, f"503s more than {RECOVERY_LIMIT} s after the server was back: {late[:3]}"
    outcome = check_writes(load, await stored_events(database))
    print(f"writes: {dict(outcome)}")
    assert outcome["acknowledged, stored once"] >= len(load.writes) // 2, outcome
    verified = run_tracker(tracker_env(database), "verify")
    assert verified.startswith("ok:"), verified
    log = projector.text()
    assert "database failure" in log, f"the projector never saw the outage:\n{log}"
    assert projector_back is not None and projector_back <= RECOVERY_LIMIT, (
        f"the projector had not applied the first write after the restart (position "
        f"{first_position}) within {RECOVERY_LIMIT} s of the server being back: {projector_back}"
    )
    live, fresh, report = await compare_with_a_fresh_rebuild(database)
    assert live == fresh, f"the read model differs from a fresh rebuild ({report})"


async def test_a_claim_whose_request_died_with_the_server_does_not_block_the_retry(
    cluster: Cluster, database: str, tmp_path: Path
) -> None:
    """Two API processes (compose runs two). A write holds its Idempotency-Key claim while it
    waits on a table lock the test holds; the server restarts under it (503). The client's
    retry with the same key, on the other process, runs at once (not 409 for
    ``idempotency_in_flight_seconds``), and the first process's late release of its dead claim
    does not undo the retry's record: a third try, on the first process, replays that answer."""
    env = tracker_env(database, TRACKER_LOG_LEVEL="INFO")
    admin = {"Authorization": f"Bearer {issue_admin_token(env, ADMIN)}"}
    key = f"restart-claim-{uuid.uuid4().hex}"
    body = write_body("deliverable", f"held through a restart {key}")
    path = f"/api/v1/programmes/{PROGRAMMES[0]}/deliverables"
    headers = {**admin, "Idempotency-Key": key}
    with processes(tmp_path) as group:
        _, first_base = group.serve("api-1", env)
        _, second_base = group.serve("api-2", env)
        async with (
            httpx.AsyncClient(base_url=first_base, timeout=CLIENT_TIMEOUT) as first,
            httpx.AsyncClient(base_url=second_base, timeout=CLIENT_TIMEOUT) as second,
        ):
            await given_the_programmes(first, admin)
            holder = await asyncpg.connect(cluster.dsn(DATABASE))
            try:
                hold = holder.transaction()
                await hold.start()
                await holder.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
                held = asyncio.create_task(first.post(path, json=body, headers=headers))
                waiting = None
                deadline = time.monotonic() + 5
                while waiting is None and time.monotonic() < deadline and not held.done():
                    waiting = await holder.fetchval(
                        "SELECT pid FROM pg_locks WHERE relation = 'events'::regclass "
                        "AND NOT granted LIMIT 1"
                    )
                    await asyncio.sleep(0.02)  # the polling interval
                assert waiting is not None, "the write never waited on the held table lock"
                claims = await holder.fetchval(
                    "SELECT count(*) FROM idempotency_records WHERE key = $1 "
                    "AND state = 'in_flight'",
                    key,
                )
                assert claims == 1, "the write did not hold its claim while it waited"
                restart = await asyncio.to_thread(cluster.restart_immediately, 0.0)
            finally:
                await holder.close()
            died = await asyncio.wait_for(held, CLIENT_TIMEOUT)
            assert died.status_code == 503, died.text
            assert died.headers["content-type"].startswith(PROBLEM_JSON)
            retried = await second.post(path, json=body, headers=headers)
            retry_seconds = time.monotonic() - restart.back_at
            assert retried.status_code == 201, retried.text
            again = await first.post(path, json=body, headers=headers)
            assert again.status_code == 201, again.text
            assert again.headers.get("idempotent-replayed") == "true", again.headers
            assert again.json() == retried.json()
    stored = [e for e in await stored_events(database) if e.key == f"api:{ADMIN}:{key}"]
    assert sorted(e.type for e in stored) == ["DeliverableListed", "DeliverablePlanned"]
    print(f"\nthe retry on the other process was answered 201 {retry_seconds:.2f} s after restart")
