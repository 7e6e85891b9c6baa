"""Confidence over time: each programme's RAG, delivery confidence and counts at a series of
dates, each point exactly what the portfolio reported as of that date (``portfolio_row`` on
the programme as it stood at the end of that day). Pure: the dates are chosen here, the views
are read by the caller.

A back-dated entry changes the points it belongs to (it is effective then); ``known_at`` asks
what was known at that time instead.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Final, Literal

import msgspec

from tracker.confidence import DeliveryConfidence
from tracker.errors import InvalidInput
from tracker.projections.reports.portfolio import PortfolioRow
from tracker.rag import Rag

Every = Literal["week", "month"]

MAX_POINTS: Final = 60
"""Points in one trend at most: a year and more by week, five years by month."""
MAX_FOLDS: Final = 1_000
"""Points times programmes at most in one request: each is one programme read as of one
date, 3.6 ms for a seeded programme and 6-10 ms for one of 2,000 events (docs/performance.md),
so a request that reads them all takes up to about 10 s the first time; each programme's trend
is then remembered until it changes (``api.reads.Reads.trends``)."""


class TrendPoint(msgspec.Struct, frozen=True, kw_only=True):
    on: date
    rag: str
    confidence: str
    confidence_label: str
    deliverables: dict[str, int]
    """Counts by state, as the portfolio gives them."""
    milestones: dict[str, int]
    """Counts by RAG."""
    open_raid: int
    position: int
    """The store position of the programme's last event effective by then."""


class ProgrammeTrend(msgspec.Struct, kw_only=True):
    key: str
    name: str
    points: list[TrendPoint]
    """One per date the programme existed by (a date before its first event has none)."""
    direction: str = "steady"
    """From the first point to the last: better, worse or steady (RAG first, then
    confidence)."""


class Trend(msgspec.Struct, kw_only=True):
    from_: date = msgspec.field(name="from")
    to: date
    every: Every
    dates: list[date]
    programmes: list[ProgrammeTrend]
    position: int
    """The highest store position among the points."""
    known_at: datetime | None = None
    content_hash: str = ""


def trend_dates(start: date, end: date, every: Every) -> list[date]:
    """``start``, then each week or calendar month after it (the same day of the month, or
    the month's last day when it has fewer), and ``end`` last if the steps miss it.
    Refuses an empty or reversed range and more than ``MAX_POINTS`` dates."""
    if end < start:
        raise InvalidInput(f"to ({end.isoformat()}) is before from ({start.isoformat()})")
    found: list[date] = []
    step = 0
    while True:
        on = _step(start, every, step)
        if on > end:
            break
        found.append(on)
        step += 1
        if len(found) > MAX_POINTS:
            break  # refused below: no need to count the rest
    if found[-1] != end and len(found) <= MAX_POINTS:
        found.append(end)
    if len(found) > MAX_POINTS:
        raise InvalidInput(
            f"from {start.isoformat()} to {end.isoformat()} by {every} is more than "
            f"{MAX_POINTS} points: narrow the range or step by month"
        )
    return found


def _step(start: date, every: Every, count: int) -> date:
    if every == "week":
        return start + timedelta(weeks=count)
    months = start.month - 1 + count
    year, month = start.year + months // 12, months % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def check_size(dates: int, programmes: int) -> None:
    if dates * programmes > MAX_FOLDS:
        raise InvalidInput(
            f"{dates} points for {programmes} programmes is {dates * programmes} programme "
            f"readings; at most {MAX_FOLDS} in one request: narrow the range, step by month, "
            "or ask for one programme's trend"
        )


def point(on: date, row: PortfolioRow) -> TrendPoint:
    return TrendPoint(
        on=on,
        rag=row.rag,
        confidence=row.confidence,
        confidence_label=row.confidence_label,
        deliverables=row.deliverables,
        milestones=row.milestones,
        open_raid=row.open_raid,
        position=row.position,
    )


RAG_ORDER: Final = {rag.value: rank for rank, rag in enumerate((Rag.GREEN, Rag.AMBER, Rag.RED))}
CONFIDENCE_ORDER: Final = {
    name: rank
    for rank, c in enumerate(DeliveryConfidence)  # best first: green .. red
    for name in (c.value, c.label)
}
"""Each confidence by its value (``amber_green``) and its label (``Amber/Green``)."""


def moved(before: str, after: str) -> str:
    """Better, worse or steady from one RAG (or delivery confidence, by value or label) to
    another."""
    order = RAG_ORDER if before in RAG_ORDER and after in RAG_ORDER else CONFIDENCE_ORDER
    was, now = order.get(before, 0), order.get(after, 0)
    return "better" if now < was else "worse" if now > was else "steady"


def direction(points: list[TrendPoint]) -> str:
    """Better, worse or steady from the first point to the last: the RAG decides, then the
    delivery confidence."""
    if len(points) < 2:
        return "steady"
    first, last = points[0], points[-1]
    by_rag = moved(first.rag, last.rag)
    return by_rag if by_rag != "steady" else moved(first.confidence, last.confidence)


def described(points: list[TrendPoint]) -> str:
    """The points in words, for those who do not see the strip: "Amber from 14 September
    2026; red from 5 October 2026 (worse)"."""
    if not points:
        return "No point: the programme had no events yet"
    runs: list[TrendPoint] = []
    for p in points:
        if not runs or runs[-1].rag != p.rag:
            runs.append(p)
    if len(runs) == 1:
        only = runs[0]
        return (
            f"{only.rag.capitalize()} at every point from {_day(points[0].on)} to "
            f"{_day(points[-1].on)} ({direction(points)})"
        )
    parts = [f"{run.rag} from {_day(run.on)}" for run in runs]
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]} ({direction(points)})"


def _day(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


def programme_trends(rows: Iterable[tuple[date, PortfolioRow]]) -> list[ProgrammeTrend]:
    """The rows of each date, gathered per programme in key order."""
    found: dict[str, ProgrammeTrend] = {}
    for on, row in rows:
        trend = found.setdefault(row.key, ProgrammeTrend(key=row.key, name=row.name, points=[]))
        trend.name = row.name
        trend.points.append(point(on, row))
    for trend in found.values():
        trend.points.sort(key=lambda p: p.on)
        trend.direction = direction(trend.points)
    return [found[key] for key in sorted(found)]


__all__ = [
    "MAX_FOLDS",
    "MAX_POINTS",
    "Every",
    "ProgrammeTrend",
    "Trend",
    "TrendPoint",
    "check_size",
    "described",
    "direction",
    "moved",
    "programme_trends",
    "trend_dates",
]
