"""Time travel: load a programme as of an effective time and as known at a recorded time, and
render any report from it.

* ``known_at`` (recorded time) limits the events to those the store had recorded by then.
* ``as_of`` (effective time) limits them to those that had happened by then; a date means the
  end of that day, UTC (23:59:59.999999Z).
* The programme stream (``programme:<key>``), read up to ``known_at`` only, lists the item
  streams (``DeliverableListed`` -> ``deliverable:<id>``, ``MilestoneListed`` ->
  ``milestone:<id>``, ``RaidRefReserved`` -> ``risk:<item_id>``). All of them, the programme
  stream included, are then read in one ``read_streams`` call with both limits, and folded in
  store position order. The view's ``position`` is the last folded event's.
* A report's "today" (for RAG) is ``today`` when given, else the ``as_of`` date, else the
  ``known_at`` date, else the clock's today: a report asked about the past is computed as it
  would have been then, so the same question always gets the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.deliverables import deliverable_stream
from tracker.errors import InvalidInput, NotFound
from tracker.events.programmes import (
    DeliverableListed,
    MilestoneListed,
    ProgrammeRegistered,
    RaidRefReserved,
)
from tracker.events.store import EventStore
from tracker.milestones import milestone_stream
from tracker.programmes import programme_stream
from tracker.projections import closure_report as closure_module
from tracker.projections import data_quality as quality_module
from tracker.projections import milestone_board as board_module
from tracker.projections import portfolio as portfolio_module
from tracker.projections import raid_log as raid_module
from tracker.projections import signoff_status as signoff_module
from tracker.projections.programme_fold import fold
from tracker.projections.views import ProgrammeView
from tracker.rag import RagThresholds
from tracker.risks import risk_stream


def _aware(at: datetime, what: str) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput(f"{what} must be timezone-aware, got {at.isoformat()}")
    return at.astimezone(UTC)


def effective_until(as_of: date | datetime | None) -> datetime | None:
    """The effective instant a report is as of: a date means the end of that day, UTC."""
    if as_of is None:
        return None
    if isinstance(as_of, datetime):
        return _aware(as_of, "as_of")
    return datetime.combine(as_of, time.max, tzinfo=UTC)


def recorded_until(known_at: datetime | None) -> datetime | None:
    return None if known_at is None else _aware(known_at, "known_at")


def report_day(
    *,
    today: date | None = None,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    clock: Clock | None = None,
) -> date:
    """The "today" RAG is computed for (see the module docstring)."""
    if today is not None:
        return today
    effective = effective_until(as_of)
    if effective is not None:
        return effective.date()
    recorded = recorded_until(known_at)
    if recorded is not None:
        return recorded.date()
    if clock is None:
        raise InvalidInput("a report needs today, as_of, known_at or a clock to date its RAG")
    return clock.now().astimezone(UTC).date()


async def load_programme(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
) -> ProgrammeView:
    """The programme's view as of ``as_of`` and as known at ``known_at``. Two reads: the
    programme stream (for its index), then every listed stream in one snapshot. Raises
    NotFound when the store had recorded nothing of the programme by ``known_at``."""
    effective, recorded = effective_until(as_of), recorded_until(known_at)
    stream = programme_stream(key)
    index = await store.read_stream(stream, known_at=recorded)
    if not index:
        when = f" as known at {recorded.isoformat()}" if recorded else ""
        raise NotFound(f"programme {key!r} not found{when}", code="programme_not_found")
    streams: dict[str, None] = {stream: None}
    for stored in index:
        data = stored.data
        if isinstance(data, DeliverableListed):
            streams[deliverable_stream(data.deliverable_id)] = None
        elif isinstance(data, MilestoneListed):
            streams[milestone_stream(data.milestone_id)] = None
        elif isinstance(data, RaidRefReserved):
            streams[risk_stream(data.item_id)] = None
    events = await store.read_streams(list(streams), as_of=effective, known_at=recorded)
    return fold(key, events)


async def list_programme_keys(
    store: EventStore, known_at: datetime | None = None, *, page_size: int = 500
) -> list[str]:
    """Keys of every programme registered by ``known_at``, in registration order.

    Cost: one pass over the whole store (``read_all`` in pages of ``page_size``, filtering
    ``ProgrammeRegistered``), O(events). Fine for reports on demand; a persisted projection
    should keep the list for anything hot."""
    recorded = recorded_until(known_at)
    keys: dict[str, None] = {}
    after = 0
    while True:
        page = await store.read_all(after, page_size, known_at=recorded)
        if not page:
            return list(keys)
        for stored in page:
            if isinstance(stored.data, ProgrammeRegistered):
                keys[stored.data.programme_key] = None
        after = page[-1].position


async def load_programmes(
    store: EventStore,
    keys: Sequence[str] | None = None,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
) -> list[ProgrammeView]:
    """Views of ``keys`` (default: every programme registered by ``known_at``)."""
    chosen = list(keys) if keys is not None else await list_programme_keys(store, known_at)
    return [await load_programme(store, k, as_of=as_of, known_at=known_at) for k in chosen]


class _Options:
    """The shared arguments of the report queries, resolved once."""

    def __init__(
        self,
        as_of: date | datetime | None,
        known_at: datetime | None,
        today: date | None,
        clock: Clock | None,
        calendar: WorkingCalendar | None,
        thresholds: RagThresholds | None,
    ) -> None:
        self.as_of = as_of
        self.effective = effective_until(as_of)
        self.recorded = recorded_until(known_at)
        self.today = report_day(today=today, as_of=as_of, known_at=known_at, clock=clock)
        self.calendar = calendar or WorkingCalendar()
        self.thresholds = thresholds or RagThresholds()


async def closure_report(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> closure_module.ClosureReport:
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    view = await load_programme(store, key, as_of=o.effective, known_at=o.recorded)
    return closure_module.closure_report(
        view, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


async def signoff_status(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> signoff_module.SignOffStatus:
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    view = await load_programme(store, key, as_of=o.effective, known_at=o.recorded)
    return signoff_module.signoff_status(
        view, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


async def milestone_board(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> board_module.MilestoneBoard:
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    view = await load_programme(store, key, as_of=o.effective, known_at=o.recorded)
    return board_module.milestone_board(
        view, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


async def raid_log(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> raid_module.RaidLog:
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    view = await load_programme(store, key, as_of=o.effective, known_at=o.recorded)
    return raid_module.raid_log(
        view, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


async def data_quality(
    store: EventStore,
    key: str,
    *,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> quality_module.DataQualityReport:
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    view = await load_programme(store, key, as_of=o.effective, known_at=o.recorded)
    return quality_module.data_quality(
        view, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


async def inbox(
    store: EventStore,
    person: str,
    *,
    keys: Sequence[str] | None = None,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> signoff_module.Inbox:
    """What awaits ``person`` across ``keys`` (default: every programme)."""
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    views = await load_programmes(store, keys, as_of=o.effective, known_at=o.recorded)
    return signoff_module.inbox(
        views, person, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


async def portfolio(
    store: EventStore,
    *,
    keys: Sequence[str] | None = None,
    as_of: date | datetime | None = None,
    known_at: datetime | None = None,
    today: date | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    thresholds: RagThresholds | None = None,
) -> portfolio_module.Portfolio:
    o = _Options(as_of, known_at, today, clock, calendar, thresholds)
    views = await load_programmes(store, keys, as_of=o.effective, known_at=o.recorded)
    return portfolio_module.portfolio(
        views, o.today, o.calendar, o.thresholds, as_of=o.effective, known_at=o.recorded
    )


__all__ = [
    "closure_report",
    "data_quality",
    "effective_until",
    "inbox",
    "list_programme_keys",
    "load_programme",
    "load_programmes",
    "milestone_board",
    "portfolio",
    "raid_log",
    "recorded_until",
    "report_day",
    "signoff_status",
]
