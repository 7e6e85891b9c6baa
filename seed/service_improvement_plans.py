"""Service Improvement Plans 2012: Table 4.1 of "One Connect Ltd First Year Review", the report
for the meeting of 10 July 2012 (``000_a1ae7120620d128e.txt`` lines 273-294).

- One programme; each plan (Project Name, Description, Status) is a workstream of its own
  (they are independent projects, not a sequence) holding one milestone titled by the project
  name; the row is kept whole in the provenance. The table is printed in two parts (header rows
  279 and 288) under one caption (line 294).
- Three plans are programmes a later paper follows: the two ISSIS replacements (lines 281 and
  283) are the Liquidlogic projects and the Electronic Records System (line 289) is Documentum's
  work package 7 (004). Their milestones live in those programmes (``liquidlogic``,
  ``documentum``), baselined there from this table and re-baselined by the later paper: one
  history per milestone. This programme keeps the other eight plans.
- The table has no date column. Each plan's baseline is the date its description gives, at the
  precision it gives it: "in 2012" is the year 2012, not a guessed month. Plans whose description
  gives no date take March 2013, the end of the 2012/13 year the report looks ahead to, marked
  assumed: an assumed date is never rated against, so it never makes a plan amber or red.
- Statuses as of the report: "Complete" is achieved by the report (July 2012, assumed: the paper
  gives no completion dates) and entered on 10 July 2012. "On target" and "In progress" are not
  achieved, forecast at the baseline; the exact status text is kept in the provenance ("On
  target" with a lower-case t, unlike 2014's "On Target").
- The paper names no owner for the plans: one labelled placeholder is the Accountable.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from seed.seeder import ProgrammeSeedReport, Seeder
from seed.source import (
    at,
    oddities,
    placeholder_owner,
    row_text,
    seed_id,
    source,
)
from tracker.commands import AchieveMilestone, AddWorkstream, BaselineMilestone, RegisterProgramme
from tracker.errors import InvalidInput
from tracker.events.values import DateValue
from tracker.handlers import Handlers

DOCUMENT = "000_a1ae7120620d128e.txt"
KEY = "service-improvement-plans-2012"
NAME = "Service Improvement Plans 2012"
REPORT_ON = date(2012, 7, 10)
"""Line 5: "Meeting to be held on 10 July 2012"."""
STARTS_ON = date(2011, 5, 16)
"""Line 28: One Connect Limited "went live on 16 May 2011"; the plans are its first year's."""
PLANNED_END_ON = date(2013, 12, 31)
"""The latest baseline below: the end of 2013."""
CONTACT_LINE = 13
CONTACT = "Eddie Sutton, (01772) 535171, Office of the Chief Executive,"
"""Line 13, the report's contact (his real address, line 14, is not seeded)."""

PURPOSE_LINE = 277
PURPOSE = (
    "The aim of all Service Improvement Plans is to improve the way Services are delivered "
    "taking account of a combination of quality, economy, efficiency and effectiveness."
)
SCOPE_LINE = 275
SCOPE = (
    "Key ICT developments and Service Improvement Plans (SIPs) are either complete or in "
    "progress. The launch of Oracle HRP and Oracle R12 Financials stand out as key achievements "
    "as 'on time and in budget'."
)
GOVERNANCE = (
    "Reported to the Cabinet Committee for the Lancashire County Council/BT Plc Strategic "
    "Partnership, 10 July 2012 (One Connect Ltd First Year Review); contact for further "
    "information: Eddie Sutton, Office of the Chief Executive (line 13)."
)

TABLE = "Table 4.1: Service Improvement Plans"
CAPTION_LINE = 294


class PlanRow(NamedTuple):
    line: int
    project: str
    description: str
    status: str


PART_1_HEADER_LINE = 279
PART_1 = (
    PlanRow(
        280,
        "ICT Service Desk and ITIL Service Improvement Plan",
        (
            "ICT service management best practice to consolidate and standardise supporting "
            "processes for the business, such as change, incident and problem management, and "
            "configuration and deployment management."
        ),
        "On target",
    ),
    PlanRow(
        281,
        "ISSIS Replacement Programme for the Directorate of Children and Young People",
        "A fundamental ICT system replacement. This is on target for go live is 2013.",
        "On target",
    ),
    PlanRow(
        282,
        "Content Management System",
        (
            "Upgrade CMS for deployment for internet and intranet with improved functionality "
            "in 2012."
        ),
        "On target",
    ),
    PlanRow(
        283,
        "ISSIS Replacement Programme for Adult Social Care",
        "A fundamental ICT system replacement. This on target for a go live 1 April 2013.",
        "On target",
    ),
    PlanRow(
        284,
        "Core Systems Review",
        (
            "A comprehensive review of all the County Council's core ICT systems. Phase I and "
            "II are complete."
        ),
        "On target",
    ),
    PlanRow(
        285,
        "Network Convergence Service Improvement Plan",
        (
            "Converge the Corporate and CLEO network into a one County network service. This "
            "will be complete in 2012."
        ),
        "On target",
    ),
    PlanRow(
        286,
        "Data Centre Programme",
        (
            "A review of the County Council's current data centre is complete. Now we are "
            "developing options and recommendations for the future provision of dual "
            "operating data centre services to meet the County's growth and business "
            "continuity requirements. A new centre is planned for 2013."
        ),
        "In progress",
    ),
)

PART_2_HEADER_LINE = 288
PART_2 = (
    PlanRow(
        289,
        (
            "Electronic Systems Management \u2013 A LCC Enterprise Content Service Resolution "
            "Services"
        ),
        (
            "Implementation of a new and innovative; document imaging, workflow and a new "
            "Electronic Records System during 2013."
        ),
        "In progress",
    ),
    PlanRow(
        290,
        "Oracle HR and Payroll System",
        "New Payroll System delivered within (9) months. On time and on budget.",
        "Complete",
    ),
    PlanRow(
        291,
        "Automatic Call Distribution",
        "The ACD is now live and being developed to deliver real customer service benefits",
        "Complete",
    ),
    PlanRow(
        292,
        "Oracle Finance System",
        "New R12 Finance and Procurement System",
        "Complete",
    ),
)


PLAN_ROWS: dict[int, PlanRow] = {row.line: row for row in (*PART_1, *PART_2)}

TRACKED_IN: dict[int, str] = {
    281: "liquidlogic-social-care",
    283: "liquidlogic-social-care",
    289: "documentum-dms",
}
"""Plans a later paper follows as (part of) another programme: their milestones live there."""


class Baseline(NamedTuple):
    value: DateValue
    basis: str


def _year(year: int) -> DateValue:
    return DateValue(date=date(year, 1, 1), precision="year")


_END_OF_2012_13 = DateValue(date=date(2013, 3, 1), precision="month", assumed=True)
_BY_THE_REPORT = DateValue(date=date(2012, 7, 1), precision="month", assumed=True)

BASELINES: dict[int, Baseline] = {
    280: Baseline(_END_OF_2012_13, "no date in the paper: the end of 2012/13"),
    282: Baseline(_year(2012), "'in 2012'"),
    284: Baseline(_END_OF_2012_13, "no date in the paper: the end of 2012/13"),
    285: Baseline(_year(2012), "'complete in 2012'"),
    286: Baseline(_year(2013), "'A new centre is planned for 2013'"),
    290: Baseline(_BY_THE_REPORT, "no date in the paper: complete by the report"),
    291: Baseline(_BY_THE_REPORT, "no date in the paper: complete by the report"),
    292: Baseline(_BY_THE_REPORT, "no date in the paper: complete by the report"),
}
"""The eight plans this programme keeps, by line: the date each description gives."""
NOT_ACHIEVED = ("On target", "In progress")


def baseline_of(row: PlanRow) -> DateValue:
    return BASELINES[row.line].value


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
            occurred_at=at(STARTS_ON, 9),
            source=source(
                DOCUMENT,
                TABLE,
                CAPTION_LINE,
                TABLE,
                purpose_lines=f"{PURPOSE_LINE}",
                scope_line=str(SCOPE_LINE),
                start_note="the paper gives no start: One Connect Limited's go-live (line 28)",
            ),
        )
    )
    await seeder.assign(
        placeholder_owner(KEY, DOCUMENT, CONTACT_LINE, CONTACT, on=at(STARTS_ON, 9, 5))
    )
    plans = [(PART_1_HEADER_LINE, row) for row in PART_1]
    plans += [(PART_2_HEADER_LINE, row) for row in PART_2]
    for number, (header_line, row) in enumerate(plans, start=1):
        if row.line not in TRACKED_IN:
            await _plan(seeder, row, header_line, workstream=f"sip-{number:02d}")
    return await seeder.report()


def _assumed(row: PlanRow) -> dict[str, str]:
    """A date the paper does not give: an assumption, said as one."""
    given = BASELINES[row.line]
    if not given.value.assumed:
        return {}
    return oddities(("date_assumed", f"'{row.project}': {given.value} ({given.basis})"))


async def _plan(seeder: Seeder, row: PlanRow, header_line: int, *, workstream: str) -> None:
    provenance = source(
        DOCUMENT,
        TABLE,
        row.line,
        row_text(row.project, row.description, row.status),
        header_line=str(header_line),
        baseline_basis=BASELINES[row.line].basis,
        status=row.status,
        **_assumed(row),
    )
    await seeder.add_workstream(
        AddWorkstream(
            programme_key=KEY,
            workstream=workstream,
            title=row.project,
            description=row.description,
            occurred_at=at(REPORT_ON, 9, 15),
            source=provenance,
        )
    )
    baseline = baseline_of(row)
    milestone_id = await seeder.baseline(
        BaselineMilestone(
            programme_key=KEY,
            milestone_id=seed_id(KEY, "milestone", str(row.line)),
            title=row.project,
            baseline=baseline,
            workstream=workstream,
            occurred_at=at(REPORT_ON, 9, 30),
            source=provenance,
        )
    )
    if row.status == "Complete":
        await seeder.achieve(
            AchieveMilestone(
                milestone_id=milestone_id,
                actual=baseline,
                occurred_at=at(REPORT_ON, 17),
                source=provenance,
            )
        )
    elif row.status not in NOT_ACHIEVED:
        raise InvalidInput(f"line {row.line}: unknown status {row.status!r}")
