"""Dates to the day, month, quarter or year; assumed dates; and their stored bytes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
import pytest

from tracker.events.codec import canonical_json
from tracker.events.milestones import MilestoneBaselined
from tracker.events.values import DateValue
from tracker.precision import coarsest, first_day, last_day, shown_date

MILESTONE = UUID("00000000-0000-0000-0000-000000000001")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (DateValue(date=date(2014, 3, 17)), "2014-03-17"),
        (DateValue(date=date(2014, 3, 1), precision="month"), "March 2014"),
        (DateValue(date=date(2013, 1, 1), precision="quarter"), "Q1 2013"),
        (DateValue(date=date(2013, 10, 1), precision="quarter"), "Q4 2013"),
        (DateValue(date=date(2013, 1, 1), precision="year"), "2013"),
        (DateValue(date=date(2013, 3, 1), precision="month", assumed=True), "March 2013 (assumed)"),
        (DateValue(date=date(2013, 3, 12), assumed=True), "2013-03-12 (assumed)"),
    ],
)
def test_a_date_is_shown_at_its_precision_and_marked_when_assumed(
    value: DateValue, shown: str
) -> None:
    assert str(value) == shown
    assert shown_date(value.date, value.precision, assumed=value.assumed) == shown


@pytest.mark.parametrize(
    ("on", "precision", "first", "last"),
    [
        (date(2014, 3, 17), "day", date(2014, 3, 17), date(2014, 3, 17)),
        (date(2016, 2, 1), "month", date(2016, 2, 1), date(2016, 2, 29)),
        (date(2013, 1, 1), "quarter", date(2013, 1, 1), date(2013, 3, 31)),
        (date(2013, 4, 1), "quarter", date(2013, 4, 1), date(2013, 6, 30)),
        (date(2013, 8, 9), "quarter", date(2013, 7, 1), date(2013, 9, 30)),
        (date(2013, 10, 1), "quarter", date(2013, 10, 1), date(2013, 12, 31)),
        (date(2013, 1, 1), "year", date(2013, 1, 1), date(2013, 12, 31)),
    ],
)
def test_a_date_means_the_days_of_its_period(
    on: date, precision: str, first: date, last: date
) -> None:
    assert (first_day(on, precision), last_day(on, precision)) == (first, last)
    value = DateValue(date=on, precision=precision)  # type: ignore[arg-type]
    assert (value.first_day, value.last_day) == (first, last)


def test_the_coarsest_precision_of_several() -> None:
    assert coarsest([]) == "day"
    assert coarsest(["day", "month"]) == "month"
    assert coarsest(["quarter", "day", "month"]) == "quarter"
    assert coarsest(["month", "year", "quarter"]) == "year"


def test_bytes_of_a_date_value_without_assumed_are_unchanged() -> None:
    """As encoded before ``assumed`` existed: ``precision`` always written, nothing more."""
    assert msgspec.json.encode(DateValue(date=date(2014, 3, 17))) == (
        b'{"date":"2014-03-17","precision":"day"}'
    )
    assert msgspec.json.encode(DateValue(date=date(2014, 3, 1), precision="month")) == (
        b'{"date":"2014-03-01","precision":"month"}'
    )
    assert msgspec.json.encode(DateValue(date=date(2014, 3, 1), assumed=False)) == (
        b'{"date":"2014-03-01","precision":"day"}'
    )


def test_an_assumed_date_value_writes_assumed_and_reads_it_back() -> None:
    value = DateValue(date=date(2013, 4, 1), precision="quarter", assumed=True)
    encoded = msgspec.json.encode(value)
    assert encoded == b'{"date":"2013-04-01","precision":"quarter","assumed":true}'
    assert msgspec.json.decode(encoded, type=DateValue) == value


def test_an_event_stored_before_assumed_existed_decodes_and_encodes_to_the_same_bytes() -> None:
    stored = (
        b'{"baseline":{"date":"2014-03-01","precision":"month"},'
        b'"milestone_id":"00000000-0000-0000-0000-000000000001","programme_key":"lcc",'
        b'"title":"Go live","type":"MilestoneBaselined","workstream":null}'
    )
    event = msgspec.json.decode(stored, type=MilestoneBaselined)
    assert event.baseline == DateValue(date=date(2014, 3, 1), precision="month")
    assert event.baseline.assumed is False
    assert canonical_json(event) == stored
    assert (
        canonical_json(
            MilestoneBaselined(
                milestone_id=MILESTONE,
                programme_key="lcc",
                title="Go live",
                baseline=DateValue(date=date(2014, 3, 1), precision="month"),
            )
        )
        == stored
    )
