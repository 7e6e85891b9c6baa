"""Time travel on SQLite and PostgreSQL: reports as of an effective date and as known at a
recorded time give the answer that was true then, whether folded from the first event or from a
snapshot of the read model plus the events after it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from tests.conftest import ReadSide
from tests.projections.builders import append_all, append_one
from tests.projections.story import GABBY, GLYN, PAUL, small_programme
from tracker.clock import FixedClock
from tracker.errors import InvalidInput, NotFound
from tracker.events.store import EventStore
from tracker.projections.read_model.reader import fold_from_store
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.catalogue import REPORTS, ReportName, render
from tracker.projections.reports.closure_report import ClosureReport
from tracker.projections.reports.inbox import inbox
from tracker.projections.reports.portfolio import portfolio
from tracker.projections.reports.question import ask, effective_until, recorded_until, report_day
from tracker.projections.reports.sealing import seal

KEY = "test-transition"


async def closure(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: FixedClock | None = None,
) -> ClosureReport:
    question = ask(as_of=as_of, known_at=known_at, today=today, clock=clock)
    view = await fold_from_store(store, key, as_of=question.as_of, known_at=question.known_at)
    return render("closure-report", view, question)


async def view_of(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
) -> ProgrammeView:
    return await fold_from_store(
        store, key, as_of=effective_until(as_of), known_at=recorded_until(known_at)
    )


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
        as_of_then = await closure(store, KEY, as_of=on, today=on)
        latest_then = await closure(store, KEY, today=on)
        captured.append((on, clock.now(), as_of_then, latest_then))
    clock.advance(timedelta(days=30))

    for on, then, as_of_then, latest_then in captured:
        assert await closure(store, KEY, as_of=on, known_at=then, today=on) == (
            known_at(as_of_then, then)
        )
        assert await closure(store, KEY, known_at=then, today=on) == known_at(latest_then, then)

    # Bitemporal: as of 10 March, D3 was signed off, but that was not known until later.
    on, then = date(2021, 3, 10), captured[-3][1]
    believed = await closure(store, KEY, as_of=on, known_at=then)
    true_now = await closure(store, KEY, as_of=on)
    d3 = str(ids.d3)
    assert [d.state for d in believed.deliverables if d.id == d3] == ["submitted"]
    assert [d.state for d in true_now.deliverables if d.id == d3] == ["signed_off"]
    assert [d.approved_by for d in true_now.deliverables if d.id == d3] == [
        ["Gabby Nelson", "Paul Sutcliffe"]
    ]
    assert true_now.outcomes[1].status == "In Progress"  # D4 was deferred on 11 March
    latest = await closure(store, KEY, clock=clock)
    assert latest.outcomes[1].status == "Complete"
    assert latest.position == len(script.entries)
    assert believed.position < true_now.position


async def test_as_of_a_date_means_the_end_of_that_day(store: EventStore, clock: FixedClock) -> None:
    script, ids = small_programme()
    await append_all(store, script, clock)
    view = await view_of(store, KEY, as_of=date(2021, 3, 1))
    assert view.deliverables[str(ids.d2)].state == "signed_off"  # signed off 09:00 that day
    assert view.deliverables[str(ids.d3)].state == "submitted"
    before = await view_of(store, KEY, as_of=datetime(2021, 3, 1, 8, 59, tzinfo=UTC))
    assert before.deliverables[str(ids.d2)].state == "submitted"
    assert str(ids.d3) in before.deliverables
    assert before.position < view.position


async def test_load_programme_folds_the_listed_streams_in_position_order(
    store: EventStore, clock: FixedClock
) -> None:
    script, ids = small_programme()
    await append_all(store, script, clock)
    view = await view_of(store, KEY)
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
        await view_of(store, KEY, known_at=before)
    with pytest.raises(NotFound):
        await view_of(store, "no-such-programme")


async def test_inbox_and_portfolio_across_programmes_from_the_store(
    store: EventStore, clock: FixedClock
) -> None:
    first, _ = small_programme("first")
    second, _ = small_programme("second")
    await append_all(store, first, clock)
    await append_all(store, second, clock)
    q = ask(as_of=date(2021, 3, 12))
    views = [await view_of(store, key, as_of=q.as_of) for key in ("first", "second")]
    box = inbox(views, GLYN.email, q.today, q.calendar, q.thresholds, as_of=q.as_of)
    assert [(i.programme_key, i.action, i.as_deputy) for i in box.items] == [
        ("first", "approve", True),
        ("second", "approve", True),
    ]
    assert box.today == date(2021, 3, 12)
    folio = portfolio(views, q.today, q.calendar, q.thresholds, as_of=q.as_of)
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
    q = ask(as_of=date(2021, 3, 12), known_at=at)
    view = await view_of(store, KEY, as_of=q.as_of, known_at=q.known_at)
    for name in REPORTS:
        report = render(name, view, q)
        assert (report.position, report.as_of, report.known_at) == (
            len(script.entries),
            expected_as_of,
            at,
        )
        assert report.today == date(2021, 3, 12)


def test_report_day_is_today_else_as_of_else_known_at_else_the_clock() -> None:
    clock = FixedClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    at = datetime(2021, 4, 20, 10, tzinfo=UTC)
    assert report_day(today=date(2021, 1, 1), as_of=date(2021, 3, 1)) == date(2021, 1, 1)
    assert report_day(as_of=date(2021, 3, 1), known_at=at) == date(2021, 3, 1)
    assert report_day(known_at=at, clock=clock) == date(2021, 4, 20)
    assert report_day(clock=clock) == date(2026, 11, 26)
    with pytest.raises(InvalidInput):
        report_day()


def test_naive_instants_are_refused() -> None:
    with pytest.raises(InvalidInput, match="as_of must be timezone-aware"):
        effective_until(datetime(2021, 3, 1))
    with pytest.raises(InvalidInput, match="known_at must be timezone-aware"):
        recorded_until(datetime(2021, 3, 1))


async def test_every_report_from_a_snapshot_equals_the_report_from_the_first_event(
    read_side: ReadSide, clock: FixedClock
) -> None:
    """The same questions as above, answered by the read model (snapshots every 7 events)."""
    script, _ = small_programme()
    moments: list[datetime] = []
    for stream, event in script.entries:
        clock.advance(timedelta(minutes=7))
        await append_one(read_side.store, stream, event)
        moments.append(clock.now())
    await read_side.project(snapshot_every=7)
    days = sorted({e.occurred_at.date() for _, e in script.entries})
    asked = 0
    for known in [None, *moments[::5]]:
        for on in [None, *days[::3]]:
            q = ask(as_of=on, known_at=known, today=date(2021, 4, 20))
            try:
                expected = await fold_from_store(
                    read_side.store, KEY, as_of=q.as_of, known_at=q.known_at
                )
            except NotFound:
                with pytest.raises(NotFound):
                    await read_side.reader.view_at(KEY, q.as_of, q.known_at)
                continue
            found = await read_side.reader.view_at(KEY, q.as_of, q.known_at)
            assert found == expected
            name: ReportName
            for name in REPORTS:
                assert render(name, found, q) == render(name, expected, q)
            asked += 1
    assert asked > 20
