"""Milestone board: baseline, original baseline, forecast, actual, slippage and RAG; pure.

Slippage is a schedule measure, in working days, from a baseline's deadline to the actual
date's deadline when achieved, else to the forecast's (a month-, quarter- or year-precision
date's deadline is the last working day of its period; negative means ahead). It is given
against the original baseline and against the current one, and is 0 when a date it would be
measured from or to is assumed. The RAG comes from ``tracker.rag.milestone_rag`` against the
current baseline, and also counts "today" (a passed baseline with no actual date is red; an
assumed date is never amber or red).
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.events.values import DateValue
from tracker.precision import coarsest
from tracker.projections.read_model.views import MilestoneView, ProgrammeView
from tracker.projections.reports.sealing import seal, source_of
from tracker.rag import MilestoneRagResult, RagThresholds, milestone_rag


class DateLine(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A date with its precision; ``shown`` is "2014-03-17", "March 2014", "Q1 2013" or "2013",
    and ends " (assumed)" for a date the source does not give (``assumed`` is then true; it is
    left out when false, so reports sealed before it existed keep their content hash)."""

    date: date
    precision: str
    shown: str
    assumed: bool = False


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
    """The coarsest precision of its dates: "year", "quarter", "month" or "day"."""
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
    return DateLine(
        date=value.date, precision=value.precision, shown=str(value), assumed=value.assumed
    )


def slippage(baseline: DateValue, reached: DateValue, calendar: WorkingCalendar) -> int:
    """Working days from the baseline's deadline to ``reached``'s deadline; 0 when either date
    is assumed (the source does not give it, so there is nothing to measure)."""
    if baseline.assumed or reached.assumed:
        return 0
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
        baseline_assumed=item.baseline.assumed,
        forecast_assumed=item.forecast.assumed,
        actual_assumed=actual.assumed if actual else False,
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
        precision=coarsest([d.precision for d in dates]),
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
        paper_status=item.source_status,
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
