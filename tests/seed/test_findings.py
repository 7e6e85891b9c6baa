"""The papers' oddities as data-quality findings (issue 17): every programme's findings, by
code, each oddity naming its paper and line, checked against the papers' line numbers."""

from __future__ import annotations

from datetime import date

import pytest

from tests.seed.conftest import Seeded
from tracker.calendar import WorkingCalendar
from tracker.projections.read_model.reader import fold_from_store
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.data_quality import Finding, finding_count, findings
from tracker.projections.reports.milestone_board import milestone_board
from tracker.rag import RagThresholds

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def _found(seeded: Seeded, key: str) -> dict[str, Finding]:
    """By code; ``recorded_late`` is one finding per reason given (here, per paper entered)."""
    view = await fold_from_store(seeded.store, key)
    listed = findings(view)
    assert finding_count(view) == len(listed)  # the portfolio's count, made without messages
    by_code = {f.code: f for f in listed}
    late = sum(1 for f in listed if f.code == "recorded_late")
    assert len(by_code) == len(listed) - max(late - 1, 0), "one finding per code"
    return by_code


async def test_the_btls_closure_report_s_oddities_are_findings_with_their_lines(
    seeded: Seeded,
) -> None:
    found = await _found(seeded, "btls-transition")
    assert list(found) == [
        "signed_off_after_closure",
        "duplicate_title",
        "name_variants",
        "recorded_late",
        "approver_not_on_roster",
        "raci_lookalike",
        "merged_row",
        "status_in_approver_cell",
        "as_above_dates_differ",
        "outlier_sign_off_date",
        "outcome_status_contradicted",
    ]
    assert found["approver_not_on_roster"].message == (
        "Approvers not on the programme's roster: Paul Sutcliffe (12 deliverables); Sarah "
        "Oldendorp (1 deliverable); Mark Greenwood (3 deliverables); Sharon Porter "
        "(1 deliverable)"
    )
    lookalike = found["raci_lookalike"].message
    assert "Mike Kirby: U+0391 GREEK CAPITAL LETTER ALPHA, read as A (003 line 336)" in lookalike
    assert "Andrew Rogers: U+0421 CYRILLIC CAPITAL LETTER ES, read as C (003 line 341)" in lookalike
    assert found["merged_row"].message.endswith("(003 line 391)")
    cells = found["status_in_approver_cell"].message
    assert [line in cells for line in ("line 391", "line 398", "line 468")] == [True] * 3
    assert "(003 line 453)" in found["as_above_dates_differ"].message
    assert "(003 line 454)" in found["as_above_dates_differ"].message
    assert "15/07/2020" in found["outlier_sign_off_date"].message
    assert found["outcome_status_contradicted"].message.endswith("(003 line 377)")


async def test_the_2014_and_2012_papers_oddities_are_findings(seeded: Seeded) -> None:
    liquidlogic = await _found(seeded, "liquidlogic-social-care")
    assert "missing_header" in liquidlogic and "(004 line 781)" in (
        liquidlogic["missing_header"].message
    )
    across = liquidlogic["dated_differently_across_papers"].message
    assert "(000, line 281)" in across and "(004 line 777)" in across
    assert "(000, line 283)" in across and "(004 line 791)" in across
    inferred = liquidlogic["achievement_inferred"].message
    assert inferred.count("implies it was") == 4
    for line in (777, 789, 790, 791):
        assert f"'On Target' in 004 line {line}" in inferred
    assert "(line 108)" in liquidlogic["undated_paper"].message
    documentum = await _found(seeded, "documentum-dms")
    assert "(000, line 289)" in documentum["dated_differently_across_papers"].message
    for key in ("liquidlogic-social-care", "documentum-dms", "asset-management-system"):
        risks = (await _found(seeded, key))["risks_not_itemised"].message
        assert "'carry with them significant risks' (004 line 673)" in risks, key
    assets = await _found(seeded, "asset-management-system")
    assert "6 months of pre-work and 18 of implementation, a total of 22" in (
        assets["durations_do_not_add_up"].message
    )
    assert "undated_paper" in assets
    plans = await _found(seeded, "service-improvement-plans-2012")
    assumed = plans["date_assumed"].message
    # The plans whose description gives no date: 280 and 284 (no date), 290-292 (complete).
    assert assumed.count("(assumed) (no date in the paper") == 5
    assert [f"(000 line {n})" in assumed for n in (280, 284, 290, 291, 292)] == [True] * 5
    assert "'Core Systems Review': March 2013 (assumed) (no date in the paper: the end of " in (
        assumed
    )
    for printed in (282, 285, 286):  # "in 2012", "complete in 2012", "planned for 2013"
        assert f"(000 line {printed})" not in assumed


async def test_the_2012_shared_services_paper_s_oddities_are_findings(seeded: Seeded) -> None:
    """002: the year missing from '19 April' (line 20), the reference dated 06.12.11 (line
    109) on a paper of 17 January 2012, and the telephony risk printed without scores."""
    found = await _found(seeded, "lancaster-shared-services")
    assert [code for code in found if code != "recorded_late"] == [
        "risk_not_scored",
        "date_without_year",
        "reference_date_differs",
    ]
    assert found["date_without_year"].message.endswith("(002 line 20)")
    assert "'06.12.11' (line 109)" in found["reference_date_differs"].message
    assert "(line 39, again line 75)" in found["risk_not_scored"].message


async def test_each_milestone_shows_the_status_its_paper_printed(seeded: Seeded) -> None:
    """004's and 000's status words, verbatim, beside the tracker's own dates (issue 17)."""

    def board(view: ProgrammeView) -> dict[str, str]:
        found = milestone_board(view, date(2014, 3, 4), WorkingCalendar(), RagThresholds())
        return {m.title: m.paper_status for m in found.milestones}

    documentum = board(await fold_from_store(seeded.store, "documentum-dms"))
    assert documentum["5 \u2013 Expanded Document Handling Centre"] == (
        "Launched, now live with Social Care"
    )
    assert documentum["2 - Social Care Record (ESCR) Interface"] == (
        "On Target to coincide with CYP Liquid Logic Go Live March 2014"
    )
    plans = board(await fold_from_store(seeded.store, "service-improvement-plans-2012"))
    assert plans["Data Centre Programme"] == "In progress"
    assert plans["Content Management System"] == "On target"
    liquidlogic = board(await fold_from_store(seeded.store, "liquidlogic-social-care"))
    review = "Post implementation review of the Care Portal and elements of Liquid Logic"
    assert liquidlogic.pop(review) == ""  # 001 prints no status: it says the review was done
    assert set(liquidlogic.values()) == {"Complete", "On Target"}
