"""A programme written event by event, for projection tests: pure (``view()`` folds the events
with made-up positions) or stored (``append_to`` appends them one at a time, advancing the
clock). Ids are small readable UUIDs (``UUID(int=n)``) in the order the items are created."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

from tracker.clock import FixedClock
from tracker.events.base import Event, Metadata, NewEvent, StoredEvent
from tracker.events.closure import (
    ClosureReportApproved,
    ClosureReportEndorsed,
    ClosureReportSubmitted,
    ReportSection,
)
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverableDeferred,
    DeliverableEndorsed,
    DeliverablePlanned,
    DeliverableResubmitted,
    DeliverableReturned,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.gates import GateApproved, GateDefined, GatePassed
from tracker.events.milestones import (
    MilestoneAchieved,
    MilestoneBaselined,
    MilestoneRebaselined,
    MilestoneReforecast,
)
from tracker.events.programmes import (
    CloseOutRecommendationRecorded,
    DeliverableListed,
    DeputyAppointed,
    GateListed,
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
from tracker.events.risks import RiskClosed, RiskRaised, RiskUpdateLogged
from tracker.events.store import EventStore
from tracker.events.values import DateValue, PersonRef
from tracker.projections.read_model.fold import fold
from tracker.projections.read_model.views import ProgrammeView

RECORDED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Recorded times of pure folds: RECORDED plus one minute per position."""


def person(email: str, name: str) -> PersonRef:
    return PersonRef(email=email, name=name)


def day(text: str) -> DateValue:
    return DateValue(date=date.fromisoformat(text))


def month(year: int, number: int) -> DateValue:
    return DateValue(date=date(year, number, 1), precision="month")


class Script:
    """The events of one programme, in the order they will be stored."""

    def __init__(self, key: str = "test-transition", *, first_id: int = 0) -> None:
        self.key = key
        self.entries: list[tuple[str, NewEvent]] = []
        self._ids = first_id
        """Ids are ``UUID(int=first_id + n)``: give scripts sharing a store distinct ranges."""

    @property
    def stream(self) -> str:
        return f"programme:{self.key}"

    def new_id(self) -> UUID:
        self._ids += 1
        return UUID(int=self._ids)

    def add(
        self,
        stream: str,
        data: Event,
        on: date,
        *,
        source: dict[str, str] | None = None,
        actor: str | None = None,
    ) -> None:
        self.entries.append(
            (
                stream,
                NewEvent(
                    data=data,
                    occurred_at=datetime.combine(on, time(9), tzinfo=UTC),
                    metadata=Metadata(actor=actor, source=source or {}),
                    event_id=uuid4(),
                ),
            )
        )

    # The programme stream.

    def register(
        self,
        name: str,
        on: date,
        *,
        starts_on: date,
        planned_end_on: date,
        purpose: str = "",
        scope: str = "",
        governance: str = "",
    ) -> None:
        self.add(
            self.stream,
            ProgrammeRegistered(
                programme_key=self.key,
                name=name,
                starts_on=starts_on,
                planned_end_on=planned_end_on,
                registered_on=on,
                purpose=purpose,
                scope=scope,
                governance=governance,
            ),
            on,
        )

    def workstream(self, code: str, title: str, on: date) -> None:
        self.add(
            self.stream, WorkstreamAdded(programme_key=self.key, workstream=code, title=title), on
        )

    def member(
        self,
        who: PersonRef,
        role: str,
        raci: RaciLetter,
        on: date,
        source: dict[str, str] | None = None,
    ) -> None:
        self.add(
            self.stream,
            RosterMemberAssigned(
                programme_key=self.key, email=who.email, name=who.name, role_title=role, raci=raci
            ),
            on,
            source=source,
        )

    def deputy(
        self, deputy: PersonRef, principal: PersonRef, starts_on: date, ends_on: date, on: date
    ) -> UUID:
        delegation = self.new_id()
        self.add(
            self.stream,
            DeputyAppointed(
                programme_key=self.key,
                delegation_id=delegation,
                deputy=deputy.email,
                principal=principal.email,
                starts_on=starts_on,
                ends_on=ends_on,
                deputy_name=deputy.name,
            ),
            on,
        )
        return delegation

    def outcome(self, number: int, title: str, on: date) -> None:
        self.add(
            self.stream, OutcomeDefined(programme_key=self.key, number=number, title=title), on
        )

    def learning_point(
        self, number: int, description: str, recommendation: str, responsible: str, on: date
    ) -> UUID:
        note = self.new_id()
        self.add(
            self.stream,
            LearningPointRecorded(
                programme_key=self.key,
                learning_point_id=note,
                number=number,
                description=description,
                recommendation=recommendation,
                responsible=responsible,
            ),
            on,
        )
        return note

    def recommendation(self, number: int, description: str, responsible: str, on: date) -> UUID:
        note = self.new_id()
        self.add(
            self.stream,
            CloseOutRecommendationRecorded(
                programme_key=self.key,
                recommendation_id=note,
                number=number,
                description=description,
                responsible=responsible,
            ),
            on,
        )
        return note

    def next_step(
        self,
        number: int,
        description: str,
        responsible: str,
        on: date,
        deliverable: UUID | None = None,
    ) -> UUID:
        note = self.new_id()
        self.add(
            self.stream,
            NextStepRecorded(
                programme_key=self.key,
                next_step_id=note,
                number=number,
                description=description,
                responsible=responsible,
                deliverable_id=deliverable,
            ),
            on,
        )
        return note

    # Deliverables.

    def deliverable(
        self,
        title: str,
        due_on: date,
        approvers: Iterable[PersonRef],
        on: date,
        *,
        outcome: int | None = None,
        endorsers: Iterable[PersonRef] = (),
        source: dict[str, str] | None = None,
        due_assumed: bool = False,
    ) -> UUID:
        item = self.new_id()
        self.add(self.stream, DeliverableListed(programme_key=self.key, deliverable_id=item), on)
        self.add(
            f"deliverable:{item}",
            DeliverablePlanned(
                deliverable_id=item,
                programme_key=self.key,
                title=title,
                due_on=due_on,
                approvers=tuple(approvers),
                endorsers=tuple(endorsers),
                outcome_number=outcome,
                due_assumed=due_assumed,
            ),
            on,
            source=source,
        )
        return item

    def submit(self, item: UUID, on: date, round: int = 1) -> None:
        cls = DeliverableSubmitted if round == 1 else DeliverableResubmitted
        self.add(
            f"deliverable:{item}", cls(deliverable_id=item, programme_key=self.key, round=round), on
        )

    def endorse(
        self,
        item: UUID,
        actor: PersonRef,
        on: date,
        round: int = 1,
        behalf: PersonRef | None = None,
    ) -> None:
        self.add(
            f"deliverable:{item}",
            DeliverableEndorsed(
                deliverable_id=item,
                programme_key=self.key,
                round=round,
                actor=actor.email,
                on_behalf_of=behalf.email if behalf else None,
            ),
            on,
            actor=actor.email,
        )

    def approve(
        self,
        item: UUID,
        actor: PersonRef,
        on: date,
        round: int = 1,
        behalf: PersonRef | None = None,
    ) -> None:
        self.add(
            f"deliverable:{item}",
            DeliverableApproved(
                deliverable_id=item,
                programme_key=self.key,
                round=round,
                actor=actor.email,
                on_behalf_of=behalf.email if behalf else None,
            ),
            on,
            actor=actor.email,
        )

    def signed_off(
        self, item: UUID, approvers: Iterable[PersonRef], on: date, round: int = 1
    ) -> None:
        self.add(
            f"deliverable:{item}",
            DeliverableSignedOff(
                deliverable_id=item,
                programme_key=self.key,
                round=round,
                approvers=tuple(a.email for a in approvers),
            ),
            on,
        )

    def sign_off(
        self, item: UUID, actor: PersonRef, on: date, behalf: PersonRef | None = None
    ) -> None:
        """Submit, approve and sign off on one day (a single approver)."""
        self.submit(item, on)
        self.approve(item, actor, on, behalf=behalf)
        self.signed_off(item, [behalf or actor], on)

    def return_(self, item: UUID, actor: PersonRef, comment: str, on: date, round: int = 1) -> None:
        self.add(
            f"deliverable:{item}",
            DeliverableReturned(
                deliverable_id=item,
                programme_key=self.key,
                round=round,
                comment=comment,
                actor=actor.email,
            ),
            on,
        )

    def defer(self, item: UUID, reason: str, destination: str, on: date) -> None:
        self.add(
            f"deliverable:{item}",
            DeliverableDeferred(
                deliverable_id=item,
                programme_key=self.key,
                reason=reason,
                destination=destination,
            ),
            on,
        )

    # Milestones.

    def milestone(
        self, title: str, baseline: DateValue, on: date, workstream: str | None = None
    ) -> UUID:
        item = self.new_id()
        self.add(self.stream, MilestoneListed(programme_key=self.key, milestone_id=item), on)
        self.add(
            f"milestone:{item}",
            MilestoneBaselined(
                milestone_id=item,
                programme_key=self.key,
                title=title,
                baseline=baseline,
                workstream=workstream,
            ),
            on,
        )
        return item

    def reforecast(
        self, item: UUID, forecast: DateValue, previous: DateValue, reason: str, on: date
    ) -> None:
        self.add(
            f"milestone:{item}",
            MilestoneReforecast(
                milestone_id=item,
                programme_key=self.key,
                forecast=forecast,
                previous_forecast=previous,
                reason=reason,
            ),
            on,
        )

    def rebaseline(
        self, item: UUID, baseline: DateValue, previous: DateValue, reason: str, on: date
    ) -> None:
        self.add(
            f"milestone:{item}",
            MilestoneRebaselined(
                milestone_id=item,
                programme_key=self.key,
                baseline=baseline,
                previous_baseline=previous,
                reason=reason,
            ),
            on,
        )

    def achieve(self, item: UUID, actual: DateValue, on: date) -> None:
        self.add(
            f"milestone:{item}",
            MilestoneAchieved(milestone_id=item, programme_key=self.key, actual=actual),
            on,
        )

    # Phase gates.

    def gate(
        self,
        title: str,
        order: int,
        deliverables: list[UUID],
        milestones: list[UUID],
        approvers: list[PersonRef],
        on: date,
    ) -> UUID:
        item = self.new_id()
        self.add(self.stream, GateListed(programme_key=self.key, gate_id=item), on)
        self.add(
            f"gate:{item}",
            GateDefined(
                gate_id=item,
                programme_key=self.key,
                title=title,
                order=order,
                deliverables=tuple(deliverables),
                milestones=tuple(milestones),
                approvers=tuple(approvers),
            ),
            on,
        )
        return item

    def approve_gate(
        self,
        item: UUID,
        actor: PersonRef,
        on: date,
        *,
        behalf: PersonRef | None = None,
        passes: bool = False,
    ) -> None:
        approved = GateApproved(
            gate_id=item,
            programme_key=self.key,
            actor=actor.email,
            on_behalf_of=behalf.email if behalf else None,
        )
        self.add(f"gate:{item}", approved, on, actor=actor.email)
        if passes:
            self.add(f"gate:{item}", GatePassed(gate_id=item, programme_key=self.key), on)

    # RAID items.

    def raid(
        self,
        ref: str,
        kind: RaidKind,
        description: str,
        owner: PersonRef,
        on: date,
        *,
        impact: int | None = None,
        likelihood: int | None = None,
    ) -> UUID:
        item = self.new_id()
        self.add(
            self.stream,
            RaidRefReserved(programme_key=self.key, ref=ref, item_id=item, kind=kind),
            on,
        )
        self.add(
            f"risk:{item}",
            RiskRaised(
                item_id=item,
                programme_key=self.key,
                ref=ref,
                kind=kind,
                description=description,
                owner=owner,
                impact=impact,
                likelihood=likelihood,
            ),
            on,
        )
        return item

    def raid_update(self, item: UUID, text: str, on: date) -> None:
        self.add(
            f"risk:{item}",
            RiskUpdateLogged(item_id=item, programme_key=self.key, logged_on=on, text=text),
            on,
        )

    def close_raid(self, item: UUID, note: str, on: date) -> None:
        self.add(f"risk:{item}", RiskClosed(item_id=item, programme_key=self.key, note=note), on)

    # The closure report.

    def submit_closure(
        self,
        approver: PersonRef,
        endorsers: Iterable[PersonRef],
        informed: Iterable[PersonRef],
        on: date,
        revision: int = 1,
        *,
        presenters: tuple[str, ...] = (),
        sections: tuple[ReportSection, ...] = (),
    ) -> None:
        self.add(
            self.stream,
            ClosureReportSubmitted(
                programme_key=self.key,
                revision=revision,
                approver=approver,
                endorsers=tuple(endorsers),
                informed=tuple(informed),
                programme_version=0,
                items=(),
                presenters=presenters,
                sections=sections,
            ),
            on,
        )

    def endorse_closure(
        self, actor: PersonRef, on: date, revision: int = 1, behalf: PersonRef | None = None
    ) -> None:
        self.add(
            self.stream,
            ClosureReportEndorsed(
                programme_key=self.key,
                revision=revision,
                actor=actor.email,
                on_behalf_of=behalf.email if behalf else None,
            ),
            on,
        )

    def approve_closure(
        self,
        actor: PersonRef,
        on: date,
        *,
        revision: int = 1,
        behalf: PersonRef | None = None,
        override_reason: str | None = None,
        missing: Iterable[PersonRef] = (),
    ) -> None:
        self.add(
            self.stream,
            ClosureReportApproved(
                programme_key=self.key,
                revision=revision,
                actor=actor.email,
                on_behalf_of=behalf.email if behalf else None,
                override_reason=override_reason,
                endorsements_missing=tuple(m.email for m in missing),
            ),
            on,
        )

    # Folding and storing.

    def stored(self, upto: int | None = None) -> list[StoredEvent]:
        """The first ``upto`` entries as a store would hold them (positions from 1)."""
        versions: dict[str, int] = {}
        out: list[StoredEvent] = []
        for position, (stream, event) in enumerate(self.entries[:upto], start=1):
            versions[stream] = versions.get(stream, 0) + 1
            out.append(
                StoredEvent(
                    position=position,
                    stream_id=stream,
                    version=versions[stream],
                    event_id=event.event_id,
                    type=type(event.data).__name__,
                    schema_version=type(event.data).schema_version,
                    data=event.data,
                    metadata=event.metadata,
                    occurred_at=event.occurred_at,
                    recorded_at=RECORDED + timedelta(minutes=position),
                    hash="",
                )
            )
        return out

    def view(self, upto: int | None = None) -> ProgrammeView:
        return fold(self.key, self.stored(upto))


async def append_one(store: EventStore, stream: str, event: NewEvent) -> int:
    """Append after whatever the stream holds; returns the event's position."""
    version = await store.stream_version(stream)
    result = await store.append(stream, [event], version)
    return result.last_position


async def append_all(
    store: EventStore, script: Script, clock: FixedClock, step: timedelta = timedelta(minutes=5)
) -> None:
    for stream, event in script.entries:
        clock.advance(step)
        await append_one(store, stream, event)
