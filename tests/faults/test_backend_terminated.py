"""A PostgreSQL backend terminated in the middle of commands (``pg_terminate_backend``).

A real ``tracker serve`` process; the test terminates its database connections while writes
run, and retries every write that did not get an answer with the same Idempotency-Key, as a
client should. Pass: each command's events are all stored or none (grouped by the key stored
with them), and every command ends stored exactly once.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.api.builders import BTLS_ROSTER, LEAD, SPONSOR, name_of
from tests.databases import plain_keys
from tests.faults.processes import Processes, processes, run_tracker, tracker_env
from tracker.events.open import open_store
from tracker.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.postgres]

PROGRAMME = "terminated"
WORKERS = 4
WRITES_PER_WORKER = 40
COMMANDS_EXPECTED = {
    "plan": {"DeliverableListed", "DeliverablePlanned"},
    "approve": {"DeliverableApproved", "DeliverableSignedOff"},
    "submit": {"DeliverableSubmitted"},
}
OPEN_APPEND_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"  # what tracker_append takes first
)


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class Tally:
    answered: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    terminations: int = 0


@pytest.fixture
def running(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Processes, str]]:
    with processes(tmp_path) as group:
        env = tracker_env(postgres_url, TRACKER_LOG_LEVEL="INFO")
        _, base = group.serve("api", env)
        yield group, base


def tokens(postgres_url: str) -> dict[str, dict[str, str]]:
    env = tracker_env(postgres_url)
    issued = {}
    for email, scope in [("ops@lancashire.gov.uk", "admin"), (LEAD, "member"), (SPONSOR, "member")]:
        out = run_tracker(env, "token", "issue", "--email", email, "--scope", scope)
        issued[email] = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
    return issued


async def given_the_programme(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    body = {
        "key": PROGRAMME,
        "name": "Terminated",
        "start": "2020-01-06",
        "planned_end": "2021-06-30",
    }
    assert (await client.post("/api/v1/programmes", json=body, headers=admin)).status_code == 201
    for email, letter in BTLS_ROSTER.items():
        member = {"name": name_of(email), "title": f"{letter} role", "raci": letter}
        answer = await client.put(
            f"/api/v1/programmes/{PROGRAMME}/roster/{email}", json=member, headers=admin
        )
        assert answer.status_code == 201, answer.text


async def until_answered(
    client: httpx.AsyncClient, path: str, body: object, who: dict[str, str], tally: Tally
) -> httpx.Response:
    """POST with one Idempotency-Key until the server answers with a final status."""
    headers = {**who, "Idempotency-Key": str(uuid.uuid4())}
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = await client.post(path, json=body, headers=headers)
        except httpx.TransportError:
            answer = None
        if (
            answer is not None
            and answer.status_code < 500
            and not (
                answer.status_code == 409
                and answer.json().get("code") == "idempotency_key_in_flight"
            )
        ):
            tally.answered[str(answer.status_code)] += 1
            return answer
        if answer is not None:
            tally.answered[f"retried {answer.status_code}"] += 1
            if answer.status_code >= 500:
                assert answer.status_code == 503, f"{path}: {answer.status_code} {answer.text}"
                assert answer.headers["content-type"].startswith("application/problem+json")
        tally.retries += 1
        assert time.monotonic() < deadline, f"{path}: no final answer within 60 s"
        await asyncio.sleep(0.05)


async def events_by_key(postgres_url: str) -> dict[str, list[tuple[str, str]]]:
    """Every stored event's (type, stream), grouped by the API key stored in its metadata."""
    plain = await plain_keys(postgres_url, ["ops@lancashire.gov.uk", LEAD, SPONSOR])
    store = open_store(Settings(database_url=postgres_url))
    try:
        grouped: dict[str, list[tuple[str, str]]] = {}
        after = 0
        while page := await store.read_raw(after, 2000):
            for raw in page:
                key = plain(msgspec_key(bytes(raw.metadata)))
                if key is not None:
                    grouped.setdefault(key, []).append((raw.type, raw.stream_id))
            after = page[-1].position
        return grouped
    finally:
        await store.close()


def msgspec_key(metadata: bytes) -> str | None:
    import msgspec

    decoded = msgspec.json.decode(metadata)
    key = decoded.get("idempotency_key")
    return key if isinstance(key, str) else None


async def test_a_backend_terminated_mid_append_stores_nothing_and_the_retry_stores_once(
    postgres_url: str, running: tuple[Processes, str]
) -> None:
    """Deterministic: the API's append waits on a stream lock the test holds; the test then
    terminates exactly that backend, mid-command."""
    _, base = running
    who = tokens(postgres_url)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await given_the_programme(client, who["ops@lancashire.gov.uk"])
        holder = await asyncpg.connect(dsn(postgres_url))
        try:
            hold = holder.transaction()
            await hold.start()
            await holder.execute(OPEN_APPEND_LOCK, f"programme:{PROGRAMME}")
            body = {"title": "Held", "due": "2021-03-01", "approvers": [SPONSOR]}
            headers = {**who[LEAD], "Idempotency-Key": "held-1"}
            request = asyncio.create_task(
                client.post(
                    f"/api/v1/programmes/{PROGRAMME}/deliverables", json=body, headers=headers
                )
            )
            waiting: int | None = None
            for _ in range(200):
                waiting = await holder.fetchval(
                    "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' "
                    "AND NOT l.granted AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                )
                if waiting is not None:
                    break
                await asyncio.sleep(0.05)
            assert waiting is not None, "the API's append never waited on the held lock"
            assert await holder.fetchval("SELECT pg_terminate_backend($1)", waiting)
            failed = await asyncio.wait_for(request, 30)
            assert failed.status_code == 503, failed.text
            assert failed.headers["content-type"].startswith("application/problem+json")
            await hold.rollback()
        finally:
            await holder.close()
        assert (await events_by_key(postgres_url)).get(f"api:{LEAD}:held-1") is None
        again = await client.post(
            f"/api/v1/programmes/{PROGRAMME}/deliverables", json=body, headers=headers
        )
        assert again.status_code == 201, again.text
        once = await client.post(
            f"/api/v1/programmes/{PROGRAMME}/deliverables", json=body, headers=headers
        )
        assert once.json() == again.json()
    stored = (await events_by_key(postgres_url))[f"api:{LEAD}:held-1"]
    assert sorted(t for t, _ in stored) == ["DeliverableListed", "DeliverablePlanned"]


async def test_commands_under_repeated_backend_terminations_are_stored_whole_and_once(
    postgres_url: str, running: tuple[Processes, str]
) -> None:
    processes_, base = running
    who = tokens(postgres_url)
    tally = Tally()
    rng = random.Random(20261204)
    seed_note = "seed 20261204"
    planned: list[str] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await given_the_programme(client, who["ops@lancashire.gov.uk"])

        async def worker(number: int) -> None:
            for i in range(WRITES_PER_WORKER):
                body = {"title": f"W{number}-{i}", "due": "2021-03-01", "approvers": [SPONSOR]}
                made = await until_answered(
                    client, f"/api/v1/programmes/{PROGRAMME}/deliverables", body, who[LEAD], tally
                )
                assert made.status_code == 201, made.text
                item = made.json()["id"]
                planned.append(item)
                submitted = await until_answered(
                    client, f"/api/v1/deliverables/{item}/submit", {}, who[LEAD], tally
                )
                assert submitted.status_code == 200, submitted.text
                approved = await until_answered(
                    client, f"/api/v1/deliverables/{item}/approve", {}, who[SPONSOR], tally
                )
                assert approved.status_code == 200, approved.text

        async def terminator() -> None:
            killer = await asyncpg.connect(dsn(postgres_url))
            try:
                while not stop.is_set():
                    await asyncio.sleep(rng.uniform(0.05, 0.4))
                    killed = await killer.fetchval(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                        "FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                    )
                    tally.terminations += int(killed or 0)
            finally:
                await killer.close()

        killing = asyncio.create_task(terminator())
        started = time.monotonic()
        try:
            await asyncio.gather(*[worker(n) for n in range(WORKERS)])
        finally:
            stop.set()
            await killing
        seconds = time.monotonic() - started
    print(
        f"\n{seed_note}: {len(planned)} deliverables planned, submitted and approved in "
        f"{seconds:.1f} s; {tally.terminations} backends terminated; {tally.retries} retries; "
        f"answers {dict(tally.answered)}"
    )
    assert tally.terminations >= 20, "too few terminations to prove anything"
    assert tally.retries > 0, "no request was interrupted: the test proves nothing"
    grouped = await events_by_key(postgres_url)
    lead_keys = {k: v for k, v in grouped.items() if k.startswith(f"api:{LEAD}:")}
    sponsor_keys = {k: v for k, v in grouped.items() if k.startswith(f"api:{SPONSOR}:")}
    # All or nothing, and once: each key holds exactly one command's complete set of events.
    kinds = Counter()
    for key, stored in {**lead_keys, **sponsor_keys}.items():
        types = sorted(t for t, _ in stored)
        matches = [name for name, want in COMMANDS_EXPECTED.items() if sorted(want) == types]
        assert matches, f"{key}: a partial or doubled command: {types}"
        kinds[matches[0]] += 1
    total = WORKERS * WRITES_PER_WORKER
    assert kinds == {"plan": total, "submit": total, "approve": total}, kinds
    assert len(set(planned)) == total
    out = run_tracker(tracker_env(postgres_url), "verify")
    assert out.startswith("ok:"), out
    assert processes_.started[0].running, "the API process died"
