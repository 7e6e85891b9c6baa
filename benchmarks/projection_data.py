"""The programme portfolio the projection benchmark stores, generated fast and exactly.

Every programme has the same life, ``events_per_programme`` events long (2,000 by default):

* set-up on the programme stream: registration, 3 workstreams, 4 outcomes, a roster of 8 (one
  A, three R, two C, two I) and one deputy;
* 100 deliverables, each listed (programme stream) and planned, then five steps later submitted,
  endorsed twice, approved twice (one in ten by the deputy on the sponsor's behalf) and signed
  off; one in five is first returned and resubmitted; every other one is re-planned once;
* 60 milestones, listed and baselined, re-forecast, re-forecast or re-baselined, achieved;
* 80 RAID items (risks, issues, assumptions, dependencies), reserved and raised, then logged
  updates (one in four re-scored), half of them closed at the end;
* close-out: learning points, recommendations, next steps, the closure report submitted with
  every stream pinned, endorsed by every R and C, approved, the programme closed;
* padding: further RAID update lines spread over the life, to hit the exact event count.

``order="interleaved"`` (the default) stores the portfolio the way it happens: every programme
runs over the same two years, so the global log takes event k of every programme before event
k + 1 of any (programme p's k-th event is at position ``k * programmes + p + 1``).
``order="grouped"`` stores one programme after another (a bulk import's order).

Rows are made by ``tracker.events.prepare.build_rows``, one event at a time with the stream's
head version and hash carried forward, so every hash chain is the one an append would have
written; ``tracker.events.store.RawEvent``\\ s are yielded lazily for ``EventStore.import_raw``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal
from uuid import UUID

import msgspec

from tracker.events.base import Event, Metadata, NewEvent
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
    ProgrammeClosed,
)
from tracker.events.codec import GENESIS_HASH, format_instant
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableEndorsed,
    DeliverablePlanned,
    DeliverableReplanned,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.milestones import (
    MilestoneAchieved,
    MilestoneBaselined,
    MilestoneRebaselined,
    MilestoneReforecast,
)
from tracker.events.prepare import build_rows
from tracker.events.programmes import (
    CloseOutRecommendationRecorded,
    DeliverableListed,
    DeputyAppointed,
    LearningPointRecorded,
    MilestoneListed,
    NextStepRecorded,
    OutcomeDefined,
    ProgrammeRegistered,
    RaciLetter,
    RaidKind,
    RaidRefReserved,
    RosterMemberAssigned,
    WorkstreamAdded,
)
from tracker.events.risks import RiskClosed, RiskRaised, RiskRescored, RiskUpdateLogged
from tracker.events.store import RawEvent
from tracker.events.values import DateValue, PersonRef, StreamVersion
from tracker.settings import Settings

Order = Literal["interleaved", "grouped"]

START = datetime(2023, 1, 2, 8, 0, tzinfo=UTC)
"""When the portfolio's first event happened and was recorded."""
SPAN = timedelta(days=730)
"""The whole log spans two years, whatever its size."""
DELIVERABLES = 100
MILESTONES = 60
RAID_ITEMS = 80
SIGN_OFF_LAG = 5
"""Steps between a deliverable's planning and its sign-off round."""
PEOPLE_POOL = 400
_KINDS: tuple[RaidKind, ...] = ("risk", "issue", "assumption", "dependency")
_ROLES: tuple[tuple[RaciLetter, str], ...] = (
    ("A", "Programme Sponsor"),
    ("R", "Programme Manager"),
    ("R", "Transition Lead"),
    ("R", "Service Owner"),
    ("C", "Information Security Lead"),
    ("C", "Enterprise Architect"),
    ("I", "Finance Business Partner"),
    ("I", "Communications Lead"),
)
_MAX_EVENT_BYTES = Settings().max_event_bytes

Entry = tuple[str, Event, Metadata]
"""One event of a programme's life: its stream, its data and its metadata."""


@dataclass(frozen=True)
class Shape:
    programmes: int
    events_per_programme: int = 2000
    order: Order = "interleaved"
    open_every: int = 0
    """When > 0, every ``open_every``-th programme (0, n, 2n...) is still closing at the end:
    its closure report submitted and endorsed but not approved, its RAID items half open (two
    more update lines take the place of the approval and the closing)."""

    def is_open(self, programme: int) -> bool:
        return self.open_every > 0 and programme % self.open_every == 0

    @property
    def events(self) -> int:
        return self.programmes * self.events_per_programme

    def position(self, programme: int, index: int) -> int:
        """The global position of programme ``programme``'s ``index``-th event (0-based)."""
        if self.order == "interleaved":
            return index * self.programmes + programme + 1
        return programme * self.events_per_programme + index + 1

    def instant(self, position: int) -> datetime:
        """When the event at ``position`` happened and was recorded (whole microseconds)."""
        step = SPAN / self.events
        return START + step * (position - 1)


def programme_key(programme: int) -> str:
    return f"bench-{programme:04d}"


def programme_stream(programme: int) -> str:
    return f"programme:{programme_key(programme)}"


def _id(kind: int, programme: int, number: int) -> UUID:
    return UUID(int=(kind << 96) | (programme << 32) | number)


def raid_id(programme: int, number: int) -> UUID:
    return _id(3, programme, number)


def deliverable_id(programme: int, number: int) -> UUID:
    return _id(1, programme, number)


def _person(number: int) -> PersonRef:
    n = number % PEOPLE_POOL
    return PersonRef(email=f"person{n:03d}@bench.example", name=f"Person {n:03d} Example")


class _Life:
    """Builds one programme's entries, keeping each stream's version for the closure pin."""

    def __init__(self, programme: int, padding: int, *, closing: bool = False) -> None:
        self.p = programme
        self.closing = closing
        self.key = programme_key(programme)
        self.stream = programme_stream(programme)
        self.padding = padding
        self.versions: Counter[str] = Counter()
        self.roster = [_person(programme * 7 + i) for i in range(len(_ROLES))]
        self.sponsor, self.deputy = self.roster[0], _person(programme * 7 + 11)
        self.start = START.date()

    def entry(self, stream: str, data: Event, actor: PersonRef | None = None) -> Entry:
        self.versions[stream] += 1
        who = (actor or self.roster[1]).email
        return (
            stream,
            data,
            Metadata(actor=who, correlation_id=f"{self.key}-{sum(self.versions.values())}"),
        )

    def deliverable(self, d: int) -> tuple[str, UUID]:
        uid = deliverable_id(self.p, d)
        return f"deliverable:{uid}", uid

    def milestone(self, m: int) -> tuple[str, UUID]:
        uid = _id(2, self.p, m)
        return f"milestone:{uid}", uid

    def raid(self, r: int) -> tuple[str, UUID]:
        uid = _id(3, self.p, r)
        return f"risk:{uid}", uid

    def entries(self) -> Iterator[Entry]:
        yield from self.setup()
        steps = DELIVERABLES + SIGN_OFF_LAG
        for step in range(steps):
            yield from self.step(step)
            share = self.padding // steps + (1 if step < self.padding % steps else 0)
            for n in range(share):
                r = (step + n) % min(step + 1, RAID_ITEMS)
                stream, uid = self.raid(r)
                yield self.entry(
                    stream,
                    RiskUpdateLogged(
                        item_id=uid,
                        programme_key=self.key,
                        logged_on=self.start + timedelta(days=7 * step),
                        text=f"Weekly review {step}.{n}: actions on track, owner to report back",
                    ),
                )
        yield from self.close_out()

    def setup(self) -> Iterator[Entry]:
        yield self.entry(
            self.stream,
            ProgrammeRegistered(
                programme_key=self.key,
                name=f"Benchmark transition programme {self.p:04d}",
                starts_on=self.start,
                planned_end_on=self.start + timedelta(days=730),
                registered_on=self.start,
                purpose="Move the council's line-of-business systems to the shared platform.",
                scope="Applications, data migration, service transition and decommissioning.",
                governance="Monthly programme board; weekly transition working group.",
            ),
        )
        for w in range(3):
            yield self.entry(
                self.stream,
                WorkstreamAdded(
                    programme_key=self.key, workstream=f"ws{w}", title=f"Workstream {w}"
                ),
            )
        for o in range(1, 5):
            yield self.entry(
                self.stream,
                OutcomeDefined(
                    programme_key=self.key, number=o, title=f"Outcome {o}: services live"
                ),
            )
        for person, (raci, title) in zip(self.roster, _ROLES, strict=True):
            yield self.entry(
                self.stream,
                RosterMemberAssigned(
                    programme_key=self.key,
                    email=person.email,
                    name=person.name,
                    role_title=title,
                    raci=raci,
                ),
            )
        yield self.entry(
            self.stream,
            DeputyAppointed(
                programme_key=self.key,
                delegation_id=_id(4, self.p, 0),
                deputy=self.deputy.email,
                principal=self.sponsor.email,
                starts_on=self.start,
                ends_on=self.start + timedelta(days=730),
                deputy_name=self.deputy.name,
            ),
        )

    def step(self, s: int) -> Iterator[Entry]:
        if s < DELIVERABLES:
            yield from self.plan(s)
        if 0 <= s - SIGN_OFF_LAG < DELIVERABLES:
            yield from self.sign_off(s - SIGN_OFF_LAG)
        for m in range(MILESTONES):
            if s == m:
                yield from self.baseline(m)
            elif s == m + 10 or s == m + 20:
                yield self.move_milestone(m, second=s == m + 20)
            elif s == m + 30:
                stream, uid = self.milestone(m)
                yield self.entry(
                    stream,
                    MilestoneAchieved(
                        milestone_id=uid,
                        programme_key=self.key,
                        actual=DateValue(date=self.start + timedelta(days=10 * m + 21)),
                    ),
                )
        for r in range(RAID_ITEMS):
            if s == r:
                yield from self.raise_item(r)
            elif s in (r + 2, r + 4, r + 6, r + 8):
                stream, uid = self.raid(r)
                if s == r + 6 and r % 4 == 0:
                    yield self.entry(
                        stream,
                        RiskRescored(
                            item_id=uid,
                            programme_key=self.key,
                            impact=2,
                            likelihood=2,
                            reason="mitigation in place",
                        ),
                    )
                else:
                    yield self.entry(
                        stream,
                        RiskUpdateLogged(
                            item_id=uid,
                            programme_key=self.key,
                            logged_on=self.start + timedelta(days=7 * s),
                            text=f"Update {s - r}: reviewed at the working group",
                        ),
                    )

    def plan(self, d: int) -> Iterator[Entry]:
        stream, uid = self.deliverable(d)
        yield self.entry(self.stream, DeliverableListed(programme_key=self.key, deliverable_id=uid))
        due = self.start + timedelta(days=7 * d + 35)
        yield self.entry(
            stream,
            DeliverablePlanned(
                deliverable_id=uid,
                programme_key=self.key,
                title=f"Deliverable {d + 1:03d}: transition artefact for service {d % 17}",
                due_on=due,
                approvers=(self.sponsor, self.roster[1]),
                endorsers=(self.roster[4], self.roster[5]),
                outcome_number=d % 4 + 1,
                workstream=f"ws{d % 3}",
            ),
        )
        if d % 2 == 0:
            yield self.entry(
                stream,
                DeliverableReplanned(
                    deliverable_id=uid,
                    programme_key=self.key,
                    due_on=due + timedelta(days=14),
                    previous_due_on=due,
                    reason="supplier dependency moved",
                ),
            )

    def sign_off(self, d: int) -> Iterator[Entry]:
        stream, uid = self.deliverable(d)
        key, endorsers = self.key, (self.roster[4], self.roster[5])
        yield self.entry(
            stream, DeliverableSubmitted(deliverable_id=uid, programme_key=key, round=1)
        )
        round_ = 1
        if d % 5 == 0:
            yield self.entry(
                stream,
                DeliverableEndorsed(
                    deliverable_id=uid, programme_key=key, round=1, actor=endorsers[0].email
                ),
                endorsers[0],
            )
            yield self.entry(
                stream,
                DeliverableReturned(
                    deliverable_id=uid,
                    programme_key=key,
                    round=1,
                    comment="Section 3 needs the supplier's test evidence",
                    actor=self.sponsor.email,
                ),
                self.sponsor,
            )
            round_ = 2
            yield self.entry(
                stream,
                DeliverableResubmitted(
                    deliverable_id=uid, programme_key=key, round=2, note="evidence added"
                ),
            )
        for person in endorsers:
            yield self.entry(
                stream,
                DeliverableEndorsed(
                    deliverable_id=uid, programme_key=key, round=round_, actor=person.email
                ),
                person,
            )
        by_deputy = d % 10 == 3
        yield self.entry(
            stream,
            DeliverableApproved(
                deliverable_id=uid,
                programme_key=key,
                round=round_,
                actor=self.deputy.email if by_deputy else self.sponsor.email,
                on_behalf_of=self.sponsor.email if by_deputy else None,
            ),
            self.deputy if by_deputy else self.sponsor,
        )
        yield self.entry(
            stream,
            DeliverableApproved(
                deliverable_id=uid, programme_key=key, round=round_, actor=self.roster[1].email
            ),
        )
        yield self.entry(
            stream,
            DeliverableSignedOff(
                deliverable_id=uid,
                programme_key=key,
                round=round_,
                approvers=(self.sponsor.email, self.roster[1].email),
            ),
        )

    def baseline(self, m: int) -> Iterator[Entry]:
        stream, uid = self.milestone(m)
        yield self.entry(self.stream, MilestoneListed(programme_key=self.key, milestone_id=uid))
        precision: Literal["day", "month"] = "month" if m % 6 == 0 else "day"
        when = self.start + timedelta(days=10 * m + 14)
        if precision == "month":
            when = when.replace(day=1)
        yield self.entry(
            stream,
            MilestoneBaselined(
                milestone_id=uid,
                programme_key=self.key,
                title=f"Milestone {m + 1:02d}: cut-over rehearsal {m % 5 + 1} complete",
                baseline=DateValue(date=when, precision=precision),
                workstream=f"ws{m % 3}",
            ),
        )

    def move_milestone(self, m: int, *, second: bool) -> Entry:
        stream, uid = self.milestone(m)
        base = self.start + timedelta(days=10 * m + 14)
        first = DateValue(date=base + timedelta(days=7))
        if second and m % 3 == 0:
            return self.entry(
                stream,
                MilestoneRebaselined(
                    milestone_id=uid,
                    programme_key=self.key,
                    baseline=DateValue(date=base + timedelta(days=7)),
                    previous_baseline=DateValue(date=base),
                    reason="board approved the re-plan",
                ),
            )
        previous = first if second else DateValue(date=base)
        return self.entry(
            stream,
            MilestoneReforecast(
                milestone_id=uid,
                programme_key=self.key,
                forecast=DateValue(date=base + timedelta(days=14 if second else 7)),
                previous_forecast=previous,
                reason="test environment late" if second else "supplier slip",
            ),
        )

    def raise_item(self, r: int) -> Iterator[Entry]:
        stream, uid = self.raid(r)
        kind = _KINDS[r % 4]
        ref = f"{kind[0].upper()}{r + 1:03d}"
        yield self.entry(
            self.stream,
            RaidRefReserved(programme_key=self.key, ref=ref, item_id=uid, kind=kind),
        )
        yield self.entry(
            stream,
            RiskRaised(
                item_id=uid,
                programme_key=self.key,
                ref=ref,
                kind=kind,
                description=f"{kind.title()} {r + 1}: data migration may overrun its window",
                owner=self.roster[1 + r % 3],
                impact=r % 5 + 1,
                likelihood=None if kind == "issue" else (r * 3) % 5 + 1,
                mitigation="Rehearse twice; agree a fallback with the supplier.",
            ),
        )

    def close_out(self) -> Iterator[Entry]:
        for r in range(0, RAID_ITEMS, 2):
            stream, uid = self.raid(r)
            yield self.entry(
                stream, RiskClosed(item_id=uid, programme_key=self.key, note="no longer expected")
            )
        for n in range(1, 11):
            yield self.entry(
                self.stream,
                LearningPointRecorded(
                    programme_key=self.key,
                    learning_point_id=_id(5, self.p, n),
                    number=n,
                    description=f"Learning point {n}: engage the supplier earlier",
                    recommendation="Start contract change notices a quarter ahead.",
                    responsible="PMO",
                ),
            )
        for n in range(1, 6):
            yield self.entry(
                self.stream,
                CloseOutRecommendationRecorded(
                    programme_key=self.key,
                    recommendation_id=_id(6, self.p, n),
                    number=n,
                    description=f"Recommendation {n}: keep the runbook current",
                    responsible="Service Owner",
                ),
            )
        for n in range(1, 6):
            yield self.entry(
                self.stream,
                NextStepRecorded(
                    programme_key=self.key,
                    next_step_id=_id(7, self.p, n),
                    number=n,
                    description=f"Next step {n}: hand over to business as usual",
                    responsible="Service Owner",
                ),
            )
        endorsers = tuple(
            p for p, (raci, _) in zip(self.roster, _ROLES, strict=True) if raci in "RC"
        )
        informed = tuple(p for p, (raci, _) in zip(self.roster, _ROLES, strict=True) if raci == "I")
        pins = tuple(
            StreamVersion(stream_id=s, version=v)
            for s, v in sorted(self.versions.items())
            if s != self.stream
        )
        yield self.entry(
            self.stream,
            ClosureReportSubmitted(
                programme_key=self.key,
                revision=1,
                approver=self.sponsor,
                endorsers=endorsers,
                informed=informed,
                programme_version=self.versions[self.stream],
                items=pins,
                summary="All outcomes delivered; two deliverables carried into service.",
            ),
        )
        for person in endorsers:
            yield self.entry(
                self.stream,
                ClosureReportEndorsed(programme_key=self.key, revision=1, actor=person.email),
                person,
            )
        if self.closing:
            for n in range(2):
                stream, uid = self.raid(1 + 2 * n)
                yield self.entry(
                    stream,
                    RiskUpdateLogged(
                        item_id=uid,
                        programme_key=self.key,
                        logged_on=self.start + timedelta(days=700 + n),
                        text="Awaiting the sponsor's approval of the closure report",
                    ),
                )
            return
        yield self.entry(
            self.stream,
            ClosureReportApproved(
                programme_key=self.key,
                revision=1,
                actor=self.sponsor.email,
                informed=tuple(p.email for p in informed),
            ),
            self.sponsor,
        )
        yield self.entry(
            self.stream,
            ProgrammeClosed(programme_key=self.key, closed_on=self.start + timedelta(days=729)),
        )


@cache
def base_events_per_programme() -> int:
    """Events of one programme's life before padding."""
    return sum(1 for _ in _Life(0, 0).entries())


def programme_entries(
    programme: int, events_per_programme: int, *, closing: bool = False
) -> Iterator[Entry]:
    """Exactly ``events_per_programme`` entries of programme ``programme``, in order
    (``closing``: the closure report not yet approved, see ``Shape.open_every``)."""
    padding = events_per_programme - base_events_per_programme()
    if padding < 0:
        raise ValueError(
            f"a programme's life takes at least {base_events_per_programme()} events, "
            f"not {events_per_programme}"
        )
    return _Life(programme, padding, closing=closing).entries()


def ordered_entries(shape: Shape) -> Iterator[Entry]:
    """Every entry of the portfolio in position order."""
    if shape.order == "grouped":
        for p in range(shape.programmes):
            yield from programme_entries(p, shape.events_per_programme, closing=shape.is_open(p))
        return
    lives = [
        programme_entries(p, shape.events_per_programme, closing=shape.is_open(p))
        for p in range(shape.programmes)
    ]
    for _ in range(shape.events_per_programme):
        for life in lives:
            yield next(life)


def raw_events(shape: Shape) -> Iterator[RawEvent]:
    """The portfolio as stored rows, hash-chained per stream, in position order."""
    heads: dict[str, tuple[int, str]] = {}
    for index, (stream, data, metadata) in enumerate(ordered_entries(shape)):
        position = index + 1
        at = shape.instant(position)
        version, previous = heads.get(stream, (0, GENESIS_HASH))
        (row,) = build_rows(
            stream,
            [
                NewEvent(
                    data=data,
                    occurred_at=at,
                    metadata=metadata,
                    event_id=UUID(int=(15 << 124) | position),
                )
            ],
            head_version=version,
            head_hash=previous,
            recorded_at=at,
            idempotency_key=None,
            max_event_bytes=_MAX_EVENT_BYTES,
        )
        heads[stream] = (row.version, row.hash)
        instant = format_instant(at)
        yield RawEvent(
            position=position,
            event_id=row.event_id,
            stream_id=stream,
            version=row.version,
            type=row.type,
            schema_version=row.schema_version,
            occurred_at=instant,
            recorded_at=instant,
            data=msgspec.Raw(row.data.encode()),
            metadata=msgspec.Raw(row.metadata.encode()),
            hash=row.hash,
        )


def live_deliverable(programme: int, number: int) -> Iterator[tuple[str, Event, PersonRef]]:
    """The events a live deliverable adds to ``programme`` (the lag benchmark's writes): listed,
    planned, submitted, endorsed twice, approved twice, signed off; with the acting person."""
    life = _Life(programme, 0)
    uid = _id(8, programme, number)
    stream, key = f"deliverable:{uid}", life.key
    endorsers = (life.roster[4], life.roster[5])
    approvers = (life.sponsor, life.roster[1])
    today = datetime.now(UTC).date()
    yield life.stream, DeliverableListed(programme_key=key, deliverable_id=uid), life.roster[1]
    yield (
        stream,
        DeliverablePlanned(
            deliverable_id=uid,
            programme_key=key,
            title=f"Live deliverable {number}: operational acceptance",
            due_on=today + timedelta(days=30),
            approvers=approvers,
            endorsers=endorsers,
            outcome_number=number % 4 + 1,
            workstream=f"ws{number % 3}",
        ),
        life.roster[1],
    )
    yield (
        stream,
        DeliverableSubmitted(deliverable_id=uid, programme_key=key, round=1),
        life.roster[1],
    )
    for person in endorsers:
        yield (
            stream,
            DeliverableEndorsed(deliverable_id=uid, programme_key=key, round=1, actor=person.email),
            person,
        )
    for person in approvers:
        yield (
            stream,
            DeliverableApproved(deliverable_id=uid, programme_key=key, round=1, actor=person.email),
            person,
        )
    yield (
        stream,
        DeliverableSignedOff(
            deliverable_id=uid,
            programme_key=key,
            round=1,
            approvers=tuple(p.email for p in approvers),
        ),
        life.sponsor,
    )
