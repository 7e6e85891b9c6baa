"""Working days in England and Wales; pure.

A working day is Monday to Friday and not an England and Wales bank holiday. Bank holidays come
from the maintained ``holidays`` library (``country_holidays("GB", subdiv="ENG")``), which
includes substitute days (Boxing Day on a Saturday gives the following Monday or Tuesday off)
and one-off days (2012-06-05 Diamond Jubilee, 2022-09-19 State Funeral, 2023-05-08
Coronation). A one-off day announced after the installed library was released can be passed as
``extra_holidays``.

Conventions (see docs/rag.md):

* ``working_days_between(a, b)`` is ``W(b) - W(a)``, where ``W(d)`` is the number of working
  days on or before ``d``. For ``b >= a`` that is the number of working days after ``a`` up to
  and including ``b``; for ``b < a`` it is minus the number of working days after ``b`` up to and
  including ``a``. It is antisymmetric and additive, and it is 0 for any two dates separated
  only by non-working days (Friday to Sunday is 0, Friday to Monday is 1).
* ``add_working_days(d, n)`` is the n-th working day after ``d`` (``n > 0``), the |n|-th working
  day before ``d`` (``n < 0``), or ``d`` itself (``n == 0``); ``d`` is never counted.
  ``working_days_between(d, add_working_days(d, n)) == n`` whenever ``n >= 0`` or ``d`` is a
  working day.
* A date known only to the month, quarter or year has as its deadline the last working day of
  that month, quarter or year (``tracker.precision``).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import holidays

from tracker.errors import InvalidInput
from tracker.precision import PRECISIONS, Precision, last_day

_ONE_DAY = timedelta(days=1)


class BankHoliday(NamedTuple):
    """A bank holiday that is a day off: it falls on a weekday."""

    on: date
    name: str


class _Year(NamedTuple):
    holidays: tuple[BankHoliday, ...]
    ordered: tuple[date, ...]
    dates: frozenset[date]


_MEMO_SIZE = 65536


@dataclass(frozen=True)
class WorkingCalendar:
    """England and Wales working days. Immutable; bank holidays are computed once per year."""

    extra_holidays: frozenset[date] = frozenset()
    _years: dict[int, _Year] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _between: dict[tuple[date, date], int] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    """Answers of ``working_days_between``: reports ask the same few pairs again and again."""

    def bank_holidays(self, year: int) -> tuple[BankHoliday, ...]:
        """The bank holidays that are days off in ``year``, in date order.

        A holiday falling on a weekend is not listed; its substitute weekday is (2021 lists
        27 December "Christmas Day (observed)" and 28 December "Boxing Day (observed)", not the
        Saturday and Sunday), as the published gov.uk list does.
        """
        return self._year(year).holidays

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        found: dict[date, str] = {
            on: str(name)
            for on, name in holidays.country_holidays("GB", subdiv="ENG", years=year).items()
        }
        for extra in self.extra_holidays:
            if extra.year == year:
                found.setdefault(extra, "Additional bank holiday")
        days = tuple(
            BankHoliday(on, name) for on, name in sorted(found.items()) if on.weekday() < 5
        )
        computed = _Year(days, tuple(day.on for day in days), frozenset(day.on for day in days))
        self._years[year] = computed
        return computed

    def is_bank_holiday(self, d: date) -> bool:
        """True for a bank holiday that is a day off (a weekday)."""
        return d in self._year(d.year).dates

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a bank holiday."""
        return d.weekday() < 5 and not self.is_bank_holiday(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self.add_working_days(d, -1)

    def working_day_on_or_after(self, d: date) -> date:
        """``d`` if it is a working day, else the next one (roll forward)."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def working_day_on_or_before(self, d: date) -> date:
        """``d`` if it is a working day, else the previous one (roll back)."""
        return d if self.is_working_day(d) else self.previous_working_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (n > 0) or before it (n < 0); ``d`` when n == 0.

        ``d`` itself is never counted: one working day after Friday 2021-04-02 (Good Friday)
        is Tuesday 2021-04-06, after the Easter Monday.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        current = d
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

        Exactly ``W(b) - W(a)`` with ``W(d)`` the count of working days on or before ``d``:
        Monday to the next Monday is 5; Friday to Monday is 1; Monday back to Friday is -1.
        """
        found = self._between.get((a, b))
        if found is not None:
            return found
        if b < a:
            found = -self.working_days_between(b, a)
        else:
            weekdays = _weekdays_up_to(b) - _weekdays_up_to(a)
            found = weekdays - self._bank_holidays_after_up_to(a, b)
        if len(self._between) >= _MEMO_SIZE:
            self._between.clear()
        self._between[(a, b)] = found
        return found

    def _bank_holidays_after_up_to(self, a: date, b: date) -> int:
        """Bank holidays (weekdays) in the half-open range (a, b]."""
        count = 0
        for year in range(a.year, b.year + 1):
            days = self._year(year).ordered
            count += bisect_right(days, b) - bisect_right(days, a)
        return count

    def month_deadline(self, year: int, month: int) -> date:
        """The deadline of a date known only to the month: the month's last working day."""
        last = date(year, month, _stdlib_calendar.monthrange(year, month)[1])
        return self.working_day_on_or_before(last)

    def deadline(self, on: date, precision: str) -> date:
        """The date by which something dated ``on`` to ``precision`` is due.

        Day precision: the date itself (not rolled to a working day). Month, quarter and year
        precision: the last working day of ``on``'s month, calendar quarter or year, whatever
        day of it ``on`` holds (2013 is due Tuesday 2013-12-31; Q1 2013 Thursday 2013-03-28,
        before Good Friday).
        """
        if precision == "day":
            return on
        if precision not in PRECISIONS:
            raise InvalidInput(
                f"date precision {precision!r} must be one of {', '.join(PRECISIONS)}"
            )
        return self.working_day_on_or_before(last_day(on, precision))

    def working_days_in(self, a: date, b: date) -> tuple[date, ...]:
        """The working days from ``a`` to ``b`` inclusive, in order (empty when b < a)."""
        days: list[date] = []
        current = a
        while current <= b:
            if self.is_working_day(current):
                days.append(current)
            current += _ONE_DAY
        return tuple(days)


def _weekdays_up_to(d: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to and including ``d``."""
    index = d.toordinal() - 1
    weeks, day_of_week = divmod(index, 7)
    return weeks * 5 + min(day_of_week + 1, 5)


def bank_holidays(year: int, calendar: WorkingCalendar | None = None) -> tuple[BankHoliday, ...]:
    """England and Wales bank holidays that are days off in ``year``, in date order."""
    return (calendar or WorkingCalendar()).bank_holidays(year)


__all__ = [
    "PRECISIONS",
    "BankHoliday",
    "Precision",
    "WorkingCalendar",
    "bank_holidays",
]
