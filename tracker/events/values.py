"""Small plain values that events hold: people by e-mail, dates with their precision."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

Precision = Literal["day", "month"]


class PersonRef(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A person as an event names them: the lower-cased e-mail is the identity."""

    email: str
    name: str = ""


class DateValue(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A date known to the day, or only to the month ("March 2014": the first of the month)."""

    date: dt.date
    precision: Precision = "day"

    def __str__(self) -> str:
        if self.precision == "month":
            return self.date.strftime("%B %Y")
        return self.date.isoformat()

    @property
    def last_day(self) -> dt.date:
        """The latest day the value can mean: the month's end for month precision."""
        if self.precision == "day":
            return self.date
        following = (self.date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)


class StreamVersion(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A stream pinned at a version: "as it stood" when a report was submitted."""

    stream_id: str
    version: int
