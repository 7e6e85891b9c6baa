"""The timeline's geometry: marks in date order, month, quarter and year spans, slippage,
today's line."""

from __future__ import annotations

from datetime import date

from api.pages.timeline import LEFT, RIGHT, WIDTH, timeline
from tracker.precision import shown_date
from tracker.projections.reports.gates import GateRow
from tracker.projections.reports.milestone_board import DateLine, MilestoneBoard, MilestoneRow


def line(day: date, precision: str = "day") -> DateLine:
    return DateLine(date=day, precision=precision, shown=shown_date(day, precision))


def row(
    title: str,
    baseline: DateLine,
    forecast: DateLine,
    actual: DateLine | None = None,
    original: DateLine | None = None,
    slippage: int = 0,
    rag: str = "green",
) -> MilestoneRow:
    return MilestoneRow(
        id=title,
        title=title,
        workstream=None,
        workstream_title=None,
        original_baseline=original or baseline,
        baseline=baseline,
        forecast=forecast,
        actual=actual,
        precision="day",
        achieved=actual is not None,
        slippage_vs_original=slippage,
        slippage_vs_baseline=slippage,
        changes=[],
        rag=rag,
        rag_reasons=[],
    )


def board(today: date, *rows: MilestoneRow) -> MilestoneBoard:
    return MilestoneBoard(
        key="k", name="K", today=today, milestones=list(rows), green=0, amber=0, red=0, position=1
    )


def test_a_slipped_forecast_draws_a_bar_from_baseline_to_forecast() -> None:
    chart = timeline(
        board(
            date(2021, 3, 1),
            row("Cutover", line(date(2021, 2, 1)), line(date(2021, 4, 1)), slippage=41, rag="red"),
        )
    )
    only = chart.rows[0]
    assert only.forecast is not None and only.actual is None
    assert only.slip_from == only.baseline.x < only.slip_to == only.forecast.x
    assert only.baseline.x < chart.today_x < only.forecast.x and chart.today_side == ""
    assert LEFT <= only.baseline.x and only.forecast.x <= WIDTH - RIGHT


def test_an_achieved_milestone_shows_its_actual_date_not_its_forecast() -> None:
    chart = timeline(
        board(
            date(2021, 6, 1),
            row(
                "Go live",
                line(date(2021, 4, 1)),
                line(date(2021, 4, 1)),
                actual=line(date(2021, 3, 29)),
                slippage=-3,
            ),
        )
    )
    only = chart.rows[0]
    assert only.forecast is None and only.actual is not None and only.slip_to < only.slip_from


def test_a_month_is_drawn_across_the_month_and_marked_at_its_middle() -> None:
    chart = timeline(
        board(
            date(2014, 3, 10),
            row("Cycle 4", line(date(2014, 1, 1), "month"), line(date(2014, 1, 1), "month")),
        )
    )
    mark = chart.rows[0].baseline
    assert mark.span is not None and mark.span[0] < mark.x < mark.span[1]
    assert mark.shown == "January 2014"


def test_a_quarter_and_a_year_are_drawn_across_their_whole_period() -> None:
    chart = timeline(
        board(
            date(2013, 3, 10),
            row("Go live", line(date(2013, 1, 1), "year"), line(date(2013, 1, 1), "year")),
            row("Cycle 4", line(date(2013, 4, 1), "quarter"), line(date(2013, 4, 1), "quarter")),
        )
    )
    year, quarter = (r.baseline for r in chart.rows)
    assert year.span is not None and quarter.span is not None
    assert (year.shown, quarter.shown) == ("2013", "Q2 2013")
    assert year.span[0] < quarter.span[0] < quarter.x < quarter.span[1] < year.span[1]
    days = (year.span[1] - year.span[0]) / 364
    assert abs((quarter.span[1] - quarter.span[0]) - 90 * days) < 1  # 1 April to 30 June


def test_a_rebaselined_milestone_keeps_its_original_baseline() -> None:
    chart = timeline(
        board(
            date(2021, 1, 4),
            row(
                "DR plan",
                line(date(2021, 3, 1)),
                line(date(2021, 3, 1)),
                original=line(date(2021, 2, 1)),
            ),
        )
    )
    assert chart.rows[0].original is not None
    assert chart.rows[0].original.x < chart.rows[0].baseline.x


def test_today_far_after_the_milestones_is_an_arrow_at_the_edge_not_years_of_empty_chart() -> None:
    chart = timeline(
        board(date(2026, 11, 26), row("Go live", line(date(2014, 3, 1)), line(date(2014, 3, 1))))
    )
    assert chart.today_side == "after" and chart.today_x == WIDTH - RIGHT
    assert chart.end.year == 2014
    assert chart.ticks and all(t.label.endswith("2014") for t in chart.ticks)


def gate(title: str, day: date, *, passed: bool = False, state: str = "open") -> GateRow:
    return GateRow(
        id=title,
        title=title,
        order=1,
        state="passed" if passed else state,
        blocking=[],
        rag="green",
        rag_reasons=[],
        criteria=[],
        approvers=[],
        approver_emails=[],
        approvals=[],
        awaiting=[],
        defined_on=date(2020, 1, 1),
        passed_on=day if passed else None,
        expected_on=day,
        version=1,
    )


def test_a_gate_is_a_flag_below_the_milestones_on_its_day() -> None:
    chart = timeline(
        board(
            date(2021, 3, 15),
            row("Design", line(date(2021, 2, 1)), line(date(2021, 2, 1))),
            row("Go live", line(date(2021, 4, 1)), line(date(2021, 4, 1))),
        ),
        [gate("Design complete", date(2021, 2, 10), passed=True), gate("Go", date(2021, 4, 1))],
    )
    passed, due = chart.gates
    assert chart.rows[0].baseline.x < passed.x < chart.rows[1].baseline.x
    assert due.x == chart.rows[1].baseline.x and not due.side
    assert passed.top > chart.rows[-1].top and due.top > passed.top
    assert chart.height == 44 + 4 * 48 + 12
    assert not chart.empty


def test_a_gate_far_off_the_milestones_is_drawn_at_the_edge_and_says_so() -> None:
    chart = timeline(
        board(date(2014, 3, 1), row("Go live", line(date(2014, 3, 1)), line(date(2014, 3, 1)))),
        [gate("Ready", date(2027, 2, 1))],
    )
    [far] = chart.gates
    assert far.side == "after" and far.x == WIDTH - RIGHT
    assert chart.end.year == 2014  # the milestones keep the chart


def test_gates_alone_make_the_chart() -> None:
    chart = timeline(board(date(2021, 3, 1)), [gate("Ready", date(2021, 4, 1))])
    assert not chart.empty and not chart.rows and chart.gates[0].side == ""
