"""Working days in England and Wales: expectations computed by hand from the gov.uk lists."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.calendar import WorkingCalendar, bank_holidays
from tracker.errors import InvalidInput

CAL = WorkingCalendar()


# Weekends


def test_saturday_and_sunday_are_not_working_days() -> None:
    assert not CAL.is_working_day(date(2021, 3, 6))
    assert not CAL.is_working_day(date(2021, 3, 7))
    assert CAL.is_working_day(date(2021, 3, 5))
    assert CAL.is_working_day(date(2021, 3, 8))


def test_friday_to_monday_is_one_working_day() -> None:
    assert CAL.working_days_between(date(2021, 3, 5), date(2021, 3, 8)) == 1


def test_friday_to_sunday_is_no_working_day() -> None:
    assert CAL.working_days_between(date(2021, 3, 5), date(2021, 3, 7)) == 0


def test_monday_to_next_monday_is_five_working_days() -> None:
    assert CAL.working_days_between(date(2021, 3, 1), date(2021, 3, 8)) == 5


def test_a_date_to_itself_is_zero_working_days() -> None:
    assert CAL.working_days_between(date(2021, 3, 6), date(2021, 3, 6)) == 0
    assert CAL.working_days_between(date(2021, 3, 8), date(2021, 3, 8)) == 0


def test_one_working_day_after_saturday_is_monday_and_before_it_is_friday() -> None:
    assert CAL.add_working_days(date(2021, 3, 6), 1) == date(2021, 3, 8)
    assert CAL.add_working_days(date(2021, 3, 6), -1) == date(2021, 3, 5)


def test_adding_zero_working_days_leaves_the_date_alone_even_on_a_weekend() -> None:
    assert CAL.add_working_days(date(2021, 3, 6), 0) == date(2021, 3, 6)


# Bank holidays


def test_easter_monday_2014_is_not_a_working_day() -> None:
    assert not CAL.is_working_day(date(2014, 4, 21))
    assert not CAL.is_working_day(date(2014, 4, 18))  # Good Friday
    assert CAL.working_days_between(date(2014, 4, 17), date(2014, 4, 22)) == 1


def test_easter_monday_2021_is_not_a_working_day() -> None:
    assert not CAL.is_working_day(date(2021, 4, 5))
    assert CAL.next_working_day(date(2021, 4, 1)) == date(2021, 4, 6)


def test_christmas_and_boxing_day_on_a_weekend_give_substitute_days_2021() -> None:
    assert CAL.is_bank_holiday(date(2021, 12, 27))
    assert CAL.is_bank_holiday(date(2021, 12, 28))
    assert CAL.next_working_day(date(2021, 12, 24)) == date(2021, 12, 29)


def test_christmas_eve_is_a_working_day() -> None:
    assert CAL.is_working_day(date(2021, 12, 24))


def test_state_funeral_2022_is_a_bank_holiday() -> None:
    assert not CAL.is_working_day(date(2022, 9, 19))
    assert CAL.next_working_day(date(2022, 9, 16)) == date(2022, 9, 20)


def test_coronation_2023_is_a_bank_holiday() -> None:
    assert not CAL.is_working_day(date(2023, 5, 8))


def test_early_may_spring_and_summer_bank_holidays_2021() -> None:
    for day in (date(2021, 5, 3), date(2021, 5, 31), date(2021, 8, 30)):
        assert CAL.is_bank_holiday(day), day


def test_bank_holidays_2021_list_the_substitutes_not_the_weekend_days() -> None:
    assert [h.on for h in CAL.bank_holidays(2021)] == [
        date(2021, 1, 1),
        date(2021, 4, 2),
        date(2021, 4, 5),
        date(2021, 5, 3),
        date(2021, 5, 31),
        date(2021, 8, 30),
        date(2021, 12, 27),
        date(2021, 12, 28),
    ]


def test_bank_holidays_2022_include_jubilee_funeral_and_new_year_substitute() -> None:
    assert [h.on for h in bank_holidays(2022)] == [
        date(2022, 1, 3),
        date(2022, 4, 15),
        date(2022, 4, 18),
        date(2022, 5, 2),
        date(2022, 6, 2),
        date(2022, 6, 3),
        date(2022, 8, 29),
        date(2022, 9, 19),
        date(2022, 12, 26),
        date(2022, 12, 27),
    ]


def test_an_extra_holiday_not_yet_in_the_library_can_be_added() -> None:
    extra = date(2031, 6, 2)  # a Monday
    cal = WorkingCalendar(extra_holidays=frozenset({extra}))
    assert not cal.is_working_day(extra)
    assert CAL.is_working_day(extra)
    assert cal.working_days_between(date(2031, 5, 30), date(2031, 6, 3)) == 1


def test_the_calendar_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.extra_holidays = frozenset()  # type: ignore[misc]


# Counting and adding across holidays and year ends


def test_range_across_the_year_end_skips_christmas_and_new_year_substitutes() -> None:
    # After Fri 24 Dec 2021: 29, 30, 31 Dec; Mon 3 Jan 2022 is New Year's substitute; Tue 4 Jan.
    assert CAL.working_days_between(date(2021, 12, 24), date(2022, 1, 4)) == 4
    assert CAL.add_working_days(date(2021, 12, 24), 4) == date(2022, 1, 4)


def test_negative_counts_go_backwards_across_the_year_end() -> None:
    assert CAL.working_days_between(date(2022, 1, 4), date(2021, 12, 24)) == -4
    assert CAL.add_working_days(date(2022, 1, 4), -4) == date(2021, 12, 24)
    assert CAL.add_working_days(date(2021, 12, 29), -1) == date(2021, 12, 24)


def test_previous_working_day_skips_easter() -> None:
    assert CAL.previous_working_day(date(2021, 4, 6)) == date(2021, 4, 1)


def test_rolling_to_a_working_day() -> None:
    assert CAL.working_day_on_or_after(date(2021, 12, 25)) == date(2021, 12, 29)
    assert CAL.working_day_on_or_before(date(2021, 12, 28)) == date(2021, 12, 24)
    assert CAL.working_day_on_or_after(date(2021, 12, 24)) == date(2021, 12, 24)


def test_working_days_between_spans_several_years() -> None:
    # 2021 has 261 weekdays and 8 weekday bank holidays: 253 working days.
    assert CAL.working_days_between(date(2020, 12, 31), date(2021, 12, 31)) == 253


# Month, quarter and year precision


def test_a_month_deadline_is_its_last_working_day() -> None:
    assert CAL.month_deadline(2014, 3) == date(2014, 3, 31)  # a Monday
    assert CAL.month_deadline(2021, 7) == date(2021, 7, 30)  # 31st is a Saturday
    assert CAL.month_deadline(2020, 8) == date(2020, 8, 28)  # 31st is the summer bank holiday
    assert CAL.month_deadline(2021, 12) == date(2021, 12, 31)


def test_deadline_keeps_a_day_precise_date_and_ends_a_month_precise_one() -> None:
    assert CAL.deadline(date(2021, 3, 6), "day") == date(2021, 3, 6)
    assert CAL.deadline(date(2014, 3, 1), "month") == date(2014, 3, 31)
    assert CAL.deadline(date(2014, 3, 17), "month") == date(2014, 3, 31)


def test_a_quarter_deadline_is_the_last_working_day_of_the_calendar_quarter() -> None:
    assert CAL.deadline(date(2013, 1, 1), "quarter") == date(2013, 3, 28)  # 29th: Good Friday
    assert CAL.deadline(date(2013, 4, 1), "quarter") == date(2013, 6, 28)  # 30th is a Sunday
    assert CAL.deadline(date(2013, 7, 1), "quarter") == date(2013, 9, 30)
    assert CAL.deadline(date(2013, 11, 20), "quarter") == date(2013, 12, 31)


def test_a_year_deadline_is_the_last_working_day_of_the_year() -> None:
    assert CAL.deadline(date(2013, 1, 1), "year") == date(2013, 12, 31)  # a Tuesday
    assert CAL.deadline(date(2022, 1, 1), "year") == date(2022, 12, 30)  # 31st is a Saturday


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(InvalidInput):
        CAL.deadline(date(2014, 3, 1), "week")


# Properties

dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31))


@given(dates, dates)
def test_working_days_between_counts_working_days_after_a_up_to_b(a: date, b: date) -> None:
    low, high = min(a, b), max(a, b)
    counted = len(CAL.working_days_in(low + timedelta(days=1), high))
    assert CAL.working_days_between(a, b) == (counted if b >= a else -counted)


@given(dates, st.integers(min_value=-300, max_value=300))
def test_adding_then_counting_gives_back_n_from_a_working_day(start: date, n: int) -> None:
    d = CAL.working_day_on_or_after(start)
    moved = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, moved) == n
    assert n == 0 or CAL.is_working_day(moved)


@given(dates, st.integers(min_value=0, max_value=300))
def test_adding_forwards_then_counting_gives_back_n_from_any_day(d: date, n: int) -> None:
    assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n


@given(dates, dates, dates)
def test_working_days_between_is_additive(a: date, b: date, c: date) -> None:
    assert CAL.working_days_between(a, b) + CAL.working_days_between(
        b, c
    ) == CAL.working_days_between(a, c)
