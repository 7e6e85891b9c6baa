"""Handlers on a real store (SQLite and PostgreSQL): load, decide, append with the expected
version; metadata, effective times and no-ops as stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from tests.builders import (
    ANDREW,
    ANTONY,
    GABBY,
    GLYN,
    KEY,
    MIKE,
    PAPERS_REASON,
    PAUL,
    RACHAEL,
    ROB,
    START,
    STRANGER,
    PaperHandlers,
    Person,
    at,
    ctx,
    day,
)
from tracker.clock import FixedClock
from tracker.commands import (
    AppointDeputy,
    ApproveClosureReport,
    ApproveDeliverable,
    AssignRosterMember,
    BaselineMilestone,
    DefineOutcome,
    EndorseClosureReport,
    PlanDeliverable,
    RaiseRisk,
    RegisterProgramme,
    ReplanDeliverable,
    SubmitClosureReport,
    SubmitDeliverable,
)
from tracker.deliverable_signoff import decide_submit
from tracker.deliverables import deliverable_stream
from tracker.errors import NotFound, RuleBroken, StreamConflict
from tracker.events.base import Metadata, NewEvent
from tracker.events.closure import ClosureReportSubmitted
from tracker.events.deliverables import DeliverableApproved
from tracker.events.programmes import DeliverableListed
from tracker.events.store import EventStore
from tracker.events.values import DateValue
from tracker.handlers import Handlers
from tracker.programmes import programme_stream

ROSTER = [
    (MIKE, "A", "Sponsor"),
    (GLYN, "R", "Transition Lead Officer"),
    (ROB, "R", "Legal Counsel"),
    (GABBY, "R", "Programme Assurance"),
    (ANTONY, "R", "SOCITM Advisory Programme Manager"),
    (ANDREW, "C", "SOCITM Advisory Lead"),
    (RACHAEL, "R", "Procurement"),
]


async def set_up_btls(handlers: Handlers) -> None:
    await handlers.handle(
        RegisterProgramme(
            programme_key=KEY,
            name="BTLS transition",
            starts_on=START,
            planned_end_on=day("2021-04-01"),
            occurred_at=at(START),
        )
    )
    for person, raci, role in ROSTER:
        await handlers.handle(
            AssignRosterMember(
                programme_key=KEY,
                email=person.email,
                name=person.name,
                role_title=role,
                raci=raci,
                occurred_at=at(START),
            )
        )


async def plan(
    handlers: Handlers, *approvers: Person, occurred_at: datetime | None = None
) -> PlanDeliverable:
    command = PlanDeliverable(
        programme_key=KEY,
        title="Catalogue Matrix of Services provided to Beneficiaries",
        due_on=day("2021-03-18"),
        approvers=tuple(p.ref for p in approvers),
        deliverable_id=uuid4(),
        occurred_at=occurred_at or at("2020-11-01"),
    )
    await handlers.handle(command)
    return command


async def test_a_joint_sign_off_is_stored_with_who_did_it_and_when_it_happened(
    store: EventStore, clock: FixedClock
) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    planned = await plan(handlers, GABBY, PAUL)
    assert planned.deliverable_id is not None
    await handlers.handle(
        SubmitDeliverable(deliverable_id=planned.deliverable_id, occurred_at=at("2021-03-01"))
    )
    first = await handlers.handle(
        ApproveDeliverable(
            deliverable_id=planned.deliverable_id, actor=GABBY.email, occurred_at=at("2021-03-17")
        )
    )
    last = await handlers.handle(
        ApproveDeliverable(
            deliverable_id=planned.deliverable_id,
            actor=PAUL.email.upper(),
            occurred_at=at("2021-03-18"),
            source={"document": "003", "row": "outcome 4"},
        )
    )
    assert first.recorded == ("DeliverableApproved",)
    assert last.recorded == ("DeliverableApproved", "DeliverableSignedOff")
    assert last.position is not None and first.position is not None
    assert last.position > first.position
    stored = await store.read_stream(deliverable_stream(planned.deliverable_id))
    assert [e.type for e in stored] == [
        "DeliverablePlanned",
        "DeliverableSubmitted",
        "DeliverableApproved",
        "DeliverableApproved",
        "DeliverableSignedOff",
    ]
    signed_off = stored[-1]
    assert signed_off.occurred_at == at("2021-03-18")
    assert signed_off.recorded_at == clock.now()
    assert signed_off.metadata == Metadata(
        actor=PAUL.email,
        source={"document": "003", "row": "outcome 4"},
        backdating_reason=PAPERS_REASON,
    )
    assert last.version == 5


async def test_a_deputy_approval_records_actor_and_on_behalf_of_in_data_and_metadata(
    store: EventStore, clock: FixedClock
) -> None:
    # Recorded while the delegation still runs: a deputy's authority must hold on the day of
    # recording as well as on the day the approval is dated (docs/domain.md).
    clock.set(at("2021-06-01"))
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    await handlers.handle(
        AppointDeputy(
            programme_key=KEY,
            deputy_email=GLYN.email,
            for_email=MIKE.email,
            starts_on=day("2021-01-01"),
            ends_on=day("2021-06-30"),
            occurred_at=at("2021-01-01"),
        )
    )
    planned = await plan(handlers, MIKE)
    assert planned.deliverable_id is not None
    await handlers.handle(
        SubmitDeliverable(deliverable_id=planned.deliverable_id, occurred_at=at("2021-02-26"))
    )
    await handlers.handle(
        ApproveDeliverable(
            deliverable_id=planned.deliverable_id, actor=GLYN.email, occurred_at=at("2021-03-01")
        )
    )
    stored = await store.read_stream(deliverable_stream(planned.deliverable_id))
    approval = stored[2]
    assert isinstance(approval.data, DeliverableApproved)
    assert (approval.data.actor, approval.data.on_behalf_of) == (GLYN.email, MIKE.email)
    assert (approval.metadata.actor, approval.metadata.on_behalf_of) == (GLYN.email, MIKE.email)


async def test_a_repeated_approval_writes_nothing_to_the_store(
    store: EventStore, clock: FixedClock
) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    planned = await plan(handlers, GABBY, PAUL)
    assert planned.deliverable_id is not None
    await handlers.handle(SubmitDeliverable(deliverable_id=planned.deliverable_id))
    approve = ApproveDeliverable(deliverable_id=planned.deliverable_id, actor=GABBY.email)
    await handlers.handle(approve)
    again = await handlers.handle(approve)
    assert (again.recorded, again.position, again.version) == ((), None, 3)
    assert await store.stream_version(deliverable_stream(planned.deliverable_id)) == 3


async def test_a_refused_command_writes_nothing(store: EventStore, clock: FixedClock) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    planned = await plan(handlers, GABBY)
    assert planned.deliverable_id is not None
    await handlers.handle(SubmitDeliverable(deliverable_id=planned.deliverable_id))
    with pytest.raises(RuleBroken):
        await handlers.handle(
            ApproveDeliverable(deliverable_id=planned.deliverable_id, actor=STRANGER.email)
        )
    assert await store.stream_version(deliverable_stream(planned.deliverable_id)) == 2


async def test_occurred_at_in_the_future_is_refused(store: EventStore, clock: FixedClock) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(
            DefineOutcome(
                programme_key=KEY,
                number=1,
                title="Management structure",
                occurred_at=clock.now() + timedelta(minutes=1),
            )
        )
    assert refused.value.code == "occurred_in_future"


async def test_occurred_at_before_the_programme_started_is_refused(
    store: EventStore, clock: FixedClock
) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    with pytest.raises(RuleBroken) as refused:
        await plan(handlers, GABBY, occurred_at=at("2019-09-30"))
    assert refused.value.code == "occurred_before_start"


async def test_a_command_on_an_unknown_deliverable_is_not_found(
    store: EventStore, clock: FixedClock
) -> None:
    with pytest.raises(NotFound):
        await PaperHandlers(store, clock).handle(
            ApproveDeliverable(deliverable_id=uuid4(), actor=GABBY.email)
        )


async def test_a_decision_on_a_stale_version_conflicts(
    store: EventStore, clock: FixedClock
) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    planned = await plan(handlers, GABBY)
    assert planned.deliverable_id is not None
    stream = deliverable_stream(planned.deliverable_id)
    loaded = await handlers.load_deliverable(stream)
    submit = SubmitDeliverable(deliverable_id=planned.deliverable_id)
    context = ctx("2021-03-01")
    decided = decide_submit(
        (await handlers.load_programme(KEY)).state, loaded.state, submit, context
    )
    await handlers.handle(
        ReplanDeliverable(
            deliverable_id=planned.deliverable_id, due_on=day("2021-04-01"), reason="Slipped"
        )
    )
    with pytest.raises(StreamConflict):
        await handlers.append(stream, decided, loaded.version, submit, context)
    assert await store.stream_version(stream) == 2


async def test_raid_refs_stay_unique_through_the_programme_stream(
    store: EventStore, clock: FixedClock
) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    raise_r1 = RaiseRisk(
        programme_key=KEY,
        kind="issue",
        ref="R1",
        description="Contract register incomplete",
        owner=GLYN.ref,
        impact=3,
    )
    created = await handlers.handle(raise_r1)
    assert created.created_id is not None
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(msgspec.structs.replace(raise_r1, ref="r1"))
    assert refused.value.code == "duplicate_ref"


async def test_a_creation_interrupted_between_its_two_appends_is_finished_by_a_retry(
    store: EventStore, clock: FixedClock
) -> None:
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    deliverable_id = uuid4()
    version = await store.stream_version(programme_stream(KEY))
    await store.append(
        programme_stream(KEY),
        [
            NewEvent(
                data=DeliverableListed(programme_key=KEY, deliverable_id=deliverable_id),
                occurred_at=clock.now(),
            )
        ],
        version,
    )
    result = await handlers.handle(
        PlanDeliverable(
            programme_key=KEY,
            title="DR Plan",
            due_on=day("2021-01-07"),
            deliverable_id=deliverable_id,
        )
    )
    assert result.recorded == ("DeliverablePlanned",)
    listed = [
        e
        for e in await store.read_stream(programme_stream(KEY))
        if isinstance(e.data, DeliverableListed)
    ]
    assert len(listed) == 1


async def test_closure_pins_the_report_and_closes_the_programme_to_plan_changes(
    store: EventStore, clock: FixedClock
) -> None:
    # Recorded in June 2021, while Glyn deputises for Mike (his approval of the closure report
    # needs the delegation on the day of recording too).
    clock.set(at("2021-06-30"))
    handlers = PaperHandlers(store, clock)
    await set_up_btls(handlers)
    await handlers.handle(
        AppointDeputy(
            programme_key=KEY,
            deputy_email=GLYN.email,
            for_email=MIKE.email,
            starts_on=day("2021-01-01"),
            ends_on=day("2021-06-30"),
        )
    )
    late = await plan(handlers, PAUL)
    assert late.deliverable_id is not None
    await handlers.handle(SubmitDeliverable(deliverable_id=late.deliverable_id))
    milestone = await handlers.handle(
        BaselineMilestone(
            programme_key=KEY, title="Transition", baseline=DateValue(date=day("2021-04-01"))
        )
    )
    submitted = await handlers.handle(
        SubmitClosureReport(programme_key=KEY, occurred_at=at("2021-04-20"))
    )
    stored = await store.read_stream(programme_stream(KEY))
    report = stored[-1].data
    assert isinstance(report, ClosureReportSubmitted)
    assert report.programme_version == submitted.version - 1
    assert {(i.stream_id, i.version) for i in report.items} == {
        (deliverable_stream(late.deliverable_id), 2),
        (f"milestone:{milestone.created_id}", 1),
    }
    for person in (GLYN, ROB, GABBY, ANTONY, RACHAEL):
        await handlers.handle(
            EndorseClosureReport(
                programme_key=KEY, actor=person.email, occurred_at=at("2021-04-21")
            )
        )
    with pytest.raises(RuleBroken) as refused:
        await handlers.handle(
            ApproveClosureReport(programme_key=KEY, actor=GLYN.email, occurred_at=at("2021-04-22"))
        )
    assert refused.value.message.startswith("awaiting endorsement from: Andrew Rogers")
    approved = await handlers.handle(
        ApproveClosureReport(
            programme_key=KEY,
            actor=GLYN.email,
            override_reason="Consulted by e-mail; reply awaited",
            occurred_at=at("2021-04-22"),
        )
    )
    assert approved.recorded == ("ClosureReportApproved", "ProgrammeClosed")
    closed = await handlers.load_programme(KEY)
    assert closed.state.lifecycle == "closed"
    with pytest.raises(RuleBroken) as plan_change:
        await plan(handlers, PAUL)
    assert plan_change.value.code == "programme_closed"
    clock.set(at("2021-12-01"))
    late_sign_off = await handlers.handle(
        ApproveDeliverable(
            deliverable_id=late.deliverable_id, actor=PAUL.email, occurred_at=at("2021-11-27")
        )
    )
    assert late_sign_off.recorded == ("DeliverableApproved", "DeliverableSignedOff")
