"""Milestone board: baseline, original baseline, forecast, actual, slippage and RAG; pure.

Slippage is a schedule measure, in working days, from a baseline's deadline to the actual
date's deadline when achieved, else to the forecast's (a month-precision date's deadline is the
month's last working day; negative means ahead). It is given against the original baseline and
against the current one. The RAG comes from ``tracker.rag.milestone_rag`` against the current
baseline, and also counts "today" (a passed baseline with no actual date is red).
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.events.values import DateValue
from tracker.projections.read_model.views import MilestoneView, ProgrammeView
from tracker.projections.reports.sealing import seal, source_of
from tracker.rag import MilestoneRagResult, RagThresholds, milestone_rag


class DateLine(msgspec.Struct, kw_only=True):
    """A date with its precision; ``shown`` is "March 2014" or "2014-03-17"."""

    date: date
    precision: str
    shown: str


class MilestoneChangeLine(msgspec.Struct, kw_only=True):
    on: date
    kind: str
    """reforecast or rebaseline."""
    value: DateLine
    previous: DateLine
    reason: str


class MilestoneRow(msgspec.Struct, kw_only=True):
    id: str
    title: str
    workstream: str | None
    workstream_title: str | None
    original_baseline: DateLine
    baseline: DateLine
    forecast: DateLine
    actual: DateLine | None
    precision: str
    """"month" when any of its dates is known only to the month, else "day"."""
    achieved: bool
    slippage_vs_original: int
    slippage_vs_baseline: int
    changes: list[MilestoneChangeLine]
    rag: str
    rag_reasons: list[str]
    source: dict[str, str] = {}
    paper_status: str = ""
    """The status its source paper printed ("On Target", "Launched, now live with Social
    Care"), from its source's ``status``; empty for a milestone entered in the tracker."""


class MilestoneBoard(msgspec.Struct, kw_only=True):
    key: str
    name: str
    today: date
    milestones: list[MilestoneRow]
    green: int
    amber: int
    red: int
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


def date_line(value: DateValue) -> DateLine:
    return DateLine(date=value.date, precision=value.precision, shown=str(value))


def slippage(baseline: DateValue, reached: DateValue, calendar: WorkingCalendar) -> int:
    """Working days from the baseline's deadline to ``reached``'s deadline."""
    return calendar.working_days_between(
        calendar.deadline(baseline.date, baseline.precision),
        calendar.deadline(reached.date, reached.precision),
    )


def rate_milestone(
    item: MilestoneView, today: date, calendar: WorkingCalendar, thresholds: RagThresholds
) -> MilestoneRagResult:
    actual = item.actual
    return milestone_rag(
        item.title,
        item.baseline.date,
        item.baseline.precision,
        item.forecast.date,
        item.forecast.precision,
        actual.date if actual else None,
        today,
        calendar,
        thresholds,
        actual_precision=actual.precision if actual else "day",
    )


def milestone_row(
    view: ProgrammeView,
    item: MilestoneView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    rated: MilestoneRagResult | None = None,
) -> MilestoneRow:
    """``rated``: the milestone's RAG when the caller has it already."""
    reached = item.actual or item.forecast
    if rated is None:
        rated = rate_milestone(item, today, calendar, thresholds)
    dates = [item.original_baseline, item.baseline, item.forecast]
    if item.actual:
        dates.append(item.actual)
    return MilestoneRow(
        id=item.id,
        title=item.title,
        workstream=item.workstream,
        workstream_title=view.workstreams.get(item.workstream) if item.workstream else None,
        original_baseline=date_line(item.original_baseline),
        baseline=date_line(item.baseline),
        forecast=date_line(item.forecast),
        actual=date_line(item.actual) if item.actual else None,
        precision="month" if any(d.precision == "month" for d in dates) else "day",
        achieved=item.actual is not None,
        slippage_vs_original=slippage(item.original_baseline, reached, calendar),
        slippage_vs_baseline=slippage(item.baseline, reached, calendar),
        changes=[
            MilestoneChangeLine(
                on=change.on,
                kind=change.kind,
                value=date_line(change.value),
                previous=date_line(change.previous),
                reason=change.reason,
            )
            for change in item.changes
        ],
        rag=rated.rag.value,
        rag_reasons=list(rated.reasons),
        source=source_of(item.provenance),
        paper_status=item.provenance.source.get("status", "") if item.provenance else "",
    )


def milestone_board(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> MilestoneBoard:
    """Every milestone in listed order."""
    rows = [
        milestone_row(view, item, today, calendar, thresholds) for item in view.milestones.values()
    ]
    return seal(
        MilestoneBoard(
            key=view.key,
            name=view.name,
            today=today,
            milestones=rows,
            green=sum(1 for row in rows if row.rag == "green"),
            amber=sum(1 for row in rows if row.rag == "amber"),
            red=sum(1 for row in rows if row.rag == "red"),
            position=view.position,
            as_of=as_of,
            known_at=known_at,
        )
    )


__all__ = [
    "DateLine",
    "MilestoneBoard",
    "MilestoneChangeLine",
    "MilestoneRow",
    "date_line",
    "milestone_board",
    "milestone_row",
    "rate_milestone",
    "slippage",
]
