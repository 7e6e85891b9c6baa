"""Time travel on SQLite and PostgreSQL: reports as of an effective date and as known at a
recorded time give the answer that was true then."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from tests.projections.builders import append_all, append_one
from tests.projections.story import GABBY, GLYN, PAUL, small_programme
from tracker.clock import FixedClock
from tracker.errors import InvalidInput, NotFound
from tracker.events.store import EventStore
from tracker.projections import queries
from tracker.projections.closure_formats import seal
from tracker.projections.closure_report import ClosureReport

KEY = "test-transition"


def known_at(report: ClosureReport, at: datetime) -> ClosureReport:
    """The captured report restamped as if asked "as known at ``at``"."""
    return seal(msgspec.structs.replace(report, known_at=at))


async def test_closure_report_as_of_each_step_equals_the_report_captured_then(
    store: EventStore, clock: FixedClock
) -> None:
    script, ids = small_programme()
    # From the paper record, entered after the closure endorsements: Paul approved D3 on
    # 10 March 2021, which signed it off.
    script.approve(ids.d3, PAUL, date(2021, 3, 10), round=2)
    script.signed_off(ids.d3, [GABBY, PAUL], date(2021, 3, 10), round=2)
    captured: list[tuple[date, datetime, ClosureReport, ClosureReport]] = []
    for stream, event in script.entries:
        clock.advance(timedelta(minutes=7))
        await append_one(store, stream, event)
        on = event.occurred_at.date()
        as_of_then = await queries.closure_report(store, KEY, as_of=on, today=on)
        latest_then = await queries.closure_report(store, KEY, today=on)
        captured.append((on, clock.now(), as_of_then, latest_then))
    clock.advance(timedelta(days=30))

    for on, then, as_of_then, latest_then in captured:
        assert await queries.closure_report(store, KEY, as_of=on, known_at=then, today=on) == (
            known_at(as_of_then, then)
        )
        assert await queries.closure_report(store, KEY, known_at=then, today=on) == known_at(
            latest_then, then
        )

    # Bitemporal: as of 10 March, D3 was signed off, but that was not known until later.
    on, then = date(2021, 3, 10), captured[-3][1]
    believed = await queries.closure_report(store, KEY, as_of=on, known_at=then)
    true_now = await queries.closure_report(store, KEY, as_of=on)
    d3 = str(ids.d3)
    assert [d.state for d in believed.deliverables if d.id == d3] == ["submitted"]
    assert [d.state for d in true_now.deliverables if d.id == d3] == ["signed_off"]
    assert [d.approved_by for d in true_now.deliverables if d.id == d3] == [
        ["Gabby Nelson", "Paul Sutcliffe"]
    ]
    assert true_now.outcomes[1].status == "In Progress"  # D4 was deferred on 11 March
    latest = await queries.closure_report(store, KEY, clock=clock)
    assert latest.outcomes[1].status == "Complete"
    assert latest.position == len(script.entries)
    assert believed.position < true_now.position


async def test_as_of_a_date_means_the_end_of_that_day(store: EventStore, clock: FixedClock) -> None:
    script, ids = small_programme()
    await append_all(store, script, clock)
    view = await queries.load_programme(store, KEY, as_of=date(2021, 3, 1))
    assert view.deliverables[str(ids.d2)].state == "signed_off"  # signed off 09:00 that day
    assert view.deliverables[str(ids.d3)].state == "submitted"
    before = await queries.load_programme(store, KEY, as_of=datetime(2021, 3, 1, 8, 59, tzinfo=UTC))
    assert before.deliverables[str(ids.d2)].state == "submitted"
    assert str(ids.d3) in before.deliverables
    assert before.position < view.position


async def test_load_programme_folds_the_listed_streams_in_position_order(
    store: EventStore, clock: FixedClock
) -> None:
    script, ids = small_programme()
    await append_all(store, script, clock)
    view = await queries.load_programme(store, KEY)
    assert view.events == len(script.entries)
    assert list(view.deliverables) == [str(ids.d1), str(ids.d2), str(ids.d3), str(ids.d4)]
    assert list(view.milestones) == [str(ids.m1), str(ids.m2), str(ids.m3)]
    assert list(view.raid) == [str(ids.r1), str(ids.i1)]
    assert view.position == await store.head_position()


async def test_a_programme_not_yet_recorded_is_not_found(
    store: EventStore, clock: FixedClock
) -> None:
    before = clock.now()
    script, _ = small_programme()
    await append_all(store, script, clock)
    with pytest.raises(NotFound):
        await queries.load_programme(store, KEY, known_at=before)
    with pytest.raises(NotFound):
        await queries.load_programme(store, "no-such-programme")


async def test_programme_keys_as_known_at_a_time(store: EventStore, clock: FixedClock) -> None:
    first, _ = small_programme("first")
    second, _ = small_programme("second")
    await append_all(store, first, clock)
    between = clock.now()
    await append_all(store, second, clock)
    assert await queries.list_programme_keys(store) == ["first", "second"]
    assert await queries.list_programme_keys(store, between) == ["first"]
    assert await queries.list_programme_keys(store, page_size=7) == ["first", "second"]


async def test_inbox_and_portfolio_across_programmes_from_the_store(
    store: EventStore, clock: FixedClock
) -> None:
    first, _ = small_programme("first")
    second, _ = small_programme("second")
    await append_all(store, first, clock)
    await append_all(store, second, clock)
    box = await queries.inbox(store, GLYN.email, as_of=date(2021, 3, 12))
    assert [(i.programme_key, i.action, i.as_deputy) for i in box.items] == [
        ("first", "approve", True),
        ("second", "approve", True),
    ]
    assert box.today == date(2021, 3, 12)
    folio = await queries.portfolio(store, as_of=date(2021, 3, 12))
    assert [(r.key, r.rag, r.status) for r in folio.programmes] == [
        ("first", "amber", "closing"),
        ("second", "amber", "closing"),
    ]
    assert folio.position == await store.head_position()


async def test_every_report_query_stamps_position_as_of_and_known_at(
    store: EventStore, clock: FixedClock
) -> None:
    script, _ = small_programme()
    await append_all(store, script, clock)
    at = clock.now()
    expected_as_of = datetime(2021, 3, 12, 23, 59, 59, 999999, tzinfo=UTC)
    for query in (
        queries.closure_report,
        queries.signoff_status,
        queries.milestone_board,
        queries.raid_log,
        queries.data_quality,
    ):
        report = await query(store, KEY, as_of=date(2021, 3, 12), known_at=at)
        assert (report.position, report.as_of, report.known_at) == (
            len(script.entries),
            expected_as_of,
            at,
        )
        assert report.today == date(2021, 3, 12)


def test_report_day_is_today_else_as_of_else_known_at_else_the_clock() -> None:
    clock = FixedClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    at = datetime(2021, 4, 20, 10, tzinfo=UTC)
    assert queries.report_day(today=date(2021, 1, 1), as_of=date(2021, 3, 1)) == date(2021, 1, 1)
    assert queries.report_day(as_of=date(2021, 3, 1), known_at=at) == date(2021, 3, 1)
    assert queries.report_day(known_at=at, clock=clock) == date(2021, 4, 20)
    assert queries.report_day(clock=clock) == date(2026, 11, 26)
    with pytest.raises(InvalidInput):
        queries.report_day()


def test_naive_instants_are_refused() -> None:
    with pytest.raises(InvalidInput, match="as_of must be timezone-aware"):
        queries.effective_until(datetime(2021, 3, 1))
    with pytest.raises(InvalidInput, match="known_at must be timezone-aware"):
        queries.recorded_until(datetime(2021, 3, 1))
