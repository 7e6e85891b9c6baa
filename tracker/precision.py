"""How precisely a date is known, and the period such a date stands for; pure.

Council papers give a date to the day ("17 March 2014"), the month ("March 2014"), the quarter
("Q1 2013") or only the year ("go live is 2013"). The date is stored as the first day of its
period, with its precision: March 2014 is 2014-03-01, Q2 2013 is 2013-04-01 and 2013 is
2013-01-01. The period runs from that first day to its ``last_day``; the working-day deadline
is ``WorkingCalendar.deadline``.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date
from typing import Literal, get_args

Precision = Literal["day", "month", "quarter", "year"]
"""How precisely a date is known: to the day, the month ("March 2014"), the calendar quarter
("Q1 2013": January to March) or the year ("2013")."""

PRECISIONS: tuple[str, ...] = get_args(Precision)
"""The precisions from finest to coarsest."""

_ORDER: tuple[Precision, ...] = ("day", "month", "quarter", "year")


def _quarter(on: date) -> int:
    return (on.month - 1) // 3 + 1


def first_day(on: date, precision: str) -> date:
    """The first day of the period ``on`` falls in: itself, its month's, quarter's or year's."""
    if precision == "day":
        return on
    if precision == "month":
        return on.replace(day=1)
    if precision == "quarter":
        return date(on.year, 3 * _quarter(on) - 2, 1)
    if precision == "year":
        return date(on.year, 1, 1)
    raise ValueError(f"date precision {precision!r} must be one of {', '.join(PRECISIONS)}")


def last_day(on: date, precision: str) -> date:
    """The last day of the period ``on`` falls in: 2013-06-30 for any day of Q2 2013."""
    if precision == "day":
        return on
    month = {"month": on.month, "quarter": 3 * _quarter(on), "year": 12}.get(precision)
    if month is None:
        raise ValueError(f"date precision {precision!r} must be one of {', '.join(PRECISIONS)}")
    return date(on.year, month, _stdlib_calendar.monthrange(on.year, month)[1])


def shown_date(on: date, precision: str, *, assumed: bool = False) -> str:
    """How a reader sees the date: "2014-03-17", "March 2014", "Q1 2013" or "2013"; an assumed
    date (not in the source) ends " (assumed)": "March 2013 (assumed)"."""
    if precision == "month":
        text = on.strftime("%B %Y")
    elif precision == "quarter":
        text = f"Q{_quarter(on)} {on.year}"
    elif precision == "year":
        text = str(on.year)
    else:
        text = on.isoformat()
    return f"{text} (assumed)" if assumed else text


def coarsest(precisions: list[str]) -> Precision:
    """The least precise of several precisions ("day" when there are none)."""
    rank = max((PRECISIONS.index(p) for p in precisions if p in PRECISIONS), default=0)
    return _ORDER[rank]


__all__ = ["PRECISIONS", "Precision", "coarsest", "first_day", "last_day", "shown_date"]
