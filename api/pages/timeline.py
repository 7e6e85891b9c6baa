"""The milestone timeline's geometry: where each mark of the SVG goes; pure.

One row per milestone (in the board's order): its baseline (hollow diamond), its original
baseline when re-baselined since (small hollow circle), its forecast (filled circle) while not
achieved, its actual date (filled square) once achieved, and a bar from the baseline to the
forecast or actual date: the slippage, labelled in working days ("+12 wd"). A date known only to
the month, quarter or year is drawn at the middle of that period with a bracket across the whole
of it. A dashed vertical line marks the report's "today" (the as-of date when one is asked), or
an arrow at the edge when it lies far outside the milestones' dates. Below the milestones, one
row per phase gate: a flag at the day it passed, or, not yet passed, at the day its criteria
are due to be met (``GateRow.expected_on``), hollow while open, shaded when ready, filled once
passed. The tables beside the chart carry the same facts in words: the chart is never the only
way to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

import msgspec

from tracker.precision import first_day, last_day
from tracker.projections.reports.gates import GateRow
from tracker.projections.reports.milestone_board import DateLine, MilestoneBoard

WIDTH: Final = 960
LEFT: Final = 16
RIGHT: Final = 64
TOP: Final = 44
ROW: Final = 48
BOTTOM: Final = 12
TITLE_CHARS: Final = 70
PAD_DAYS: Final = 20
NEAR_SHARE: Final = 25
"""Today is drawn on the chart when within this share (percent) of the milestones' span."""


class Mark(msgspec.Struct, frozen=True, kw_only=True):
    x: float
    shown: str
    span: tuple[float, float] | None = None
    """A month, quarter or year date: the period's first and last day."""


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    x: float
    label: str


class Row(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    short_title: str
    workstream: str | None
    """Shown beside the title: two workstreams may have milestones of the same name."""
    top: float
    line_y: float
    baseline: Mark
    original: Mark | None
    forecast: Mark | None
    actual: Mark | None
    slip_from: float
    slip_to: float
    slippage: int
    """Working days against the current baseline (negative: ahead)."""
    rag: str


class GateFlag(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    order: int
    title: str
    short_title: str
    state: str
    """open, ready or passed."""
    rag: str
    top: float
    line_y: float
    x: float
    day: date
    passed: bool
    side: str = ""
    """"" on the chart; "before" or "after" when its day is far off the milestones' dates (the
    flag is then at that edge, and its label says so)."""


class Timeline(msgspec.Struct, frozen=True, kw_only=True):
    width: int
    height: int
    start: date
    end: date
    today: date
    today_x: float
    today_side: str
    """"" when today is on the chart; "before" or "after" when it is far off it (the line is
    then an arrow at that edge, so that years of empty chart do not squeeze the milestones)."""
    ticks: list[Tick]
    rows: list[Row]
    gates: list[GateFlag] = []

    @property
    def empty(self) -> bool:
        return not self.rows and not self.gates


def _extent(line: DateLine) -> tuple[date, date]:
    """The days the date can mean: one day, or its whole month, quarter or year."""
    return first_day(line.date, line.precision), last_day(line.date, line.precision)


class _Scale:
    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.days = max((end - start).days, 1)

    def x(self, day: date) -> float:
        usable = WIDTH - LEFT - RIGHT
        return round(LEFT + usable * (day - self.start).days / self.days, 1)

    def mark(self, line: DateLine) -> Mark:
        if line.precision == "day":
            return Mark(x=self.x(line.date), shown=line.shown)
        first, last = _extent(line)
        middle = first + (last - first) / 2
        return Mark(x=self.x(middle), shown=line.shown, span=(self.x(first), self.x(last)))


def _ticks(scale: _Scale, start: date, end: date) -> list[Tick]:
    months_between = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if months_between <= 14 else 3 if months_between <= 48 else 12
    day = start.replace(day=1)
    ticks: list[Tick] = []
    while day <= end:
        if day >= start and (day.month - 1) % step == 0:
            label = str(day.year) if step == 12 else day.strftime("%b %Y")
            ticks.append(Tick(x=scale.x(day), label=label))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return ticks


def _short(text: str | None, limit: int = 45) -> str | None:
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _gate_day(gate: GateRow) -> date | None:
    return gate.passed_on or gate.expected_on


def timeline(board: MilestoneBoard, gates: Sequence[GateRow] = ()) -> Timeline:
    """The chart of ``board`` and ``gates`` with its "today" (``board.today``)."""
    dates: list[date] = []
    for m in board.milestones:
        for line in (m.original_baseline, m.baseline, m.forecast, m.actual):
            if line is not None:
                dates.extend(_extent(line))
    dated = [(g, day) for g in gates if (day := _gate_day(g)) is not None]
    if not dates:
        dates.extend(day for _, day in dated)
    today = board.today
    low, high = (min(dates), max(dates)) if dates else (today, today)
    reach = timedelta(days=max((high - low).days, 60) * NEAR_SHARE // 100)

    def off(day: date) -> str:
        """Whether ``day`` lies far outside the milestones' dates: it is then drawn at the
        edge, with words, so that years of empty chart do not squeeze the milestones."""
        return "before" if day < low - reach else "after" if day > high + reach else ""

    side = off(today)
    near = [day for _, day in dated if not off(day)]
    if not side:
        near.append(today)
    low, high = min([low, *near]), max([high, *near])
    start = low - timedelta(days=PAD_DAYS)
    end = high + timedelta(days=PAD_DAYS)
    scale = _Scale(start, end)
    rows: list[Row] = []
    for index, m in enumerate(board.milestones):
        top = TOP + index * ROW
        baseline = scale.mark(m.baseline)
        reached = m.actual or m.forecast
        moved = m.original_baseline.date != m.baseline.date
        title = m.title if len(m.title) <= TITLE_CHARS else m.title[: TITLE_CHARS - 1] + "…"
        rows.append(
            Row(
                id=m.id,
                title=m.title,
                short_title=title,
                workstream=_short(m.workstream_title or m.workstream),
                top=top,
                line_y=top + 32,
                baseline=baseline,
                original=scale.mark(m.original_baseline) if moved else None,
                forecast=None if m.achieved else scale.mark(m.forecast),
                actual=scale.mark(m.actual) if m.actual is not None else None,
                slip_from=baseline.x,
                slip_to=scale.mark(reached).x,
                slippage=m.slippage_vs_baseline,
                rag=m.rag,
            )
        )
    flags: list[GateFlag] = []
    for index, (gate, day) in enumerate(dated, start=len(rows)):
        top = TOP + index * ROW
        gate_side = off(day)
        x = scale.x(day) if not gate_side else (LEFT if gate_side == "before" else WIDTH - RIGHT)
        title = f"Gate {gate.order}: {gate.title}"
        flags.append(
            GateFlag(
                id=gate.id,
                order=gate.order,
                title=title,
                short_title=title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…",
                state=gate.state,
                rag=gate.rag,
                top=top,
                line_y=top + 32,
                x=x,
                day=day,
                passed=gate.passed_on is not None,
                side=gate_side,
            )
        )
    return Timeline(
        width=WIDTH,
        height=TOP + (len(rows) + len(flags)) * ROW + BOTTOM,
        start=start,
        end=end,
        today=today,
        today_x=scale.x(today) if not side else (LEFT if side == "before" else WIDTH - RIGHT),
        today_side=side,
        ticks=_ticks(scale, start, end),
        rows=rows,
        gates=flags,
    )
