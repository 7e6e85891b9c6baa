"""Two of everything on one PostgreSQL database under a steady load: two ``tracker serve
--no-projector``, two ``tracker projector`` and two ``tracker scheduler`` (a pass every second,
delivering to a real SMTP server in the test process), while concurrent clients write through
both APIs in turn (each write with an Idempotency-Key) and read reports from both.

The load keeps making reminders due: deliverables submitted (their approvers or endorsers are
chased, the programme's A is told), milestones overdue or due soon (R members, and the A when
overdue), RAID items raised from a paper record 25 days back (stale by the pinned day), new
programmes (a weekly digest to their A) and new R members. The schedulers' day is pinned
(``--today``) to the first working day at least ten working days after today, so everything
submitted now is past both the reminder (3) and the escalation (8) thresholds.

Pass criteria (asserted):

* one projector and one scheduler lead for the whole run, and never more than one (sampled in
  ``pg_locks``, and in the logs); ``/ready`` answers 200 throughout; after the writers stop, a
  full pass and the projector's catch-up, SIGTERM stops all six processes with status 0;
* the read model equals a fresh rebuild, the checkpoint is the head, ``tracker verify`` passes;
* every ``ReminderSent`` reached the SMTP server exactly once (one message per Message-ID, its
  recipient the recorded person, its Message-ID the one its keys make), no key twice, and every
  reminder due at the end was sent: the set of keys equals the one computed here from what the
  clients wrote (plus, at most, reminders for deliverables approved after being chased), and a
  dry run after the last pass plans nothing;
* every 2xx write is in the store exactly once (its key, stream, version and position; the
  event types match what the 2xx writes recorded, nothing more), no response is a 5xx, and a
  replay of a write on the other API answers the first response.

``TRACKER_FAULT_SECONDS`` shortens the load for local runs (default 60);
``TRACKER_FAULT_SEED`` replays a run's choices.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from tests.databases import plain_keys, pseudonyms
from tests.faults.processes import (
    Process,
    issue_admin_token,
    processes,
    run_tracker,
    tracker_env,
    until,
)
from tests.faults.read_model import checkpoint, compare_with_a_fresh_rebuild, difference, head
from tests.reminders.smtp import MailServer, mail_server
from tracker.calendar import WorkingCalendar
from tracker.db import asyncpg_dsn, create_engine
from tracker.events.open import open_store
from tracker.events.reminders import ReminderSendFailed, ReminderSent, ReminderSkipped
from tracker.reminders.compose import message_id
from tracker.reminders.model import reminder_key
from tracker.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.postgres]

SECONDS = float(os.environ.get("TRACKER_FAULT_SECONDS") or 60)
WORKERS = 8
"""Concurrent clients, each writing and reading in turn through both APIs."""
STARTUP = 30.0
"""Seconds for the six processes to start and elect their leaders."""
SENDER = "Programme tracker <tracker@lcc.example>"
BASE_URL = "https://tracker.lcc.example"
LONDON = ZoneInfo("Europe/London")

PROJECTOR_LEADER = "projector: leader"
PROJECTOR_STANDBY = "projector: standby"
SCHEDULER_LEADER = "leader: scheduling reminders"
SCHEDULER_STANDBY = "standby: another scheduler is the leader"
PASS_LINE = re.compile(r"reminders for \d{4}-\d{2}-\d{2}: [^\"\n]*")
PROJECTOR_LOCK = (1953653099, 2)
"""tracker.projections.read_model.service.PROJECTOR_LOCK."""
SCHEDULER_LOCK = (0x72656D69, 2)
"""tracker.locks: REMINDERS, LEADER_LOCK."""

EVENTS = {
    "programme": ("ProgrammeRegistered",),
    "roster": ("RosterMemberAssigned",),
    "deliverable": ("DeliverableListed", "DeliverablePlanned"),
    "submit": ("DeliverableSubmitted",),
    "approve": ("DeliverableApproved", "DeliverableSignedOff"),
    "milestone": ("MilestoneListed", "MilestoneBaselined"),
    "risk": ("RaidRefReserved", "RiskRaised"),
}
"""The events each kind of write stores (a deliverable, milestone or RAID item is listed in its
programme's stream and starts its own, in one append)."""

SPONSORS = [f"sponsor.{n}@lcc.example" for n in range(4)]
LEADS = [f"lead.{n}@lcc.example" for n in range(6)]
REGULARS = [f"approver.{n}@lcc.example" for n in range(12)]
SIGNERS = [f"signer.{n}@lcc.example" for n in range(5)]
"""Approvers with a token of their own: they approve some deliverables during the run."""
ADMIN = "ops@lancashire.gov.uk"


def seed() -> int:
    chosen = os.environ.get("TRACKER_FAULT_SEED")
    value = int(chosen) if chosen else random.SystemRandom().randrange(2**32)
    print(f"load choices from seed {value} (replay: TRACKER_FAULT_SEED={value})")
    return value


def pinned_day(now: datetime, calendar: WorkingCalendar) -> date:
    """The first working day at least ten working days after today in London."""
    today = now.astimezone(LONDON).date()
    day = calendar.working_day_on_or_after(today + timedelta(days=1))
    while calendar.working_days_between(today, day) < 10:
        day = calendar.next_working_day(day)
    return day


def name_of(email: str) -> str:
    return email.split("@")[0].replace(".", " ").title()


# The model: what the clients were told was written (2xx answers only).


@dataclass
class Deliverable:
    id: str
    programme: str
    approver: str
    endorser: str | None
    submitted: bool = False
    approved: bool = False


@dataclass
class Programme:
    key: str
    position: int
    """Where its registration was stored: reports read it with ``min_position``."""
    sponsor: str | None = None
    r_members: set[str] = field(default_factory=set)
    deliverables: list[Deliverable] = field(default_factory=list)
    milestones: list[tuple[str, bool]] = field(default_factory=list)
    """(id, overdue): overdue ones are past their baseline on the pinned day, the others due
    within the reminder window."""
    risks: list[tuple[str, str]] = field(default_factory=list)
    """(id, owner)."""


@dataclass
class Write:
    kind: str
    person: str
    key: str
    api: int
    status: int
    answer: dict[str, Any]


@dataclass
class Load:
    apis: list[httpx.AsyncClient]
    admin: dict[str, str]
    signers: dict[str, dict[str, str]]
    day: date
    now: datetime
    programmes: dict[str, Programme] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    """Per API: write requests and reads sent."""
    conflicts: int = 0
    replays: int = 0
    reads: int = 0
    problems: list[str] = field(default_factory=list)
    """Anything a client saw that the criteria forbid: a 5xx, a refusal other than a stream
    conflict, a transport error, a replay that differed."""
    turn: int = 0
    people: int = 0

    def api(self) -> int:
        self.turn += 1
        return self.turn % len(self.apis)

    def new_person(self, role: str) -> str:
        self.people += 1
        return f"{role}.{self.people}@new.lcc.example"

    async def write(
        self,
        kind: str,
        method: str,
        path: str,
        body: dict[str, Any],
        rng: random.Random,
        *,
        who: dict[str, str] | None = None,
        person: str = ADMIN,
    ) -> dict[str, Any] | None:
        """Send one write (a fresh key per attempt; a stream conflict is retried, as a client
        would); the answer of a 2xx, or None."""
        for _ in range(5):
            key = str(uuid4())
            n = self.api()
            headers = {**(who or self.admin), "Idempotency-Key": key}
            self.requests[f"api-{n} writes"] += 1
            try:
                answer = await self.apis[n].request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                self.problems.append(f"{method} {path} on api-{n}: {exc!r}")
                return None
            if answer.status_code == 409 and answer.json().get("code") == "stream_conflict":
                self.conflicts += 1
                continue
            if not 200 <= answer.status_code < 300:
                self.problems.append(
                    f"{method} {path} on api-{n}: {answer.status_code} {answer.text}"
                )
                return None
            result: dict[str, Any] = answer.json()
            self.writes.append(Write(kind, person, key, n, answer.status_code, result))
            if rng.random() < 0.05:
                await self.replay(method, path, body, headers, answer, n)
            return result
        return None

    async def replay(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str],
        first: httpx.Response,
        n: int,
    ) -> None:
        """The same write, same key, on the other API: the first answer again, nothing written."""
        other = (n + 1) % len(self.apis)
        self.requests[f"api-{other} writes"] += 1
        self.replays += 1
        try:
            again = await self.apis[other].request(method, path, json=body, headers=headers)
        except httpx.TransportError as exc:
            self.problems.append(f"replay of {method} {path} on api-{other}: {exc!r}")
            return
        same = (
            again.status_code == first.status_code
            and again.json() == first.json()
            and again.headers.get("idempotent-replayed") == "true"
        )
        if not same:
            self.problems.append(
                f"replay of {method} {path} on api-{other}: {again.status_code} {again.text} "
                f"{dict(again.headers)} != {first.status_code} {first.text}"
            )

    async def read(self, path: str) -> None:
        n = self.api()
        self.requests[f"api-{n} reads"] += 1
        try:
            answer = await self.apis[n].get(path, headers=self.admin)
        except httpx.TransportError as exc:
            self.problems.append(f"GET {path} on api-{n}: {exc!r}")
            return
        self.reads += 1
        if answer.status_code != 200:
            self.problems.append(f"GET {path} on api-{n}: {answer.status_code} {answer.text}")


# One client.


class Client:
    def __init__(self, number: int, load: Load, rng: random.Random) -> None:
        self.number, self.load, self.rng = number, load, rng
        self.mine: list[Programme] = []
        self.planned: list[Deliverable] = []
        self.submitted: list[Deliverable] = []

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.step()

    async def step(self) -> None:
        roll = self.rng.random()
        if not self.mine or roll < 0.05:
            await self.register()
        elif roll < 0.30:
            await self.plan_deliverable()
        elif roll < 0.50 and self.planned:
            await self.submit()
        elif roll < 0.56 and self.submitted:
            await self.approve()
        elif roll < 0.66:
            await self.milestone()
        elif roll < 0.72:
            await self.risk()
        elif roll < 0.75:
            await self.new_r_member()
        else:
            await self.read()

    def programme(self) -> Programme:
        """Mostly one of this client's programmes; sometimes anyone's, or the first one
        registered, which every client writes to (stream conflicts, retried)."""
        roll, everyone = self.rng.random(), list(self.load.programmes.values())
        if roll < 0.1:
            return everyone[0]
        if roll < 0.25:
            return self.rng.choice(everyone)
        return self.rng.choice(self.mine)

    async def register(self) -> None:
        load = self.load
        key = f"w{self.number}-p{len(self.mine) + 1}"
        body = {
            "key": key,
            "name": f"Programme {key}",
            "start": (load.now.date() - timedelta(days=120)).isoformat(),
            "planned_end": (load.now.date() + timedelta(days=365)).isoformat(),
        }
        answer = await load.write("programme", "POST", "/api/v1/programmes", body, self.rng)
        if answer is None:
            return
        programme = Programme(key=key, position=answer["position"])
        load.programmes[key] = programme
        self.mine.append(programme)
        sponsor, lead = self.rng.choice(SPONSORS), self.rng.choice(LEADS)
        if await self.roster(programme, sponsor, "A"):
            programme.sponsor = sponsor
        if await self.roster(programme, lead, "R"):
            programme.r_members.add(lead)
        await self.roster(programme, load.new_person("observer"), "I")

    async def roster(self, programme: Programme, email: str, letter: str) -> bool:
        body = {"name": name_of(email), "title": f"{letter} member", "raci": letter}
        path = f"/api/v1/programmes/{programme.key}/roster/{email}"
        return await self.load.write("roster", "PUT", path, body, self.rng) is not None

    async def new_r_member(self) -> None:
        programme = self.rng.choice(self.mine)
        email = self.load.new_person("member")
        if await self.roster(programme, email, "R"):
            programme.r_members.add(email)

    async def plan_deliverable(self) -> None:
        load, programme = self.load, self.programme()
        roll = self.rng.random()
        endorser = None
        if roll < 0.3:
            approver = self.rng.choice(SIGNERS)
        else:
            approver = self.rng.choice(REGULARS) if roll < 0.7 else load.new_person("approver")
            if self.rng.random() < 0.3:
                endorser = load.new_person("endorser")
        body: dict[str, Any] = {
            "title": f"Deliverable {len(programme.deliverables) + 1} of {programme.key}",
            "due": (load.now.date() - timedelta(days=self.rng.randint(1, 30))).isoformat(),
            "approvers": [{"email": approver, "name": name_of(approver)}],
            "endorsers": [endorser] if endorser else [],
        }
        path = f"/api/v1/programmes/{programme.key}/deliverables"
        answer = await load.write("deliverable", "POST", path, body, self.rng)
        if answer is not None:
            item = Deliverable(answer["id"], programme.key, approver, endorser)
            programme.deliverables.append(item)
            self.planned.append(item)

    async def submit(self) -> None:
        item = self.planned.pop(self.rng.randrange(len(self.planned)))
        path = f"/api/v1/deliverables/{item.id}/submit"
        if await self.load.write("submit", "POST", path, {}, self.rng) is not None:
            item.submitted = True
            if item.approver in SIGNERS and item.endorser is None:
                self.submitted.append(item)

    async def approve(self) -> None:
        item = self.submitted.pop(self.rng.randrange(len(self.submitted)))
        path = f"/api/v1/deliverables/{item.id}/approve"
        who = self.load.signers[item.approver]
        if await self.load.write(
            "approve", "POST", path, {}, self.rng, who=who, person=item.approver
        ):
            item.approved = True

    async def milestone(self) -> None:
        load, programme = self.load, self.programme()
        calendar = WorkingCalendar()
        overdue = self.rng.random() < 0.5
        baseline = (
            load.now.astimezone(LONDON).date() - timedelta(days=self.rng.randint(0, 20))
            if overdue
            else calendar.add_working_days(load.day, self.rng.randint(0, 8))
        )
        body = {"title": f"Milestone {len(programme.milestones) + 1}", "baseline": str(baseline)}
        path = f"/api/v1/programmes/{programme.key}/milestones"
        answer = await load.write("milestone", "POST", path, body, self.rng)
        if answer is not None:
            programme.milestones.append((answer["id"], overdue))

    async def risk(self) -> None:
        load, programme = self.load, self.programme()
        owner = self.rng.choice(LEADS) if self.rng.random() < 0.5 else load.new_person("owner")
        kind = self.rng.choice(["risk", "issue"])
        body: dict[str, Any] = {
            "kind": kind,
            "title": f"{kind.title()} {len(programme.risks) + 1}",
            "description": "Raised at the board; entered from the minutes.",
            "impact": self.rng.randint(1, 5),
            "owner": owner,
            "occurred_at": (load.now - timedelta(days=25)).isoformat(),
            # Further back than 5 working days: an admin's entry, with its reason.
            "backdating_reason": "raised at the board; entered from its minutes",
        }
        if kind == "risk":
            body["likelihood"] = self.rng.randint(1, 5)
        path = f"/api/v1/programmes/{programme.key}/risks"
        answer = await load.write("risk", "POST", path, body, self.rng)
        if answer is not None:
            programme.risks.append((answer["id"], owner))

    async def read(self) -> None:
        """The programme list, or a closure report or milestone board (from the read model,
        waiting for the programme's registration to be projected, as a client that just wrote
        would)."""
        if not self.load.programmes:
            return
        programme = self.rng.choice(list(self.load.programmes.values()))
        report = self.rng.choice(["closure-report", "milestones"])
        path = self.rng.choice(
            [
                "/api/v1/programmes?limit=100",
                f"/api/v1/programmes/{programme.key}/{report}?min_position={programme.position}",
            ]
        )
        await self.load.read(path)


# Watching the processes while the load runs.


@dataclass
class Watch:
    samples: int = 0
    leaders: Counter[str] = field(default_factory=Counter)
    """(what, holders) -> samples: how many held each leader lock, sample by sample."""
    max_lag: int = 0
    max_lag_seconds: float = 0.0
    ready_failures: list[str] = field(default_factory=list)


async def watch(url: str, bases: list[str], stop: asyncio.Event, seen: Watch) -> None:
    """Every 0.2 s: who holds the leader locks (pg_locks, this database), and each API's
    /ready projector lag."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    query = """
        SELECT count(*) FILTER (WHERE classid::bigint = $1 AND objid::bigint = $2),
               count(*) FILTER (WHERE classid::bigint = $3 AND objid::bigint = $4)
        FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    """
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            while not stop.is_set():
                projectors, schedulers = await conn.fetchrow(
                    query, *PROJECTOR_LOCK, *SCHEDULER_LOCK
                )
                seen.samples += 1
                seen.leaders[f"projector leaders={projectors}"] += 1
                seen.leaders[f"scheduler leaders={schedulers}"] += 1
                for base in bases:
                    answer = await client.get(f"{base}/ready")
                    if answer.status_code != 200:
                        seen.ready_failures.append(f"{base}: {answer.status_code} {answer.text}")
                        continue
                    ready = answer.json()
                    seen.max_lag = max(seen.max_lag, int(ready["projector_lag"] or 0))
                    seconds = float(ready.get("projector_lag_seconds") or 0)
                    seen.max_lag_seconds = max(seen.max_lag_seconds, seconds)
                await asyncio.sleep(0.2)
    finally:
        await conn.close()


# What the store and the mail server hold afterwards.


async def store_rows(url: str) -> list[Any]:
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            query = "SELECT position, stream_id, version, type, idempotency_key FROM events"
            return list((await conn.execute(text(query))).all())
    finally:
        await engine.dispose()


@dataclass
class Reminders:
    sent: list[ReminderSent]
    skipped: list[ReminderSkipped]
    failed: list[ReminderSendFailed]


async def recorded_reminders(url: str, streams: set[str]) -> Reminders:
    store = open_store(Settings(database_url=url))
    found = Reminders([], [], [])
    try:
        for stream in sorted(streams):
            for event in await store.read_stream(stream):
                data = event.data
                if isinstance(data, ReminderSent):
                    found.sent.append(data)
                elif isinstance(data, ReminderSkipped):
                    found.skipped.append(data)
                elif isinstance(data, ReminderSendFailed):
                    found.failed.append(data)
        return found
    finally:
        await store.close()


def expected_reminders(load: Load) -> tuple[set[str], set[str]]:
    """(keys due on the pinned day from what the clients wrote, keys that may also have been
    sent: the chasing of deliverables approved later in the run)."""
    day, due, maybe = load.day, set[str](), set[str]()

    def key(kind: str, item: str, who: str) -> str:
        return reminder_key(kind, item, who, day)

    for p in load.programmes.values():
        if p.sponsor:
            due.add(key("weekly_digest", f"programme:{p.key}", p.sponsor))
        for d in p.deliverables:
            if not d.submitted:
                continue
            chased = {key("signoff_pending", f"deliverable:{d.id}", d.endorser or d.approver)}
            if p.sponsor:
                chased.add(key("signoff_escalation", f"deliverable:{d.id}", p.sponsor))
            (maybe if d.approved else due).update(chased)
        for milestone, overdue in p.milestones:
            people = p.r_members | ({p.sponsor} if overdue and p.sponsor else set())
            kind = "milestone_overdue" if overdue else "milestone_due"
            due.update(key(kind, f"milestone:{milestone}", who) for who in people)
        for risk, owner in p.risks:
            due.add(key("risk_stale", f"risk:{risk}", owner))
    return due, maybe


@pytest.fixture
def server() -> Iterator[MailServer]:
    with mail_server() as running:
        yield running


def passes(process: Process) -> list[str]:
    return PASS_LINE.findall(process.text())


def longest_pass(process: Process) -> float | None:
    """Seconds between consecutive pass summaries, at most (a pass longer than the cron's
    second starts again at once): read from the JSON log lines' times, None if not JSON."""
    times: list[datetime] = []
    for line in process.text().splitlines():
        if line.startswith("{") and "reminders for " in line:
            times.append(datetime.fromisoformat(json.loads(line)["time"]))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    return round(max(gaps), 1) if gaps else None


def one_leader(pair: list[Process], leader_line: str, standby_line: str) -> tuple[Process, Process]:
    leaders = [p for p in pair if p.has_line(leader_line)]
    assert len(leaders) == 1, "\n\n".join(p.text() for p in pair)
    [leader] = leaders
    [standby] = [p for p in pair if p is not leader]
    assert leader.text().count(leader_line) == 1, leader.text()
    assert standby.has_line(standby_line), standby.text()
    return leader, standby


async def test_two_apis_two_projectors_two_schedulers_under_load_lose_and_double_nothing(
    postgres_url: str, server: MailServer, tmp_path: Path
) -> None:
    url = postgres_url
    rng = random.Random(seed())
    calendar = WorkingCalendar()
    now = datetime.now(UTC)
    day = pinned_day(now, calendar)
    env = tracker_env(
        url,
        TRACKER_API_WRITES_PER_MINUTE="1000000",
        TRACKER_API_TOKEN_ISSUES_PER_MINUTE="1000",
        TRACKER_SMTP_URL=server.url,
        TRACKER_MAIL_FROM=SENDER,
        TRACKER_BASE_URL=BASE_URL,
        TRACKER_SMTP_BACKOFF_SECONDS="0",
        TRACKER_REMINDERS_CRON="* * * * * *",
    )
    admin = {"Authorization": f"Bearer {issue_admin_token(env, ADMIN)}"}
    with processes(tmp_path) as group:
        apis = [group.serve(f"api-{n}", env) for n in range(2)]
        projectors = [group.start(f"projector-{n}", ["projector"], env) for n in range(2)]
        schedulers = [
            group.start(f"scheduler-{n}", ["scheduler", "--today", day.isoformat()], env)
            for n in range(2)
        ]
        await until(
            lambda: all(p.has_line(PROJECTOR_LEADER) or p.has_line(PROJECTOR_STANDBY)
                        for p in projectors)
            and all(p.has_line(SCHEDULER_LEADER) or p.has_line(SCHEDULER_STANDBY)
                    for p in schedulers),
            STARTUP,
            "one leader and one standby projector and scheduler",
        )  # fmt: skip
        projector, projector_standby = one_leader(projectors, PROJECTOR_LEADER, PROJECTOR_STANDBY)
        scheduler, scheduler_standby = one_leader(schedulers, SCHEDULER_LEADER, SCHEDULER_STANDBY)
        bases = [base for _, base in apis]
        limits = httpx.Limits(max_connections=WORKERS * 2)
        clients = [httpx.AsyncClient(base_url=base, timeout=30, limits=limits) for base in bases]
        try:
            signers: dict[str, dict[str, str]] = {}
            for email in SIGNERS:
                body = {"email": email, "name": name_of(email), "scope": "member"}
                issued = await clients[0].post("/api/v1/tokens", json=body, headers=admin)
                assert issued.status_code == 201, issued.text
                signers[email] = {"Authorization": f"Bearer {issued.json()['token']}"}
            load = Load(apis=clients, admin=admin, signers=signers, day=day, now=now)
            start_position, start_events = await head(url)
            stop, stop_watch, seen = asyncio.Event(), asyncio.Event(), Watch()
            watcher = asyncio.create_task(watch(url, bases, stop_watch, seen))
            workers = [
                asyncio.create_task(Client(n, load, random.Random(rng.random())).run(stop))
                for n in range(WORKERS)
            ]
            started = time.monotonic()
            await asyncio.sleep(SECONDS)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*workers), 60)
            load_seconds = time.monotonic() - started
        finally:
            for client in clients:
                await client.aclose()
        last_write, _ = await head(url)

        # One full pass after the last write: the pass running now may have begun before it.
        before = len(passes(scheduler))
        await until(lambda: len(passes(scheduler)) >= before + 2, 180, "two more passes")
        stop_watch.set()
        await asyncio.wait_for(watcher, 30)
        # Standbys first, so no leader lock is handed over while stopping.
        exits = {p.name: p.stop() for p in (scheduler_standby, scheduler)}
        end_position, end_events = await head(url)
        catch_up = time.monotonic()
        deadline = catch_up + 60
        while (await checkpoint(url))[0] != end_position:
            assert time.monotonic() < deadline, f"checkpoint never reached {end_position}"
            await asyncio.sleep(0.1)
        catch_up = time.monotonic() - catch_up
        exits |= {p.name: p.stop() for p in (projector_standby, projector)}
        exits |= {p.name: p.stop() for p, _ in apis}
        dry_run = run_tracker(env, "reminders", "run", "--today", day.isoformat(), "--dry-run")
        verified = run_tracker(env, "verify")
    logs = {p.name: p.text() for p in group.started}
    live_checkpoint = await checkpoint(url)
    live, fresh, report = await compare_with_a_fresh_rebuild(url)
    rows = await store_rows(url)
    streams = {r.stream_id for r in rows if r.stream_id.startswith("reminders:")}
    recorded = await recorded_reminders(url, streams)
    sent_keys = [s.key for s in recorded.sent]
    received = server.handler.received
    due, maybe = expected_reminders(load)
    domain = Counter(r.type for r in rows if not r.stream_id.startswith(("person:", "reminders:")))
    figures = {
        "load_seconds": round(load_seconds, 1),
        "writes_2xx_per_api": dict(Counter(f"api-{w.api}" for w in load.writes)),
        "requests_per_api": dict(load.requests),
        "stream_conflicts_retried": load.conflicts,
        "replays_checked": load.replays,
        "reads": load.reads,
        "programmes": len(load.programmes),
        "events_appended": end_events - start_events,
        "domain_events": sum(domain.values()),
        "reminder_events": len(recorded.sent),
        "positions": (start_position, last_write, end_position),
        "reminders_sent": len(sent_keys),
        "reminders_by_kind": dict(Counter(key.split(":")[1] for key in sent_keys)),
        "emails_received": len(received),
        "reminders_chased_then_approved": len(set(sent_keys) & maybe),
        "passes_per_scheduler": {s.name: len(passes(s)) for s in schedulers},
        "passes_that_sent": sum(1 for line in passes(scheduler) if "; 0 e-mails" not in line),
        "longest_pass_seconds": longest_pass(scheduler),
        "lock_samples": seen.samples,
        "max_projector_lag_events": seen.max_lag,
        "max_projector_lag_seconds": seen.max_lag_seconds,
        "final_catch_up_seconds": round(catch_up, 2),
        "pinned_day": day.isoformat(),
        "exit_codes": exits,
    }
    print("two of everything:", figures)

    # Leaders: one each, for the whole run; every process stopped cleanly on SIGTERM.
    assert seen.leaders == Counter(
        {"projector leaders=1": seen.samples, "scheduler leaders=1": seen.samples}
    ), seen.leaders
    assert PROJECTOR_LEADER not in projector_standby.text(), projector_standby.text()
    assert SCHEDULER_LEADER not in scheduler_standby.text(), scheduler_standby.text()
    assert not passes(scheduler_standby), scheduler_standby.text()
    for name, log in logs.items():
        for bad in ("checkpoint moved by another projector", "database failure",
                    "reminders pass failed", "leader lock lost", "Traceback"):  # fmt: skip
            assert bad not in log, f"{name}: {bad}\n{log}"
    assert not seen.ready_failures, seen.ready_failures
    assert exits == {p.name: 0 for p in group.started}, exits
    assert f"projector: stopped at position {end_position}" in projector.text(), projector.text()

    # Read model: equal to a fresh rebuild; checkpoint at the head; the store verifies.
    assert live_checkpoint == (end_position, end_events)
    assert (report.added, report.removed, report.changed) == ([], [], []), difference(live, fresh)
    assert live == fresh and set(live) == set(load.programmes), difference(live, fresh)
    assert report.position == end_position
    assert verified.startswith("ok: "), verified

    # Writes: no 5xx or unexpected refusal; every 2xx in the store once, nothing else stored.
    assert not load.problems, "\n".join(load.problems[:20])
    by_position = {r.position: r for r in rows}
    plain = await plain_keys(url, {w.person for w in load.writes})
    keys = Counter(plain(r.idempotency_key) for r in rows if r.idempotency_key)
    for w in load.writes:
        assert w.answer["written"] is True, w
        assert keys[f"api:{w.person}:{w.key}"] == 1, w
        stored = by_position[w.answer["position"]]
        assert (stored.stream_id, stored.version) == (w.answer["stream_id"], w.answer["version"])
        assert stored.type == EVENTS[w.kind][-1], (w, stored)
    api_keys = {k for k in keys if k.startswith("api:")}
    assert api_keys == {f"api:{w.person}:{w.key}" for w in load.writes}
    assert domain == Counter(t for w in load.writes for t in EVENTS[w.kind])

    # Reminders: each recorded once and delivered once; none due left unsent.
    assert (recorded.skipped, recorded.failed) == ([], [])
    assert len(sent_keys) == len(set(sent_keys)), Counter(sent_keys).most_common(5)
    messages: dict[str, tuple[str, list[str]]] = {}
    for s in recorded.sent:
        messages.setdefault(s.message_id, (s.person, []))[1].append(s.key)
    ids = Counter(str(r.message["Message-ID"]) for r in received)
    assert ids.most_common(1)[0][1] == 1, ids.most_common(5)
    assert set(ids) == set(messages)
    recipients = await pseudonyms(url, {person for person, _ in messages.values()})
    for r in received:
        person, message_keys = messages[str(r.message["Message-ID"])]
        assert r.recipients == [person]
        # The id digests the keys with the recipient's pseudonym (docs/reminders.md).
        keyed = [k.replace(person, recipients[person]) for k in message_keys]
        assert message_id(keyed, SENDER) == str(r.message["Message-ID"])
    assert due <= set(sent_keys), sorted(due - set(sent_keys))[:10]
    assert set(sent_keys) - due <= maybe, sorted(set(sent_keys) - due - maybe)[:10]
    summary = dry_run.strip().splitlines()[-1]
    assert summary.endswith(", 0 failed, 0 reminders skipped, 0 planned"), dry_run
    assert f"{len(due)} due (0 more muted), {len(due)} already sent" in summary, (summary, len(due))
