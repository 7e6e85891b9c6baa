"""The milestone board, hand-computed from the small programme (tests/projections/story.py)."""

from __future__ import annotations

from datetime import date

import msgspec

from tests.projections.builders import Script, day, month
from tests.projections.story import CALENDAR, THRESHOLDS, TODAY, small_programme
from tracker.events.values import DateValue
from tracker.projections.reports.milestone_board import date_line, milestone_board


def test_achieved_on_baseline_is_green_with_no_slippage() -> None:
    script, ids = small_programme()
    board = milestone_board(script.view(), TODAY, CALENDAR, THRESHOLDS)
    m1 = board.milestones[0]
    assert m1.id == str(ids.m1)
    assert (m1.achieved, m1.actual and m1.actual.shown) == (True, "2021-02-01")
    assert (m1.slippage_vs_original, m1.slippage_vs_baseline) == (0, 0)
    assert (m1.rag, m1.rag_reasons) == (
        "green",
        ["Green: 'Cycle 1 testing complete' achieved 2021-02-01, on baseline 2021-02-01"],
    )
    assert m1.precision == "day"


def test_month_precision_reforecast_a_month_late_slips_20_working_days_amber() -> None:
    """31 March 2021 to 30 April 2021: 22 weekdays less Good Friday and Easter Monday."""
    script, ids = small_programme()
    m2 = milestone_board(script.view(), TODAY, CALENDAR, THRESHOLDS).milestones[1]
    assert m2.id == str(ids.m2)
    assert (m2.baseline.shown, m2.forecast.shown, m2.precision) == (
        "March 2021",
        "April 2021",
        "month",
    )
    assert (m2.slippage_vs_original, m2.slippage_vs_baseline) == (20, 20)
    assert m2.rag == "amber"
    assert m2.rag_reasons == [
        "Amber: 'Cycle 2 testing complete' forecast April 2021, 20 working days after baseline "
        "March 2021, within the 20-day tolerance"
    ]
    assert [(c.on, c.kind, c.previous.shown, c.value.shown, c.reason) for c in m2.changes] == [
        (date(2021, 2, 15), "reforecast", "March 2021", "April 2021", "Supplier delay")
    ]


def test_rebaseline_keeps_the_original_and_measures_slippage_against_both() -> None:
    """1 April to 7 April 2021: Good Friday and Easter Monday between, so 2 working days."""
    script, _ = small_programme()
    m3 = milestone_board(script.view(), TODAY, CALENDAR, THRESHOLDS).milestones[2]
    assert (m3.original_baseline.shown, m3.baseline.shown, m3.forecast.shown) == (
        "2021-04-01",
        "2021-04-07",
        "2021-04-07",
    )
    assert (m3.slippage_vs_original, m3.slippage_vs_baseline) == (2, 0)
    assert m3.rag == "green"
    assert [(c.kind, c.reason) for c in m3.changes] == [("rebaseline", "Easter")]


def test_board_counts_by_rag_and_a_passed_baseline_turns_red() -> None:
    script, _ = small_programme()
    board = milestone_board(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert (board.green, board.amber, board.red) == (2, 1, 0)
    later = milestone_board(script.view(), date(2021, 4, 9), CALENDAR, THRESHOLDS)
    go_live = later.milestones[2]
    assert go_live.rag == "red"
    assert go_live.rag_reasons[0] == (
        "Red: 'Go live' baseline 2021-04-07 passed 2 working days ago, not achieved"
    )


def test_workstream_title_is_shown() -> None:
    script = Script("liquidlogic")
    script.register(
        "Liquidlogic",
        date(2012, 1, 2),
        starts_on=date(2012, 1, 2),
        planned_end_on=date(2014, 3, 31),
    )
    script.workstream("ASH&W", "Adult Social Care, Health and Wellbeing", date(2012, 1, 2))
    script.milestone("Go live", month(2014, 3), date(2012, 1, 2), workstream="ASH&W")
    script.milestone("Data migrated", day("2014-02-14"), date(2012, 1, 2))
    rows = milestone_board(script.view(), date(2013, 1, 1), CALENDAR, THRESHOLDS).milestones
    assert [(r.workstream, r.workstream_title) for r in rows] == [
        ("ASH&W", "Adult Social Care, Health and Wellbeing"),
        (None, None),
    ]


def liquidlogic() -> Script:
    script = Script("liquidlogic")
    script.register(
        "Liquidlogic",
        date(2012, 1, 2),
        starts_on=date(2012, 1, 2),
        planned_end_on=date(2014, 3, 31),
    )
    return script


def test_quarter_and_year_dates_show_their_precision_and_fall_due_at_their_end() -> None:
    script = liquidlogic()
    script.milestone(
        "Go live", DateValue(date=date(2013, 1, 1), precision="year"), date(2012, 1, 2)
    )
    quarter = DateValue(date=date(2013, 4, 1), precision="quarter")
    script.milestone("Cycle 4 testing", quarter, date(2012, 1, 2))
    rows = milestone_board(script.view(), date(2013, 7, 1), CALENDAR, THRESHOLDS).milestones
    year, q2 = rows
    assert (year.baseline.shown, year.precision, year.rag) == ("2013", "year", "green")
    assert year.rag_reasons == ["Green: 'Go live' forecast 2013, on baseline 2013"]
    assert (q2.baseline.shown, q2.precision, q2.rag) == ("Q2 2013", "quarter", "red")
    assert q2.rag_reasons == [
        "Red: 'Cycle 4 testing' baseline Q2 2013 passed 1 working day ago, not achieved"
    ]


def test_an_assumed_baseline_is_marked_and_never_amber_or_red() -> None:
    script = liquidlogic()
    assumed = DateValue(date=date(2013, 3, 1), precision="month", assumed=True)
    script.milestone("Go live", assumed, date(2012, 1, 2))
    row = milestone_board(script.view(), date(2021, 1, 4), CALENDAR, THRESHOLDS).milestones[0]
    assert (row.baseline.shown, row.baseline.assumed, row.forecast.assumed) == (
        "March 2013 (assumed)",
        True,
        True,
    )
    assert (row.rag, row.slippage_vs_baseline) == ("green", 0)
    assert row.rag_reasons == [
        "Green: 'Go live' not rated: its date, March 2013, is assumed (not in the source)"
    ]
    assert msgspec.to_builtins(row.baseline) == {
        "date": "2013-03-01",
        "precision": "month",
        "shown": "March 2013 (assumed)",
        "assumed": True,
    }
    assert msgspec.to_builtins(date_line(day("2014-02-14"))) == {
        "date": "2014-02-14",
        "precision": "day",
        "shown": "2014-02-14",
    }, "a date not assumed is as before: reports sealed then keep their content hash"
