"""The trend's dates and direction (pure)."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from tracker.errors import InvalidInput
from tracker.projections.reports.trend import (
    MAX_POINTS,
    TrendPoint,
    check_size,
    described,
    direction,
    trend_dates,
)


def test_weekly_dates_start_on_from_and_end_on_to() -> None:
    dates = trend_dates(date(2021, 1, 4), date(2021, 2, 3), "week")
    assert dates == [
        date(2021, 1, 4),
        date(2021, 1, 11),
        date(2021, 1, 18),
        date(2021, 1, 25),
        date(2021, 2, 1),
        date(2021, 2, 3),
    ]
    assert trend_dates(date(2021, 1, 4), date(2021, 1, 4), "week") == [date(2021, 1, 4)]


def test_monthly_dates_keep_the_day_or_take_the_month_s_last() -> None:
    dates = trend_dates(date(2020, 1, 31), date(2020, 5, 31), "month")
    assert dates == [
        date(2020, 1, 31),
        date(2020, 2, 29),
        date(2020, 3, 31),
        date(2020, 4, 30),
        date(2020, 5, 31),
    ]
    assert trend_dates(date(2020, 11, 15), date(2021, 1, 20), "month")[-2:] == [
        date(2021, 1, 15),
        date(2021, 1, 20),
    ]


def test_a_reversed_or_too_long_range_is_refused() -> None:
    with pytest.raises(InvalidInput, match="before from"):
        trend_dates(date(2021, 2, 1), date(2021, 1, 1), "week")
    with pytest.raises(InvalidInput, match=f"more than {MAX_POINTS} points"):
        trend_dates(date(2000, 1, 1), date(2021, 1, 1), "week")
    assert len(trend_dates(date(2000, 1, 1), date(2004, 12, 1), "month")) == MAX_POINTS
    with pytest.raises(InvalidInput, match="at most 1000"):
        check_size(60, 17)
    check_size(50, 20)


def _at(rag: str, confidence: str) -> TrendPoint:
    return TrendPoint(
        on=date(2021, 1, 1),
        rag=rag,
        confidence=confidence,
        confidence_label="",
        deliverables={},
        milestones={},
        open_raid=0,
        position=1,
    )


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (("red", "red"), ("amber", "amber"), "better"),
        (("green", "green"), ("amber", "amber_green"), "worse"),
        (("amber", "amber"), ("amber", "amber_green"), "better"),
        (("amber", "amber_red"), ("amber", "amber_red"), "steady"),
    ],
)
def test_direction_is_decided_by_rag_then_confidence(
    first: tuple[str, str], last: tuple[str, str], expected: str
) -> None:
    assert direction([_at(*first), _at(*last)]) == expected
    assert direction([_at(*first)]) == "steady"


def test_the_points_in_words_name_each_run_of_one_colour() -> None:
    points = [
        msgspec.structs.replace(_at("amber", "amber"), on=date(2026, 9, 14)),
        msgspec.structs.replace(_at("amber", "amber"), on=date(2026, 9, 21)),
        msgspec.structs.replace(_at("red", "red"), on=date(2026, 9, 28)),
    ]
    assert described(points) == "Amber from 14 September 2026; red from 28 September 2026 (worse)"
    assert described(points[:2]) == (
        "Amber at every point from 14 September 2026 to 21 September 2026 (steady)"
    )
    assert described([]) == "No point: the programme had no events yet"
