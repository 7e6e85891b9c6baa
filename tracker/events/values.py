"""Small plain values that events hold: people by e-mail, dates with their precision."""

from __future__ import annotations

import datetime as dt

import msgspec

from tracker.precision import Precision, first_day, last_day, shown_date


class PersonRef(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A person as an event names them: the lower-cased e-mail is the identity."""

    email: str
    name: str = ""


def _day() -> Precision:
    return "day"


class DateValue(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """A date known to the day, or only to the month, quarter or year, stored as its period's
    first day: ``DateValue(date=date(2013, 4, 1), precision="quarter")`` is Q2 2013.

    ``assumed``: the source does not give the date; whoever entered it assumed it
    (``DateValue(date=date(2013, 3, 1), precision="month", assumed=True)``). An assumed date
    never makes a milestone amber or red (``tracker.rag.milestone_rag``) and is shown
    "March 2013 (assumed)".

    Encoding: ``assumed`` is left out while False, so a value without it encodes to the same
    bytes as before the field existed (stored events and their hash chain are unchanged), and
    ``precision`` is always written, as it always was: ``omit_defaults`` leaves out a field
    equal to its default, and a ``default_factory`` other than an empty collection's never
    counts as equal (tests/tracker/test_precision.py pins both).
    """

    date: dt.date
    precision: Precision = msgspec.field(default_factory=_day)
    assumed: bool = False

    def __str__(self) -> str:
        return shown_date(self.date, self.precision, assumed=self.assumed)

    @property
    def first_day(self) -> dt.date:
        """The earliest day the value can mean: the first of its month, quarter or year."""
        return first_day(self.date, self.precision)

    @property
    def last_day(self) -> dt.date:
        """The latest day the value can mean: the end of its month, quarter or year."""
        return last_day(self.date, self.precision)


class StreamVersion(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A stream pinned at a version: "as it stood" when a report was submitted."""

    stream_id: str
    version: int
