"""The Document Management Service (Documentum): seven work packages, from the "Update on Major
ICT Projects" report of 4 March 2014 (``004_665650827499d7e1.txt`` lines 797-871).

- Each work package is a workstream (titled from the prose, lines 837-854) holding one
  milestone: the table's row (lines 862-869), titled exactly as the cell, with its month at
  month precision.
- Statuses as of the report: "Complete" and "Launched, now live with Social Care" are achieved
  in their month; "On Target" and "On Target to coincide with CYP Liquid Logic Go Live March
  2014" are not achieved, forecast at the baseline. The status text is kept in the provenance.
- Kept as printed: work package 2's cell uses a hyphen where the others use an en dash (written
  as ``\\u2013`` escapes below), and months are sometimes abbreviated ("Mar 2014", "Feb 2014",
  "Jun 2014") and sometimes not ("March 2014").
- The paper names no owner: one labelled placeholder is the Accountable.
- Each work package is a phase gate waiting for its milestone. The paper says the packages "are
  not sequential however but are being delivered in parallel where possible" (line 835), so the
  seven gates share one place in the order; it records no gate approval, so none is passed
  (docs/seed.md).
- One history across the papers: the July 2012 report (000, line 289) plans "a new Electronic
  Records System during 2013"; that is work package 7. The programme is first seen there: the
  milestone is baselined then at the year 2013 and re-baselined by 004 to June 2014, the paper
  as the reason.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from seed import service_improvement_plans as sip
from seed.across_papers import dated_again
from seed.seeder import ProgrammeSeedReport, Seeder
from seed.source import (
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_NAME,
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
    DefineGate,
    RegisterProgramme,
)
from tracker.errors import InvalidInput
from tracker.events.values import DateValue, PersonRef
from tracker.handlers import Handlers

DOCUMENT = "004_665650827499d7e1.txt"
KEY = "documentum-dms"
NAME = "Document Management Service (Documentum)"
NAME_LINE = 797
REPORT_ON = date(2014, 3, 4)
"""Line 657: "Meeting to be held on 4 March 2014"."""
STARTS_ON = date(2013, 5, 1)
"""The paper gives no start: the earliest date it gives, work package 1's May 2013."""
FIRST_SEEN_ON = sip.REPORT_ON
"""10 July 2012: the 2012 report's Electronic Records System plan (000 line 289) is WP7."""
PLANNED_END_ON = date(2014, 6, 30)
"""The latest work package date: 7, Jun 2014."""
CONTACT_LINE = 663
CONTACT = "Contact for further information: Mark Orford, (01772) 534000, ICT Services"

PURPOSE_LINE = 799
PURPOSE = (
    "The Document Management Service project will deliver a coherent, county-wide approach to "
    "electronic document and records management, workflow and case management, integrated into "
    "core applications and business solutions."
)
SCOPE_LINES = (821, 835)
SCOPE = (
    "The project involves implementing a product called Documentum, from a company called EMC, "
    "which can manage all forms of content and business processes across the County Council. "
    "Delivery of the Document Management Service has been split into seven work packages. These "
    "are not sequential however but are being delivered in parallel where possible."
)
GOVERNANCE = (
    "Reported to the Cabinet Committee on Performance Improvement, 4 March 2014; contact for "
    "further information: Mark Orford, ICT Services (line 663)."
)

TABLE = "Document Management Service work packages"
HEADER_LINE = 862


class WorkPackage(NamedTuple):
    number: int
    prose_line: int
    title: str
    """From the prose: "Work Package One" (line ``prose_line``)."""
    line: int
    cell: str
    date: str
    status: str
    """The table row (line ``line``): Work Package, Date, Status."""


WORK_PACKAGES = (
    WorkPackage(
        1,
        837,
        "Work Package One",
        863,
        "1 \u2013 Product Installation and Scanning Set Up",
        "May 2013",
        "Complete",
    ),
    WorkPackage(
        2,
        839,
        "Work Package Two",
        864,
        "2 - Social Care Record (ESCR) Interface",
        "Mar 2014",
        "On Target to coincide with CYP Liquid Logic Go Live March 2014",
    ),
    WorkPackage(
        3,
        841,
        "Work Package Three",
        865,
        "3 \u2013 CERMS Migration and Training",
        "Feb 2014",
        "Complete",
    ),
    WorkPackage(
        4,
        843,
        "Work Package Four",
        866,
        "4 \u2013 Child Protection Portal",
        "May 2014",
        "On Target",
    ),
    WorkPackage(
        5,
        845,
        "Work Package Five",
        867,
        "5 \u2013 Expanded Document Handling Centre",
        "Feb 2014",
        "Launched, now live with Social Care",
    ),
    WorkPackage(
        6,
        847,
        "Work Package Six",
        868,
        "6 \u2013 Templated Methodology",
        "March 2014",
        "On Target",
    ),
    WorkPackage(
        7,
        854,
        "Work Package Seven",
        869,
        "7 \u2013 Initial Business Implementations",
        "Jun 2014",
        "On Target",
    ),
)

DESCRIPTIONS: dict[int, tuple[str, ...]] = {
    1: (
        (
            "Work Package One: Involves creating the basic hardware environment, installing "
            "and configuring the Documentum software."
        ),
    ),
    2: (
        (
            "Work Package Two: Creation of an Electronic Social Care Record (ESCR) "
            "capability, supporting the integration of Documentum with current ISSIS social "
            "care system. The interface is also designed and built for seamless migration to "
            "the ISSIS replacement, Liquidlogic."
        ),
    ),
    3: (
        (
            "Work Package Three: The migration of all existing content from current document "
            "management system (CERMS) to the new platform. This needs to be carried out "
            "with robust validation, and with assurance of no loss of data integrity, full "
            "business readiness and go-live support. Once completed, CERMS will be "
            "decommissioned."
        ),
    ),
    4: (
        (
            "Work Package Four: The creation of a Child Protection Portal on Documentum, to "
            "support secure, multi-agency collaboration around documents and processes "
            "related to child protection case conferences."
        ),
    ),
    5: (
        (
            "Work Package Five: Implementation of full inbound and outbound Document "
            "Handling Centre. This may include tuning/enhancing the smart indexing, and the "
            "use of/integration with Print and Output Management software to optimise the "
            "use of equipment and postal charges."
        ),
    ),
    6: (
        (
            "Work Package Six: Development of a 'templated' methodology and toolset to allow "
            "staff to exploit the Documentum platform as necessary to deliver business "
            "value. The Methodology will allow technical staff to:"
        ),
        ("- Configure and administrate all aspects of the product."),
        ("- Support the creation, deployment and maintenance of complex workflows."),
        ("- Develop and integrate interfaces to other line of business applications."),
        (
            "- Provide staff with the tools and skills to manage the future migration of "
            "content from fileshares and other repositories."
        ),
    ),
    7: (
        (
            "Work Package Seven: Use the 'templated' methodology and toolset to deliver "
            "value to three initial selected business areas. This is intended to demonstrate "
            "the value and power of Documentum and the Methodology, whilst delivering 'quick "
            "wins' for the County Council. The three business areas under development are:"
        ),
        ("- Social Care finance systems/Oracle Financials"),
        ("- Social Care Printing"),
        ("- Emergency Planning"),
    ),
}
"""Each work package's prose (lines 837-858), line by line as the file holds them: the first
line names the package ("Work Package One: ..."), the others are its bullets."""

ACHIEVED = ("Complete", "Launched, now live with Social Care")
NOT_ACHIEVED = ("On Target", "On Target to coincide with CYP Liquid Logic Go Live March 2014")


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
            occurred_at=at(FIRST_SEEN_ON, 8, 20),
            source=source(
                DOCUMENT,
                "Document Management Service Project",
                NAME_LINE,
                "Document Management Service Project",
                purpose_line=str(PURPOSE_LINE),
                scope_lines=", ".join(str(n) for n in SCOPE_LINES),
                start_note="no start date in the paper: the earliest date it gives (May 2013)",
                first_seen=f"{sip.DOCUMENT} line 289 (10 July 2012)",
                **oddities(SIGNIFICANT_RISKS),
            ),
        )
    )
    await seeder.assign(
        placeholder_owner(KEY, DOCUMENT, CONTACT_LINE, CONTACT, on=at(FIRST_SEEN_ON, 8, 25))
    )
    for package in WORK_PACKAGES:
        await _work_package(seeder, package)
    for package in WORK_PACKAGES:
        await _gate(seeder, package)
    return await seeder.report()


async def _gate(seeder: Seeder, package: WorkPackage) -> None:
    await seeder.define_gate(
        DefineGate(
            programme_key=KEY,
            gate_id=seed_id(KEY, "gate", str(package.line)),
            title=f"{package.title} delivered",
            order=1,
            milestones=(seed_id(KEY, "milestone", str(package.line)),),
            approvers=(PersonRef(email=PLACEHOLDER_EMAIL, name=PLACEHOLDER_NAME),),
            occurred_at=at(STARTS_ON, 9, 40),
            source=source(
                DOCUMENT,
                TABLE,
                package.line,
                row_text(package.cell, package.date, package.status),
                header_line=str(HEADER_LINE),
                order_line="835",
                gate_note=(
                    "one gate per work package, all in one place of the order: the paper says "
                    "they are delivered in parallel; it records no gate approval"
                ),
            ),
        )
    )


def describe(package: WorkPackage) -> str:
    """The package's prose without its "Work Package One: " label, its bullets on their own
    lines."""
    first, *bullets = DESCRIPTIONS[package.number]
    label = f"{package.title}: "
    if not first.startswith(label):
        raise InvalidInput(f"line {package.prose_line} does not start {label!r}")
    return "\n".join([first.removeprefix(label), *bullets])


EARLIER_LINE = 289
"""000's Electronic Records System plan: work package 7 as the July 2012 report dates it."""
EARLIER_BASELINE = DateValue(date=date(2013, 1, 1), precision="year")
"""'during 2013'."""
ACROSS_PAPERS: dict[int, dict[str, str]] = {
    869: oddities(
        (
            "dated_differently_across_papers",
            "WP7 'Initial Business Implementations' is June 2014 here; the July 2012 report "
            "(000, line 289) plans the new Electronic Records System 'during 2013'",
        )
    ),
}
"""Work packages another paper dates differently, by line."""


async def _work_package(seeder: Seeder, package: WorkPackage) -> None:
    workstream = f"wp{package.number}"
    provenance = source(
        DOCUMENT,
        TABLE,
        package.line,
        row_text(package.cell, package.date, package.status),
        header_line=str(HEADER_LINE),
        workstream_line=str(package.prose_line),
        status=package.status,
        **ACROSS_PAPERS.get(package.line, {}),
    )
    first_seen = package.line in ACROSS_PAPERS
    await seeder.add_workstream(
        AddWorkstream(
            programme_key=KEY,
            workstream=workstream,
            title=package.title,
            description=describe(package),
            occurred_at=at(FIRST_SEEN_ON, 8, 30) if first_seen else at(STARTS_ON, 9, 10),
            source=provenance,
        )
    )
    month = paper_month(package.date)
    milestone_id = seed_id(KEY, "milestone", str(package.line))
    if first_seen:
        await dated_again(
            seeder,
            milestone_id=milestone_id,
            title=package.cell,
            workstream=workstream,
            plan_line=EARLIER_LINE,
            first=EARLIER_BASELINE,
            later_document=DOCUMENT,
            later_line=package.line,
            later_month=package.date,
            later_provenance=provenance,
        )
    else:
        await seeder.baseline(
            BaselineMilestone(
                programme_key=KEY,
                milestone_id=milestone_id,
                title=package.cell,
                baseline=month,
                workstream=workstream,
                occurred_at=at(STARTS_ON, 9, 30),
                source=provenance,
            )
        )
    if package.status in ACHIEVED:
        await seeder.achieve(
            AchieveMilestone(
                milestone_id=milestone_id,
                actual=month,
                occurred_at=at(milestone_recorded_on(month, REPORT_ON), 17),
                source=provenance,
            )
        )
    elif package.status not in NOT_ACHIEVED:
        raise InvalidInput(f"line {package.line}: unknown status {package.status!r}")
