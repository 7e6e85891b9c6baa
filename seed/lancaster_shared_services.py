"""Lancaster City Council's shared services with OneConnect Limited: the report of its Chief
Executive to Cabinet, 17 January 2012 (``002_1f559a7723fc5399.txt``, 109 lines).

- One programme, as the paper names it (line 3). Its decisions so far are milestones, achieved on
  the meeting days the paper gives: the benefits reported on 19 April (2011: the paper gives no
  year, and this is the meeting before July 2011's), OneConnect's formation reported on 26 July
  2011, the Memorandum of Understanding noted on 4 October 2011 (the paper gives no signing
  date: the meeting's day is when it was known to be signed, an assumption said as one), and this
  report itself on 17 January 2012.
- Cabinet's "final decision in due course" (line 49) has no date in the paper: a milestone with an
  assumed year (2012), which is never rated against.
- The four documents "being drafted" (lines 26-30) are deliverables, approved by Legal Services
  (line 91: "Legal Services will be required to advise upon and approve all the documentation
  referred to in paragraph 5"). The paper gives them no date: their due dates are assumed and
  never make them late. None is signed off.
- The telephony move to Accrington is the paper's one risk (line 39, again at line 75), with its
  mitigation but no scores: a RAID risk needs impact and likelihood, and inventing them would
  invent its colour, so it is a finding (``risk_not_scored``) and no RAID item is loaded.
- The roster is the Chief Executive (Accountable: the report is theirs) and Legal Services
  (Consulted, the approver). Neither is a person; their addresses are the seed's own
  (``lancaster.example``): the paper's real mailbox (line 105) is not seeded.
"""

from __future__ import annotations

from datetime import date
from typing import Final, NamedTuple

from seed.seeder import ProgrammeSeedReport, Seeder
from seed.source import at, oddities, seed_id, source
from tracker.commands import (
    AssignRosterMember,
    BaselineMilestone,
    PlanDeliverable,
    RegisterProgramme,
)
from tracker.events.values import DateValue, PersonRef
from tracker.handlers import Handlers

DOCUMENT: Final = "002_1f559a7723fc5399.txt"
KEY: Final = "lancaster-shared-services"
NAME_LINE: Final = 3
NAME: Final = "Shared Services Programme \u2013 Oneconnect Limited"
"""Line 3, as printed ("Oneconnect"; the body also writes "OneConnect")."""
REPORT_ON: Final = date(2012, 1, 17)
"""Line 3: the report is dated 17 January 2012."""
STARTS_ON: Final = date(2011, 4, 19)
"""Line 20: "As reported to Cabinet on the 19 April": the earliest decision the paper gives."""
PLANNED_END_ON: Final = date(2012, 12, 31)
"""The paper gives no end: the year of the final decision it expects (assumed)."""

PURPOSE_LINE: Final = 8
PURPOSE: Final = (
    "To advise Cabinet on progress and proposals for shared services with Oneconnect Limited "
    "(OCL - the strategic partnership established between Lancashire County Council and BT) "
    "around Information Services and Customer Services"
)
SCOPE_LINES: Final = (21, 31, 45)
SCOPE: Final = (
    "The services being progressed by the City Council through OneConnect Limited are ICT and "
    "Customer Access (the HR/Payroll system has dropped out of the draft, line 21). Customer "
    "Access: OCL delivers telephony customer service from Accrington; Lancaster City Council "
    "delivers face to face customer service for both councils (line 31). Information Services: "
    "OCL provides the full range of information technology services, by seconding City Council "
    "employees (lines 45-46)."
)
GOVERNANCE: Final = (
    "Report of the Chief Executive to Cabinet, 17 January 2012 (line 5); a non-key decision "
    "referred from officers (line 9). Legal Services advise upon and approve the agreements "
    "before proceeding (line 91)."
)

CHIEF_EXECUTIVE: Final = PersonRef(
    email="chief.executive@lancaster.example",
    name="Chief Executive, Lancaster City Council",
)
LEGAL_SERVICES: Final = PersonRef(
    email="legal.services@lancaster.example",
    name="Legal Services, Lancaster City Council",
)

RECOMMENDATION_LINE: Final = 15
DOCUMENTS_LINE: Final = 26
DOCUMENTS: Final = (
    (27, "Shared Services Agreement between Lancaster City Council and Lancashire County Council"),
    (28, "ICT Service Provision Agreement"),
    (29, "Customer Services Call Handling Service Provision Agreement"),
    (30, "Customer Services Face to Face Service Provision Agreement"),
)
LEGAL_LINE: Final = 91


PAPER_LINES: Final[dict[int, str]] = {
    3: "Shared Services Programme \u2013 Oneconnect Limited 17 January 2012",
    5: "Report of Chief Executive",
    15: (
        "1 That Cabinet considers the progress and proposals for shared services with "
        "OneConnect Limited in respect of Information Services and Customer Services and "
        "supports further development of the proposals on that basis."
    ),
    19: (
        "- At its meeting on the 26 July 2011, Cabinet was informed that, Lancashire County "
        "Council and BT have jointly formed a company called OneConnect Limited to undertake "
        "the work of the Strategic Partnership."
    ),
    20: (
        "- 2. As reported to Cabinet on the 19 April, the benefits from the Strategic "
        "Partnership could be significant and, therefore, Lancaster City Council had "
        "previously agreed to add its name to the OJEU notice."
    ),
    22: (
        "- 4. At its meeting on the 4 October 2011, Cabinet were asked to note the signing "
        "of a Memorandum of Understanding which, whilst not legally binding, has been signed "
        "by the Chief Executives of Lancaster City Council and Lancashire County Council to"
    ),
    27: (
        " - Shared Services Agreement between Lancaster City Council and Lancashire County Council"
    ),
    28: " - ICT Service Provision Agreement",
    29: " - Customer Services Call Handling Service Provision Agreement",
    30: " - Customer Services Face to Face Service Provision Agreement",
    39: (
        " - Although OCL welcome the secondment of Lancaster City Council staff to deliver "
        "the telephony service unfortunately the vast majority of employees may feel that a "
        "transfer of work to Accrington may not be acceptable in view of the commuting time "
        "involved. This increases the problems of a smooth transition and therefore a robust "
        "take-on plan will need to be jointly developed and agreed during the transition "
        "period to mitigate this."
    ),
    49: (
        "- 8. It is intended that, if Cabinet agrees in principle to proceed with developing "
        "the shared services proposals, officers will continue to work on the draft "
        "documentation (incorporating the full terms and conditions) and on the financial "
        "appraisal, with a view to reporting back to enable Cabinet to make a final decision "
        "in due course."
    ),
    91: (
        "There are no legal implications arising directly from this report, but Legal "
        "Services will be required to advise upon and approve all the documentation referred "
        "to in paragraph 5 of this report prior to proceeding with these shared service "
        "arrangements."
    ),
}
"""The lines the provenance cites, exactly as the text file holds them."""


class Decision(NamedTuple):
    """A milestone the paper reports as done: its line, its title and its day; ``assumed``
    says why the day is assumed (empty: the paper gives it), ``oddity`` any finding."""

    line: int
    title: str
    on: date
    assumed: str = ""
    oddity: dict[str, str] = {}


DECISIONS: Final = (
    Decision(
        20,
        "Benefits of the Strategic Partnership reported to Cabinet; Lancaster on the OJEU notice",
        date(2011, 4, 19),
        oddity=oddities(
            (
                "date_without_year",
                "'reported to Cabinet on the 19 April' gives no year; 2011 is read from the "
                "meeting of 26 July 2011 that follows it (line 19)",
            )
        ),
    ),
    Decision(19, "OneConnect Limited formed (reported to Cabinet)", date(2011, 7, 26)),
    Decision(
        22,
        "Memorandum of Understanding signed by both Chief Executives",
        date(2011, 10, 4),
        assumed="the paper gives no signing date: it was signed by the meeting of 4 October 2011",
    ),
    Decision(
        RECOMMENDATION_LINE,
        "Progress and proposals reported to Cabinet",
        REPORT_ON,
        oddity=oddities(
            (
                "reference_date_differs",
                "the report is dated 17 January 2012 (line 3) but its reference ends "
                "'06.12.11' (line 109)",
            )
        ),
    ),
)

FINAL_DECISION_LINE: Final = 49
RISK_NOT_SCORED: Final = (
    "risk_not_scored",
    "the telephony move to Accrington: 'the vast majority of employees may feel that a "
    "transfer of work to Accrington may not be acceptable ... a robust take-on plan will need "
    "to be jointly developed' (line 39, again line 75) has no impact or likelihood: no RAID item "
    "is loaded, since a risk needs both and inventing them would invent its colour",
)


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
                "Shared Services Programme",
                NAME_LINE,
                PAPER_LINES[NAME_LINE],
                purpose_line=str(PURPOSE_LINE),
                scope_lines=", ".join(str(n) for n in SCOPE_LINES),
                start_note="the earliest meeting the paper gives (line 20)",
                end_note="no end in the paper: assumed, the year of the final decision",
                **oddities(RISK_NOT_SCORED),
            ),
        )
    )
    await seeder.assign(
        AssignRosterMember(
            programme_key=KEY,
            email=CHIEF_EXECUTIVE.email,
            name=CHIEF_EXECUTIVE.name,
            role_title="Report of Chief Executive (an office, not a named person)",
            raci="A",
            occurred_at=at(STARTS_ON, 9, 5),
            source=source(DOCUMENT, "Report", 5, PAPER_LINES[5], contact_line="101"),
        )
    )
    await seeder.assign(
        AssignRosterMember(
            programme_key=KEY,
            email=LEGAL_SERVICES.email,
            name=LEGAL_SERVICES.name,
            role_title="Advise upon and approve the agreements (a service, not a named person)",
            raci="C",
            occurred_at=at(STARTS_ON, 9, 6),
            source=source(DOCUMENT, "Legal implications", LEGAL_LINE, PAPER_LINES[LEGAL_LINE]),
        )
    )
    for decision in DECISIONS:
        await _decision(seeder, decision)
    await _final_decision(seeder)
    for line, title in DOCUMENTS:
        await _document(seeder, line, title)
    return await seeder.report()


async def _decision(seeder: Seeder, decision: Decision) -> None:
    extra = {"date_note": decision.assumed} if decision.assumed else {}
    provenance = source(
        DOCUMENT, "Report", decision.line, PAPER_LINES[decision.line], **extra, **decision.oddity
    )
    await seeder.done_on_its_date(
        BaselineMilestone(
            programme_key=KEY,
            milestone_id=seed_id(KEY, "milestone", str(decision.line)),
            title=decision.title,
            baseline=DateValue(date=decision.on, precision="day", assumed=bool(decision.assumed)),
            occurred_at=at(min(decision.on, STARTS_ON), 9, 30),
            source=provenance,
        ),
        entered=at(decision.on, 17),
    )


async def _final_decision(seeder: Seeder) -> None:
    await seeder.baseline(
        BaselineMilestone(
            programme_key=KEY,
            milestone_id=seed_id(KEY, "milestone", str(FINAL_DECISION_LINE)),
            title="Cabinet's final decision on the shared services",
            baseline=DateValue(date=date(2012, 1, 1), precision="year", assumed=True),
            occurred_at=at(REPORT_ON, 10),
            source=source(
                DOCUMENT,
                "Report",
                FINAL_DECISION_LINE,
                PAPER_LINES[FINAL_DECISION_LINE],
                date_note="'in due course': the paper gives no date; 2012 is assumed",
            ),
        )
    )


async def _document(seeder: Seeder, line: int, title: str) -> None:
    await seeder.plan(
        PlanDeliverable(
            programme_key=KEY,
            deliverable_id=seed_id(KEY, "deliverable", str(line)),
            title=title,
            due_on=PLANNED_END_ON,
            due_assumed=True,
            approvers=(LEGAL_SERVICES,),
            occurred_at=at(REPORT_ON, 10, 5),
            source=source(
                DOCUMENT,
                "Documents being drafted",
                line,
                PAPER_LINES[line],
                header_line=str(DOCUMENTS_LINE),
                approver_line=str(LEGAL_LINE),
                date_note="the paper gives no date: due at the assumed end, never rated late",
            ),
        )
    )
