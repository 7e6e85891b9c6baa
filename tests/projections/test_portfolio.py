"""The portfolio: one row per programme."""

from __future__ import annotations

from datetime import date

from tests.projections.builders import Script
from tests.projections.story import CALENDAR, THRESHOLDS, TODAY, small_programme
from tracker.projections.reports.portfolio import portfolio


def test_one_row_per_programme_with_counts_rag_and_next_milestones() -> None:
    script, ids = small_programme()
    empty = Script("another")
    empty.register(
        "Another", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 12, 31)
    )
    result = portfolio([script.view(), empty.view()], TODAY, CALENDAR, THRESHOLDS)
    assert [row.key for row in result.programmes] == ["another", "test-transition"]
    row = result.programmes[1]
    assert (row.status, row.rag, row.confidence_label) == ("closing", "amber", "Amber")
    assert row.deliverables == {
        "planned": 0,
        "submitted": 1,
        "returned": 0,
        "signed_off": 2,
        "deferred": 1,
    }
    assert row.milestones == {"green": 2, "amber": 1, "red": 0}
    assert (row.open_raid, row.open_raid_amber, row.open_raid_red) == (1, 1, 0)
    # Go live (7 April) comes before Cycle 2 (April 2021: deadline 30 April); Cycle 1 is done.
    assert [(m.id, m.forecast.shown) for m in row.next_milestones] == [
        (str(ids.m3), "2021-04-07"),
        (str(ids.m2), "April 2021"),
    ]
    blank = result.programmes[0]
    assert (blank.status, blank.rag, blank.confidence_label) == ("active", "green", "Green")
    assert result.position == 57
    assert [(p.key, p.position) for p in result.positions] == [
        ("another", 1),
        ("test-transition", 57),
    ]
