"""Social Care System Replacement (Liquidlogic): one programme with its two projects, CYP and
ASH&W, as workstreams, and both milestone tables of the "Update on Major ICT Projects" report to
the Cabinet Committee on Performance Improvement, meeting of 4 March 2014
(``004_665650827499d7e1.txt`` lines 687-791).

- Dates are months, kept at month precision. Statuses are as of the report: "Complete" is
  achieved in the milestone's own month (entered on that month's last day, or the report's day
  if earlier); "On Target" is not achieved and its forecast stays at the baseline.
- The ASH&W table's oddities are kept: "Cycle 4 Testing complete" is dated January 2013, after
  Cycle 3 in November 2013 (surely a typo for January 2014), and its header row has no "Status"
  heading. Its achievement keeps the printed month but is entered on the report's day, the first
  day the paper vouches for it: entered at the end of January 2013 it would read as achieved
  before the solution was even installed for evaluation (February 2013).
- The paper names no person for the programme: the roster is one placeholder, "ICT Services",
  clearly labelled, as the Accountable owner.
- One history across the papers: the July 2012 report (000) is where the programme is first
  seen, as the two "ISSIS Replacement" plans of its Table 4.1 (lines 281 and 283). Their go-lives
  are baselined then, at the paper's precision (CYP "go live is 2013": the year; Adult Social
  Care "1 April 2013": the day), and 004 re-baselines them (March 2014, June 2014) with the paper
  as the reason: one milestone stream each, not a milestone per paper.
- The 2015 report (001, ``partnership_2015``) adds what it records: the post-implementation
  review, and therefore the go-lives, achieved (their dates assumed).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from seed import service_improvement_plans as sip
from seed.across_papers import dated_again
from seed.seeder import ProgrammeSeedReport, Seeder
from seed.source import (
    SIGNIFICANT_RISKS,
    at,
    milestone_recorded_on,
    oddities,
    paper_month,
    placeholder_owner,
    row_text,
    seed_id,
    source,
)
from tracker.commands import (
    AchieveMilestone,
    AddWorkstream,
    BaselineMilestone,
    RegisterProgramme,
)
from tracker.errors import InvalidInput
from tracker.events.values import DateValue
from tracker.handlers import Handlers

DOCUMENT = "004_665650827499d7e1.txt"
KEY = "liquidlogic-social-care"
NAME = "Social Care System Replacement (Liquidlogic CYP and ASH&W)"
NAME_LINE = 687
REPORT_ON = date(2014, 3, 4)
"""Line 657: "Meeting to be held on 4 March 2014"."""
STARTS_ON = date(2013, 1, 1)
"""Line 758: "the formal implementation programme commencing in January 2013"."""
FIRST_SEEN_ON = sip.REPORT_ON
"""10 July 2012: the two ISSIS replacement plans of the 2012 report (000 lines 281, 283)."""
PLANNED_END_ON = date(2014, 6, 30)
"""The last milestone: ASH&W "Project Go Live", June 2014 (line 791)."""

PURPOSE_LINE = 693
PURPOSE = (
    "The Social Care System Replacement Programme consists of two dedicated projects \u2013 one to "
    "replace ASH&W Services IT system and one to replace CYP IT system. The purpose is to "
    "deliver a modern social care IT system from a company called Liquidlogic that can be used "
    "by all professional social work staff in the county."
)
SCOPE_LINE = 761
SCOPE = (
    "The overall programme approach is a phased implementation. Both ASH&W and CYP projects are "
    "being run in parallel, however the training stages of each project cannot be accommodated "
    "concurrently due to the volume of staff who need to be trained. As such, one of the "
    "projects will need to go live ahead of the other, hence the phased implementation approach."
)
GOVERNANCE_LINES = (663, 759)
GOVERNANCE = (
    "A joint project team was established of ASH&W, CYP and ICT representatives (line 759). "
    "Reported to the Cabinet Committee on Performance Improvement, 4 March 2014; contact for "
    "further information: Mark Orford, ICT Services (line 663)."
)


class Workstream(NamedTuple):
    key: str
    title: str
    table: str
    header_line: int
    header: str


class MilestoneRow(NamedTuple):
    line: int
    milestone: str
    date: str
    status: str


CYP = Workstream(
    "cyp",
    "Children and Young People's services (CYP)",
    "Liquidlogic CYP Project Milestones",
    767,
    "Milestone\tDate\tStatus",
)
CYP_MILESTONES = (
    MilestoneRow(
        768, "Initial Liquidlogic solution installed for evaluation", "February 2013", "Complete"
    ),
    MilestoneRow(769, "Initial Design complete", "March 2013", "Complete"),
    MilestoneRow(770, "First Lancashire configuration delivered", "April 2013", "Complete"),
    MilestoneRow(771, "Cycle 1 Testing complete", "June 2013", "Complete"),
    MilestoneRow(772, "Cycle 2 Testing complete", "August 2013", "Complete"),
    MilestoneRow(773, "Cycle 3 Testing complete", "October 2013", "Complete"),
    MilestoneRow(774, "Cycle 4 Testing complete", "December 2013", "Complete"),
    MilestoneRow(775, "User Training commences", "January 2014", "Complete"),
    MilestoneRow(776, "Cycle 5 Testing complete", "February 2014", "Complete"),
    MilestoneRow(777, "Project Go Live", "March 2014", "On Target"),
)

ASHW = Workstream(
    "ash-w",
    "Adult, Social, Health and Wellbeing services (ASH&W)",
    "Liquidlogic ASH&W Project Milestones",
    781,
    "Milestone\tDate\t",
)
ASHW_MILESTONES = (
    MilestoneRow(
        782, "Initial Liquidlogic solution installed for evaluation", "February 2013", "Complete"
    ),
    MilestoneRow(783, "Initial Design complete", "March 2013", "Complete"),
    MilestoneRow(784, "First Lancashire configuration delivered", "May 2013", "Complete"),
    MilestoneRow(785, "Cycle 1 Testing complete", "July 2013", "Complete"),
    MilestoneRow(786, "Cycle 2 Testing complete", "September 2013", "Complete"),
    MilestoneRow(787, "Cycle 3 Testing complete", "November 2013", "Complete"),
    MilestoneRow(788, "Cycle 4 Testing complete", "January 2013", "Complete"),
    MilestoneRow(789, "User Training commences", "March 2014", "On Target"),
    MilestoneRow(790, "Cycle 5 Testing complete", "April 2014", "On Target"),
    MilestoneRow(791, "Project Go Live", "June 2014", "On Target"),
)

TABLES = ((CYP, CYP_MILESTONES), (ASHW, ASHW_MILESTONES))

CONTACT_LINE = 663
CONTACT = "Contact for further information: Mark Orford, (01772) 534000, ICT Services"
"""Line 663 without its (real) e-mail address: nothing seeded holds a real mailbox."""


async def load(handlers: Handlers) -> ProgrammeSeedReport:
    seeder = Seeder(handlers, KEY)
    await seeder.register(
        RegisterProgramme(
            programme_key=KEY,
            name=NAME,
            starts_on=STARTS_ON,
            planned_end_on=PLANNED_END_ON,
            purpose=PURPOSE,
            scope=SCOPE,
            governance=GOVERNANCE,
            occurred_at=at(FIRST_SEEN_ON, 8),
            source=source(
                DOCUMENT,
                "Social Care System Replacement",
                NAME_LINE,
                "Social Care System Replacement",
                first_seen=f"{sip.DOCUMENT} lines 281, 283 (10 July 2012)",
                purpose_line=str(PURPOSE_LINE),
                scope_line=str(SCOPE_LINE),
                governance_lines=", ".join(str(n) for n in GOVERNANCE_LINES),
                **oddities(SIGNIFICANT_RISKS),
            ),
        )
    )
    await seeder.assign(
        placeholder_owner(KEY, DOCUMENT, CONTACT_LINE, CONTACT, on=at(FIRST_SEEN_ON, 8, 5))
    )
    for workstream, rows in TABLES:
        missing = (
            oddities(
                (
                    "missing_header",
                    f"the {workstream.table} table's header has no 'Status' column title "
                    "though its rows carry a status",
                )
            )
            if not workstream.header.endswith("Status")
            else {}
        )
        header = source(
            DOCUMENT, workstream.table, workstream.header_line, workstream.header, **missing
        )
        await seeder.add_workstream(
            AddWorkstream(
                programme_key=KEY,
                workstream=workstream.key,
                title=workstream.title,
                occurred_at=at(FIRST_SEEN_ON, 8, 10),
                source=header,
            )
        )
        for row in rows:
            await _milestone(seeder, workstream, row)
    return await seeder.report()


SUSPECT_DATES: dict[int, str] = {
    788: (
        "printed January 2013, after Cycle 3 (November 2013) and before the solution was "
        "installed (February 2013): kept as printed, entered as achieved on the report's day"
    ),
}
"""Completions whose printed month cannot be when they happened, by line."""


class EarlierDate(NamedTuple):
    """A milestone an earlier paper dated: that paper's line and its date, at its precision."""

    plan_line: int
    baseline: DateValue
    oddity: str


EARLIER: dict[int, EarlierDate] = {
    777: EarlierDate(
        281,
        DateValue(date=date(2013, 1, 1), precision="year"),
        "CYP 'Project Go Live' is March 2014 here; the July 2012 report (000, line 281) has the "
        "CYP ISSIS replacement 'on target for go live is 2013'",
    ),
    791: EarlierDate(
        283,
        DateValue(date=date(2013, 4, 1), precision="day"),
        "ASH&W 'Project Go Live' is June 2014 here; the July 2012 report (000, line 283) has the "
        "Adult Social Care replacement 'on target for a go live 1 April 2013'",
    ),
}
"""Go-lives first dated by the July 2012 report, by 004's line: baselined from 000, then
re-baselined by 004 with the paper as the reason (one stream across the papers)."""


async def _milestone(seeder: Seeder, workstream: Workstream, row: MilestoneRow) -> None:
    earlier = EARLIER.get(row.line)
    provenance = source(
        DOCUMENT,
        workstream.table,
        row.line,
        row_text(row.milestone, row.date, row.status),
        status=row.status,
        **(oddities(("dated_differently_across_papers", earlier.oddity)) if earlier else {}),
    )
    month = paper_month(row.date)
    milestone_id = seed_id(KEY, "milestone", str(row.line))
    if earlier is None:
        await seeder.baseline(
            BaselineMilestone(
                programme_key=KEY,
                milestone_id=milestone_id,
                title=row.milestone,
                baseline=month,
                workstream=workstream.key,
                occurred_at=at(STARTS_ON, 9, 30),
                source=provenance,
            )
        )
    else:
        await dated_again(
            seeder,
            milestone_id=milestone_id,
            title=row.milestone,
            workstream=workstream.key,
            plan_line=earlier.plan_line,
            first=earlier.baseline,
            later_document=DOCUMENT,
            later_line=row.line,
            later_month=row.date,
            later_provenance=provenance,
        )
    if row.status == "Complete":
        suspect = row.line in SUSPECT_DATES
        entered = REPORT_ON if suspect else milestone_recorded_on(month, REPORT_ON)
        await seeder.achieve(
            AchieveMilestone(
                milestone_id=milestone_id,
                actual=month,
                occurred_at=at(entered, 17),
                source=(
                    {**provenance, "date_note": SUSPECT_DATES[row.line]} if suspect else provenance
                ),
            )
        )
    elif row.status != "On Target":
        raise InvalidInput(f"line {row.line}: unknown status {row.status!r}")
