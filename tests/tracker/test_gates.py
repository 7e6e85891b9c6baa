"""Phase gates through the handlers on a real store (SQLite and PostgreSQL), read back through the
read model: refused while anything it waits for is not done, passed by its last approval,
deputies as for deliverables, a back-dated approval judged on the criteria of its day, and a
passed gate kept passed (with a data-quality finding) when an item of it is reopened."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from tests.builders import (
    ANDREW,
    GABBY,
    GLYN,
    KEY,
    MIKE,
    PAUL,
    ROB,
    STRANGER,
    PaperHandlers,
    at,
    day,
)
from tests.conftest import ReadSide
from tests.tracker.test_handlers import plan, set_up_btls
from tracker.calendar import WorkingCalendar
from tracker.clock import FixedClock
from tracker.commands import (
    AchieveMilestone,
    AppointDeputy,
    ApproveDeliverable,
    ApproveGate,
    BaselineMilestone,
    DefineGate,
    ReopenDeliverable,
    SubmitDeliverable,
)
from tracker.errors import Forbidden, InvalidInput, NotFound, RuleBroken
from tracker.events.values import DateValue
from tracker.gates import GateNotReady, gate_stream
from tracker.projections.read_model.reader import fold_from_store
from tracker.projections.reports.data_quality import findings
from tracker.projections.reports.gates import gate_rows
from tracker.rag import RagThresholds

CALENDAR = WorkingCalendar()
THRESHOLDS = RagThresholds()


async def _milestone(handlers: PaperHandlers, title: str = "Service live") -> UUID:
    milestone_id = uuid4()
    await handlers.handle(
        BaselineMilestone(
            programme_key=KEY,
            title=title,
            baseline=DateValue(date=date(2021, 3, 1), precision="month"),
            milestone_id=milestone_id,
            occurred_at=at("2020-11-01"),
        )
    )
    return milestone_id


async def _gate(
    handlers: PaperHandlers, deliverable: UUID, milestone: UUID, *, title: str = "Go-live"
) -> UUID:
    gate_id = uuid4()
    await handlers.handle(
        DefineGate(
            programme_key=KEY,
            title=title,
            order=1,
            deliverables=(deliverable,),
            milestones=(milestone,),
            approvers=(MIKE.ref, GLYN.ref),
            gate_id=gate_id,
            occurred_at=at("2020-11-02"),
        )
    )
    return gate_id


async def _sign_off(handlers: PaperHandlers, deliverable: UUID, on: str) -> None:
    await handlers.handle(SubmitDeliverable(deliverable_id=deliverable, occurred_at=at(on)))
    await handlers.handle(
        ApproveDeliverable(deliverable_id=deliverable, actor=GABBY.email, occurred_at=at(on))
    )


async def _criteria_met(handlers: PaperHandlers, deliverable: UUID, milestone: UUID) -> None:
    """The gate's deliverable signed off on 18 March 2021, its milestone achieved the 19th."""
    await _sign_off(handlers, deliverable, "2021-03-18")
    await handlers.handle(
        AchieveMilestone(
            milestone_id=milestone,
            actual=DateValue(date=date(2021, 3, 19)),
            occurred_at=at("2021-03-19"),
        )
    )


async def _given(read_side: ReadSide, clock: FixedClock) -> tuple[PaperHandlers, UUID, UUID, UUID]:
    handlers = PaperHandlers(read_side.store, clock)
    await set_up_btls(handlers)
    planned = await plan(handlers, GABBY)
    assert planned.deliverable_id is not None
    milestone = await _milestone(handlers)
    gate = await _gate(handlers, planned.deliverable_id, milestone)
    return handlers, planned.deliverable_id, milestone, gate


async def test_a_gate_is_refused_naming_what_it_waits_for_then_passes_with_its_last_approval(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers, deliverable, milestone, gate = await _given(read_side, clock)

    with pytest.raises(GateNotReady) as refused:
        await handlers.handle(
            ApproveGate(gate_id=gate, actor=MIKE.email, occurred_at=at("2021-03-20"))
        )
    assert refused.value.code == "gate_not_ready"
    assert refused.value.blocking == (
        "Deliverable 'Catalogue Matrix of Services provided to Beneficiaries' is planned: it "
        "waits to be submitted and signed off",
        "Milestone 'Service live' is not achieved (forecast March 2021): it waits to be achieved",
    )

    await _criteria_met(handlers, deliverable, milestone)
    first = await handlers.handle(
        ApproveGate(gate_id=gate, actor=MIKE.email, occurred_at=at("2021-03-20"))
    )
    again = await handlers.handle(
        ApproveGate(gate_id=gate, actor=MIKE.email, occurred_at=at("2021-03-20"))
    )
    last = await handlers.handle(
        ApproveGate(gate_id=gate, actor=GLYN.email, occurred_at=at("2021-03-22"))
    )
    assert first.recorded == ("GateApproved",)
    assert not again.written
    assert last.recorded == ("GateApproved", "GatePassed")
    assert last.stream_id == gate_stream(gate)

    await read_side.project()
    view = await read_side.reader.view(await read_side.reader.glance(KEY))
    assert view == await fold_from_store(read_side.store, KEY)
    [row] = gate_rows(view, day("2026-11-26"), CALENDAR, THRESHOLDS)
    assert (row.state, row.rag, row.blocking, row.passed_on) == (
        "passed",
        "green",
        [],
        day("2021-03-22"),
    )
    assert [a.shown for a in row.approvals] == ["Mike Kirby", "Glyn Peach"]
    assert row.expected_on == day("2021-03-19")


async def test_an_open_gate_is_as_red_as_its_latest_item_and_a_ready_one_green(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers, deliverable, milestone, _ = await _given(read_side, clock)
    view = await fold_from_store(read_side.store, KEY)
    [row] = gate_rows(view, day("2021-02-01"), CALENDAR, THRESHOLDS)
    assert (row.state, row.rag) == ("open", "amber")
    assert row.rag_reasons[0] == "Amber: gate 'Go-live' waits for 2 of its 2 items"
    [late] = gate_rows(view, day("2021-06-01"), CALENDAR, THRESHOLDS)
    assert late.rag == "red"
    assert late.rag_reasons[1].startswith("Red: 'Catalogue Matrix")

    await _criteria_met(handlers, deliverable, milestone)
    [ready] = gate_rows(
        await fold_from_store(read_side.store, KEY), day("2021-06-01"), CALENDAR, THRESHOLDS
    )
    assert (ready.state, ready.rag, ready.awaiting) == (
        "ready",
        "green",
        ["Mike Kirby", "Glyn Peach"],
    )
    assert ready.rag_reasons == [
        "Green: gate 'Go-live' ready: every criterion met, awaiting approval from: Mike Kirby, "
        "Glyn Peach"
    ]


async def test_a_back_dated_approval_is_judged_on_the_criteria_of_its_day(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers, deliverable, milestone, gate = await _given(read_side, clock)
    await _criteria_met(handlers, deliverable, milestone)
    with pytest.raises(GateNotReady) as refused:
        await handlers.handle(
            ApproveGate(gate_id=gate, actor=MIKE.email, occurred_at=at("2021-03-10"))
        )
    assert len(refused.value.blocking) == 2
    assert all("as it stood on 2021-03-10" in text for text in refused.value.blocking)


async def test_a_deputy_approves_for_the_named_approver_and_others_are_refused(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers, deliverable, milestone, gate = await _given(read_side, clock)
    await _criteria_met(handlers, deliverable, milestone)
    with pytest.raises(RuleBroken) as not_named:
        await handlers.handle(ApproveGate(gate_id=gate, actor=ROB.email, acting_as="member"))
    assert not_named.value.code == "not_a_signatory"
    with pytest.raises(Forbidden):
        await handlers.handle(ApproveGate(gate_id=gate, actor=STRANGER.email, acting_as="member"))
    await handlers.handle(
        AppointDeputy(
            programme_key=KEY,
            deputy_email=PAUL.email,
            for_email=MIKE.email,
            starts_on=day("2021-03-01"),
            ends_on=day("2026-12-31"),
            deputy_name=PAUL.name,
            occurred_at=at("2021-03-01"),
        )
    )
    result = await handlers.handle(ApproveGate(gate_id=gate, actor=PAUL.email, acting_as="member"))
    assert result.recorded == ("GateApproved",)
    [row] = gate_rows(
        await fold_from_store(read_side.store, KEY), day("2026-11-27"), CALENDAR, THRESHOLDS
    )
    assert [a.shown for a in row.approvals] == ["Paul Sutcliffe on behalf of Mike Kirby"]
    assert row.awaiting == ["Glyn Peach"]


async def test_reopening_an_item_of_a_passed_gate_keeps_it_passed_and_is_a_finding(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers, deliverable, milestone, gate = await _given(read_side, clock)
    await _criteria_met(handlers, deliverable, milestone)
    for person in (MIKE, GLYN):
        await handlers.handle(
            ApproveGate(gate_id=gate, actor=person.email, occurred_at=at("2021-03-22"))
        )
    await handlers.handle(
        ReopenDeliverable(
            deliverable_id=deliverable, reason="catalogue incomplete", occurred_at=at("2021-04-01")
        )
    )
    await read_side.project()
    view = await read_side.reader.view(await read_side.reader.glance(KEY))
    [row] = gate_rows(view, day("2021-04-02"), CALENDAR, THRESHOLDS)
    assert (row.state, row.rag, row.blocking) == ("passed", "green", [])
    [found] = [f for f in findings(view) if f.code == "gate_item_reopened"]
    assert found.message == (
        "Gate 'Go-live' passed on 2021-03-22 but no longer holds: deliverable 'Catalogue Matrix "
        "of Services provided to Beneficiaries' is planned"
    )
    assert found.item_ids == [str(gate), str(deliverable)]


async def test_a_gate_names_only_items_of_its_programme_and_needs_criteria_and_approvers(
    read_side: ReadSide, clock: FixedClock
) -> None:
    handlers = PaperHandlers(read_side.store, clock)
    await set_up_btls(handlers)
    milestone = await _milestone(handlers)

    def define(**given: object) -> DefineGate:
        fields: dict[str, object] = {
            "programme_key": KEY,
            "title": "Design complete",
            "order": 1,
            "milestones": (milestone,),
            "approvers": (MIKE.ref,),
            "occurred_at": at("2020-11-02"),
        }
        return DefineGate(**(fields | given))  # type: ignore[arg-type]

    with pytest.raises(NotFound) as unknown:
        await handlers.handle(define(deliverables=(uuid4(),)))
    assert unknown.value.code == "gate_deliverable_not_found"
    with pytest.raises(InvalidInput, match="at least one deliverable or milestone"):
        await handlers.handle(define(milestones=()))
    with pytest.raises(InvalidInput, match="at least one approver"):
        await handlers.handle(define(approvers=()))
    with pytest.raises(InvalidInput, match="order is from 1 to 1000"):
        await handlers.handle(define(order=0))
    with pytest.raises(InvalidInput, match="one line"):
        await handlers.handle(define(title="Design\ncomplete"))
    with pytest.raises(Forbidden):
        await handlers.handle(define(actor=ANDREW.email, acting_as="member", occurred_at=None))
    gate_id = uuid4()
    made = await handlers.handle(
        define(gate_id=gate_id, actor=ROB.email, acting_as="member", occurred_at=None)
    )
    assert made.recorded == ("GateDefined",) and made.created_id == gate_id
    with pytest.raises(RuleBroken, match="already exists"):
        await handlers.handle(define(gate_id=gate_id))
    with pytest.raises(NotFound) as missing:
        await handlers.handle(ApproveGate(gate_id=uuid4(), actor=MIKE.email))
    assert missing.value.code == "gate_not_found"
