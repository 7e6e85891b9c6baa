"""The RAID log, hand-computed from the small programme (tests/projections/story.py)."""

from __future__ import annotations

from datetime import date

from tests.projections.builders import Script, person
from tests.projections.story import CALENDAR, THRESHOLDS, TODAY, small_programme
from tracker.projections.reports.raid_log import RaidUpdateLine, raid_log


def test_open_risk_scores_likelihood_times_impact_with_its_latest_update() -> None:
    script, ids = small_programme()
    log = raid_log(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert [row.id for row in log.open] == [str(ids.r1)]
    r1 = log.open[0]
    assert (r1.ref, r1.kind, r1.owner_name, r1.score) == ("R1", "risk", "Glyn Peach", 12)
    assert r1.latest_update == RaidUpdateLine(on=date(2021, 3, 2), text="Novation letters sent")
    assert len(r1.updates) == 2
    assert (r1.rag, r1.rag_reasons) == (
        "amber",
        ["Amber: R1 score 12 (likelihood 3 x impact 4), at or above 8"],
    )


def test_closed_issue_is_green_with_its_closing_note() -> None:
    script, ids = small_programme()
    log = raid_log(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert [row.id for row in log.closed] == [str(ids.i1)]
    i1 = log.closed[0]
    assert (i1.is_open, i1.closed_on, i1.closing_note) == (False, date(2021, 3, 5), "Stock arrived")
    assert i1.score == 15  # an issue has happened: likelihood 5
    assert (i1.rag, i1.rag_reasons) == ("green", ["Green: I1 closed"])
    assert i1.latest_update is None


def test_open_item_with_no_impact_is_amber_because_it_cannot_be_scored() -> None:
    script = Script("p")
    script.register(
        "P", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 6, 30)
    )
    script.raid(
        "A1",
        "assumption",
        "Staff transfer under TUPE",
        person("a@x.example", "A"),
        date(2021, 1, 4),
    )
    row = raid_log(script.view(), TODAY, CALENDAR, THRESHOLDS).open[0]
    assert (row.score, row.rag, row.rag_reasons) == (
        None,
        "amber",
        ["Amber: A1 open assumption with no impact, cannot be scored"],
    )


def test_open_critical_issue_is_red() -> None:
    script = Script("p")
    script.register(
        "P", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 6, 30)
    )
    script.raid(
        "I1", "issue", "Data centre flooded", person("a@x.example", "A"), date(2021, 1, 4), impact=5
    )
    row = raid_log(script.view(), TODAY, CALENDAR, THRESHOLDS).open[0]
    assert row.rag == "red"
    assert row.rag_reasons[0] == "Red: I1 open issue of critical impact (5)"
