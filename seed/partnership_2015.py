"""What the 2015 report on the BT partnership (``001_2fcc3c20f7383d0a.txt``, 172 lines) adds to
programmes seeded from the earlier papers: it loads no programme of its own.

- The paper prints no date. It reports the partnership's first year (from 1 April 2014) as
  completed (line 108) and plans its next staff survey for July 2015 (line 160): it is read as
  written in April-June 2015 (Q2 2015, assumed) and its facts are entered on 30 June 2015, the
  latest day it can mean, so that no view as of an earlier day shows them.
- Liquidlogic (line 114): "A post implementation review of the Care Portal and elements of Liquid
  Logic has been undertaken". That review is a milestone, achieved by the paper (Q2 2015,
  assumed: the paper gives no date). A review after implementation means the go-lives happened:
  the four milestones 004 left "On Target" (CYP go-live, ASH&W training, cycle 5 and go-live) are
  entered as achieved in the month 004 gave them, marked assumed, each with the finding that its
  achievement is inferred, not reported.
- Asset Management (line 116): "continuing in earnest"; a blueprint "has already been completed
  for the highways element". That blueprint is a milestone achieved by the paper (assumed date);
  the stages 004 dated 2014 are still open, so their red is the papers' own.
- Its other facts (ICT service performance, payroll, schools, staffing) belong to no seeded
  programme and are not loaded (docs/seed.md).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from seed import asset_management, liquidlogic
from seed.seeder import ProgrammeSeedReport, Seeder
from seed.source import at, oddities, paper_month, seed_id, source
from tracker.commands import AchieveMilestone, BaselineMilestone
from tracker.events.values import DateValue
from tracker.handlers import Handlers

DOCUMENT: Final = "001_2fcc3c20f7383d0a.txt"
ENTERED_ON: Final = date(2015, 6, 30)
"""The last day the undated paper can mean (before the July 2015 survey it plans, line 160)."""
PAPER_QUARTER: Final = DateValue(date=date(2015, 4, 1), precision="quarter", assumed=True)
"""When the paper was written, as far as it says: after 31 March 2015, before July 2015."""
SECTION: Final = "3. Update on Core Systems"
REVIEW_LINE: Final = 114
ASSET_MANAGEMENT_LINE: Final = 116

PAPER_LINES: Final[dict[int, str]] = {
    3: (
        "This report provides an update on the Service Governance and Performance Monitoring "
        "of the County Council's strategic partnership with BT which came into effect on 1st "
        "April 2014. The services that remained with the strategic partnership are ICT, "
        "Payroll and Recruitment. The report covers the final two quarters of the first year "
        "of operation of the new arrangements."
    ),
    108: (
        "The first year of the new Partnership has now completed and an annual review is "
        "being prepared by BTLS which will also look forward to the coming year and our "
        "plans for continuing key developments particularly around Phase 2 of the "
        "restructure impacting the Oracle eBusiness Suite but also the Asset Management "
        "Programme. This report will first be presented to the Lancashire County Council "
        "Management Team."
    ),
    114: (
        "A post implementation review of the Care Portal and elements of Liquid Logic has "
        "been undertaken involving a number of stakeholders across the organisation but also "
        "including providers. From these sessions, specific task and finish groups were "
        "established and work is underway to ensure that the findings are being progressed "
        "and that the required changes are being implemented. The initial benefits "
        "realisation document is also being reviewed and evaluated against current "
        "performance."
    ),
    116: (
        "The Asset Management Programme is continuing in earnest. Line management of the "
        "project team has transferred to the Director of Corporate Services and work is "
        "already underway to support the team, ensure appropriate resources are available "
        "and engage with new stakeholders following the recent transformation.  To do this, "
        "membership of the programme and project boards are being reviewed and revised and a "
        "separate transformation group will be created to ensure that processes are reviewed "
        "and transformed so that the benefits of the system are maximised.  A blueprint for "
        "the system is currently being drafted that sets out the vision for the system. This "
        "has already been completed for the highways element and has been well received. "
    ),
    160: "The next survey is planned for July 2015.",
}
"""The lines the provenance cites, exactly as the text file holds them."""

UNDATED: Final = (
    "undated_paper",
    "the 2015 partnership report (001) prints no date: it calls the first year, from 1 April "
    "2014, completed (line 108) and plans a survey for July 2015 (line 160); read as Q2 2015 "
    "and entered on 30 June 2015",
)

INFERRED: Final[dict[int, str]] = {
    777: "CYP 'Project Go Live' (March 2014, 'On Target' in 004 line 777)",
    789: "ASH&W 'User Training commences' (March 2014, 'On Target' in 004 line 789)",
    790: "ASH&W 'Cycle 5 Testing complete' (April 2014, 'On Target' in 004 line 790)",
    791: "ASH&W 'Project Go Live' (June 2014, 'On Target' in 004 line 791)",
}
"""Liquidlogic milestones no paper reports achieved, which the 2015 review implies were."""


async def load_liquidlogic(handlers: Handlers) -> ProgrammeSeedReport:
    seeder = Seeder(handlers, liquidlogic.KEY)
    await _liquidlogic(seeder)
    return await seeder.report()


async def load_asset_management(handlers: Handlers) -> ProgrammeSeedReport:
    seeder = Seeder(handlers, asset_management.KEY)
    await _asset_management(seeder)
    return await seeder.report()


async def _liquidlogic(seeder: Seeder) -> None:
    provenance = source(
        DOCUMENT,
        SECTION,
        REVIEW_LINE,
        PAPER_LINES[REVIEW_LINE],
        date_note="no date in the paper: achieved by the paper, Q2 2015 assumed",
        **oddities(UNDATED),
    )
    await seeder.done_on_its_date(
        BaselineMilestone(
            programme_key=liquidlogic.KEY,
            milestone_id=seed_id(liquidlogic.KEY, "milestone", "001", str(REVIEW_LINE)),
            title="Post implementation review of the Care Portal and elements of Liquid Logic",
            baseline=PAPER_QUARTER,
            occurred_at=at(ENTERED_ON, 11),
            source=provenance,
        ),
        entered=at(ENTERED_ON, 11, 5),
    )
    rows = {row.line: row for _, rows in liquidlogic.TABLES for row in rows}
    for line, what in INFERRED.items():
        month = paper_month(rows[line].date)
        await seeder.achieve(
            AchieveMilestone(
                milestone_id=seed_id(liquidlogic.KEY, "milestone", str(line)),
                actual=DateValue(date=month.date, precision=month.precision, assumed=True),
                occurred_at=at(ENTERED_ON, 11, 10),
                source=source(
                    DOCUMENT,
                    SECTION,
                    REVIEW_LINE,
                    PAPER_LINES[REVIEW_LINE],
                    date_note="no paper gives the date: the month 004 planned, assumed",
                    **oddities(
                        (
                            "achievement_inferred",
                            f"{what} is reported achieved by no paper; the 2015 report's "
                            "post-implementation review (001 line 114) implies it was: entered "
                            "as achieved in its planned month, assumed",
                        )
                    ),
                ),
            )
        )


async def _asset_management(seeder: Seeder) -> None:
    provenance = source(
        DOCUMENT,
        SECTION,
        ASSET_MANAGEMENT_LINE,
        PAPER_LINES[ASSET_MANAGEMENT_LINE],
        date_note="no date in the paper: completed by the paper, Q2 2015 assumed",
        still_open="'The Asset Management Programme is continuing in earnest' (line 116)",
        **oddities(UNDATED),
    )
    await seeder.done_on_its_date(
        BaselineMilestone(
            programme_key=asset_management.KEY,
            milestone_id=seed_id(asset_management.KEY, "milestone", "001", "116"),
            title="Blueprint for the system: highways element",
            baseline=PAPER_QUARTER,
            occurred_at=at(ENTERED_ON, 11, 20),
            source=provenance,
        ),
        entered=at(ENTERED_ON, 11, 25),
    )
