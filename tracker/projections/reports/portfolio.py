"""Portfolio: one row per programme for sponsors; pure.

Per programme: lifecycle status, RAG and five-point delivery confidence over every
deliverable, milestone and open RAID item (as the closure report computes them), deliverables
counted by state, milestones by RAG, open RAID items (and how many are red or amber), and the
next milestones: those not achieved, by forecast deadline, at most ``next_count``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.confidence import delivery_confidence
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.data_quality import finding_count
from tracker.projections.reports.milestone_board import DateLine, date_line, rate_milestone
from tracker.projections.reports.raid_log import rate_raid
from tracker.projections.reports.sealing import seal
from tracker.projections.reports.signoff_status import ProgrammePosition
from tracker.rag import DELIVERABLE_STATES, Rag, RagThresholds, Rated, deliverable_rag, worst_of


class NextMilestone(msgspec.Struct, kw_only=True):
    id: str
    title: str
    forecast: DateLine
    rag: str


class PortfolioRow(msgspec.Struct, kw_only=True):
    id: str
    key: str
    name: str
    status: str
    rag: str
    rag_reasons: list[str]
    confidence: str
    confidence_label: str
    confidence_reasons: list[str]
    deliverables: dict[str, int]
    """Counts by state: planned, submitted, returned, signed_off, deferred (all present)."""
    milestones: dict[str, int]
    """Counts by RAG: green, amber, red (all present)."""
    open_raid: int
    open_raid_red: int
    open_raid_amber: int
    next_milestones: list[NextMilestone]
    position: int
    findings: int = 0
    """Data-quality findings (``data_quality.finding_count``): the papers' oddities among
    them. 0 in a trend's readings, which do not count them (``count_findings``)."""


class Portfolio(msgspec.Struct, kw_only=True):
    today: date
    programmes: list[PortfolioRow]
    positions: list[ProgrammePosition]
    position: int
    """The highest store position among the programmes read."""
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


def portfolio_row(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    next_count: int = 3,
    count_findings: bool = True,
) -> PortfolioRow:
    deliverable_rags = [
        deliverable_rag(
            i.title, i.state, i.due_on, today, calendar, thresholds, due_assumed=i.due_assumed
        )
        for i in view.deliverables.values()
    ]
    milestone_rags = {
        m.id: rate_milestone(m, today, calendar, thresholds) for m in view.milestones.values()
    }
    raid_rags = [rate_raid(r, thresholds) for r in view.raid.values() if r.is_open]
    parts: list[Rated] = [*deliverable_rags, *milestone_rags.values(), *raid_rags]
    label = view.name or view.key
    worst = worst_of(parts, label=label)
    confidence = delivery_confidence(parts, label=label)
    states = {state: 0 for state in DELIVERABLE_STATES}
    for item in view.deliverables.values():
        states[item.state] = states.get(item.state, 0) + 1
    by_rag = {rag.value: 0 for rag in Rag}
    for rated in milestone_rags.values():
        by_rag[rated.rag.value] += 1
    pending = sorted(
        (m for m in view.milestones.values() if m.actual is None),
        key=lambda m: (calendar.deadline(m.forecast.date, m.forecast.precision), m.title),
    )
    return PortfolioRow(
        id=view.key,
        key=view.key,
        name=view.name,
        status=view.lifecycle,
        rag=worst.rag.value,
        rag_reasons=list(worst.reasons),
        confidence=confidence.confidence.value,
        confidence_label=confidence.confidence.label,
        confidence_reasons=list(confidence.reasons),
        deliverables=states,
        milestones=by_rag,
        open_raid=len(raid_rags),
        open_raid_red=sum(1 for r in raid_rags if r.rag is Rag.RED),
        open_raid_amber=sum(1 for r in raid_rags if r.rag is Rag.AMBER),
        next_milestones=[
            NextMilestone(
                id=m.id,
                title=m.title,
                forecast=date_line(m.forecast),
                rag=milestone_rags[m.id].rag.value,
            )
            for m in pending[:next_count]
        ],
        position=view.position,
        findings=finding_count(view) if count_findings else 0,
    )


def portfolio(
    views: Iterable[ProgrammeView],
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> Portfolio:
    """One row per programme, in programme key order."""
    ordered = sorted(views, key=lambda v: v.key)
    rows = [portfolio_row(view, today, calendar, thresholds) for view in ordered]
    positions = [ProgrammePosition(key=v.key, position=v.position) for v in ordered]
    return seal(
        Portfolio(
            today=today,
            programmes=rows,
            positions=positions,
            position=max((p.position for p in positions), default=0),
            as_of=as_of,
            known_at=known_at,
        )
    )


__all__ = ["NextMilestone", "Portfolio", "PortfolioRow", "portfolio", "portfolio_row"]
