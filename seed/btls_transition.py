"""The LCC / BTLS transition: the Programme Closure Report presented to the Cabinet Committee on
Performance Improvement on 20 April 2021 (``003_b42c17e009099bb8.txt`` lines 316-510).

The tables below are the report's, cell by cell with their line numbers; the deliverables table
is in ``btls_deliverables`` (read by ``btls_reading``) and the narrative sections in
``btls_notes``. The loader enters them as a programme manager would enter the paper record,
through the ordinary commands:

- The roster's RACI letters are transcribed raw (a Greek Alpha for Mike Kirby, a Cyrillic Es
  for Andrew Rogers); the loader maps known look-alikes to Latin and keeps the raw letter in
  the provenance. Glyn Peach deputises for Mike Kirby for the programme's life.
- Each deliverable belongs to the outcome whose merged Outcome cell holds it
  (``btls_reading.OUTCOME_CELLS``): the text prints each wrapped label near the middle of its
  cell, so rows above a label can belong to it (issue 17).
- "Signed Off" rows are submitted and approved by every named approver on the row's date
  ("Gabby Nelson / Paul Sutcliffe" is a joint approval). "Post Transition" rows are deferred
  with destination "Post Transition" on the report's day, including the three rows whose status
  sits in the Approved By cell.
- The closure report is submitted, endorsed by every R and C, and approved by the A on 20 April
  2021, the day it was presented. Everything the paper dates later (one sign-off on 27/11/2021)
  is entered after it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from seed.btls_deliverables import DOCUMENT
from seed.btls_notes import (
    GOVERNANCE,
    GOVERNANCE_LINE,
    ISSUES,
    ISSUES_LINE,
    LEARNING_POINTS,
    LEARNING_POINTS_TABLE,
    NEXT_STEPS,
    NEXT_STEPS_TABLE,
    PRESENTERS,
    PRESENTERS_SECTION_LINE,
    PURPOSE,
    PURPOSE_LINE,
    RECOMMENDATIONS,
    RECOMMENDATIONS_TABLE,
    RISKS,
    RISKS_LINE,
    SCOPE,
    SCOPE_LINES,
    SECTIONS,
    SectionHeading,
)
from seed.btls_reading import (
    PEOPLE,
    POST_TRANSITION,
    TRANSITION_ON,
    Reading,
    deliverable_source,
    read_rows,
)
from seed.seeder import ProgrammeSeedReport, Seeder
from seed.source import RaciLetter, at, latin_raci, oddities, row_text, seed_id, source, uk_day
from tracker.commands import (
    AppointDeputy,
    ApproveClosureReport,
    ApproveDeliverable,
    AssignRosterMember,
    DeferDeliverable,
    DefineOutcome,
    EndorseClosureReport,
    PlanDeliverable,
    RecordCloseOutRecommendation,
    RecordLearningPoint,
    RecordNextStep,
    RegisterProgramme,
    SubmitClosureReport,
    SubmitDeliverable,
)
from tracker.events.closure import ReportSection
from tracker.handlers import Handlers

KEY = "btls-transition"
NAME = "LCC / BTLS Transition"
NAME_LINE = 327
REPORT_LINE = 329
PRESENTED_LINE = 323
PRESENTED_ON = date(2021, 4, 20)
"""Line 323, "20th April 2021": the Cabinet Committee on Performance Improvement meeting."""
STARTS_ON = date(2019, 10, 1)
"""Learning point 3 (line 479): the programme arrived "18 months before transition"."""

# Key Transition Roles (lines 335-342): Name, RACI, Transition Role, as the file has them.
# The RACI cells of Mike Kirby and Andrew Rogers are not Latin letters (written as escapes so
# they cannot be mistaken): U+0391 GREEK CAPITAL LETTER ALPHA, U+0421 CYRILLIC CAPITAL LETTER ES.
ROSTER_TABLE = "Key Transition Roles"


class RosterRow(NamedTuple):
    line: int
    name: str
    raci: str
    role: str


ROSTER = (
    RosterRow(336, "Mike Kirby", "\u0391", "Sponsor"),
    RosterRow(337, "Glyn Peach", "R", "Transition Lead Officer"),
    RosterRow(338, "Rob Cathey", "R", "Legal Counsel"),
    RosterRow(339, "Gabby Nelson", "R", "Programme Assurance"),
    RosterRow(340, "Antony Draper", "R", "SOCITM Advisory Programme Manager"),
    RosterRow(341, "Andrew Rogers", "\u0421", "SOCITM Advisory Lead"),
    RosterRow(342, "Rachael Tanner", "R", "Procurement"),
)
RACI_NOTE_LINE = 344
RACI_NOTE = (
    "*RACI: Responsible, Accountable, Consulted, Informed. Responsible and Consulted roles are "
    "requested to 'Endorse'; Accountable (Owner) is asked to 'Approve' Glyn Peach deputized for "
    "Mike Kirby as appropriate"
)
DEPUTY, PRINCIPAL = "Glyn Peach", "Mike Kirby"

# 3. Outcomes (lines 372-382): number, outcome, status.
OUTCOMES_TABLE = "3. Outcomes"


class OutcomeRow(NamedTuple):
    line: int
    number: str
    title: str
    status: str


OUTCOMES = (
    OutcomeRow(
        373, "1", "LCC have the management structure to run the service themselves", "Complete"
    ),
    OutcomeRow(
        374, "2", "LCC are able to fully support the business from an IT perspective", "Complete"
    ),
    OutcomeRow(375, "3", "Smooth transition for inflight projects", "Complete"),
    OutcomeRow(
        376,
        "4",
        "LCC in a position to provide commercially viable services to external 3rd parties",
        "Complete",
    ),
    OutcomeRow(
        377,
        "5",
        "LCC able to put plans in place to continue to improve the quality of the IT service",
        "Complete",
    ),
    OutcomeRow(
        378, "6", "LCC are able to look at potential cost savings across the business", "Complete"
    ),
    OutcomeRow(
        379,
        "7",
        (
            "LCC understand the cost of providing IT support at a business level and fully "
            "understand the breakdown of the cost and value of their returned services"
        ),
        "Complete",
    ),
    OutcomeRow(380, "8", "LCC have no licensing liabilities", "Complete"),
    OutcomeRow(381, "9", "LCC have no unresolved compliancy issues", "Complete"),
    OutcomeRow(382, "10", "LCC are able to procure new IT services for themselves", "Complete"),
)


async def _set_up(seeder: Seeder) -> None:
    report = source(DOCUMENT, "Programme Closure Report", NAME_LINE, NAME)
    await seeder.register(
        RegisterProgramme(
            programme_key=KEY,
            name=NAME,
            starts_on=STARTS_ON,
            planned_end_on=TRANSITION_ON,
            purpose=PURPOSE,
            scope=SCOPE,
            governance=GOVERNANCE,
            occurred_at=at(STARTS_ON, 9),
            source={
                **report,
                "purpose_line": str(PURPOSE_LINE),
                "scope_lines": ", ".join(str(n) for n in SCOPE_LINES),
                "governance_line": str(GOVERNANCE_LINE),
            },
        )
    )
    for member in ROSTER:
        letter = latin_raci(member.raci)
        await seeder.assign(
            AssignRosterMember(
                programme_key=KEY,
                email=PEOPLE[member.name],
                name=member.name,
                role_title=member.role,
                raci=letter.latin,
                occurred_at=at(STARTS_ON, 9, 5),
                source=source(
                    DOCUMENT,
                    ROSTER_TABLE,
                    member.line,
                    row_text(member.name, member.raci, member.role),
                    raci_raw=member.raci,
                    raci_raw_code_point=letter.code_point,
                    **_lookalike(member.name, letter),
                ),
            )
        )
    await seeder.appoint_deputy(
        AppointDeputy(
            programme_key=KEY,
            deputy_email=PEOPLE[DEPUTY],
            for_email=PEOPLE[PRINCIPAL],
            deputy_name=DEPUTY,
            starts_on=STARTS_ON,
            ends_on=PRESENTED_ON,
            delegation_id=seed_id(KEY, "delegation", str(RACI_NOTE_LINE)),
            occurred_at=at(STARTS_ON, 9, 10),
            source=source(
                DOCUMENT,
                ROSTER_TABLE,
                RACI_NOTE_LINE,
                RACI_NOTE,
                dates_note="the paper gives no dates: the programme's start to the report's day",
            ),
        )
    )
    for outcome in OUTCOMES:
        await seeder.define_outcome(
            DefineOutcome(
                programme_key=KEY,
                number=int(outcome.number),
                title=outcome.title,
                occurred_at=at(STARTS_ON, 9, 15),
                source=source(
                    DOCUMENT,
                    OUTCOMES_TABLE,
                    outcome.line,
                    row_text(outcome.number, outcome.title, outcome.status),
                    status=outcome.status,
                    **OUTCOME_ODDITIES.get(outcome.line, {}),
                ),
            )
        )


def _lookalike(name: str, letter: RaciLetter) -> dict[str, str]:
    """The roster's letter, when the PDF's text has a look-alike for it."""
    if letter.raw == letter.latin:
        return {}
    return oddities(("raci_lookalike", f"{name}: {letter.code_point}, read as {letter.latin}"))


OUTCOME_ODDITIES: dict[int, dict[str, str]] = {
    377: oddities(
        (
            "outcome_status_contradicted",
            "Outcome 5 is reported Complete, but 'Assessment of all Services not fit for "
            "purpose ... (costs): Incident Management' (line 436) is signed off on 27/11/2021, "
            "seven months after the report of 20 April 2021",
        )
    ),
}
"""The outcomes table's oddities, by line."""


async def _plan_deliverables(seeder: Seeder, readings: list[Reading]) -> None:
    for reading in readings:
        row = reading.row
        await seeder.plan(
            PlanDeliverable(
                programme_key=KEY,
                deliverable_id=seed_id(KEY, "deliverable", str(row.line)),
                title=row.deliverable,
                due_on=uk_day(row.date) if row.date else TRANSITION_ON,
                due_assumed=not row.date,
                approvers=reading.approvers,
                outcome_number=reading.outcome,
                occurred_at=at(STARTS_ON, 9, 30),
                source=deliverable_source(reading),
            )
        )


async def _sign_off(seeder: Seeder, reading: Reading, on: date) -> None:
    deliverable_id = seed_id(KEY, "deliverable", str(reading.row.line))
    provenance = deliverable_source(reading)
    await seeder.sign_off(
        SubmitDeliverable(deliverable_id=deliverable_id, occurred_at=at(on, 10), source=provenance),
        [
            ApproveDeliverable(
                deliverable_id=deliverable_id,
                actor=approver.email,
                occurred_at=at(on, 12, index),
                source=provenance,
            )
            for index, approver in enumerate(reading.approvers)
        ],
    )


async def _defer(seeder: Seeder, reading: Reading) -> None:
    await seeder.defer(
        DeferDeliverable(
            deliverable_id=seed_id(KEY, "deliverable", str(reading.row.line)),
            reason=(
                "Reported as 'Post Transition' in the Programme Closure Report: handed to "
                "business as usual after the transition"
            ),
            destination=POST_TRANSITION,
            occurred_at=at(PRESENTED_ON, 8),
            source=deliverable_source(reading),
        )
    )


async def _closing_notes(seeder: Seeder) -> None:
    when = at(PRESENTED_ON, 9)
    for point in LEARNING_POINTS:
        await seeder.record_learning_point(
            RecordLearningPoint(
                programme_key=KEY,
                learning_point_id=seed_id(KEY, "learning-point", str(point.line)),
                number=int(point.number),
                description=point.description,
                recommendation=point.recommendation,
                responsible=point.responsible,
                occurred_at=when,
                source=source(DOCUMENT, LEARNING_POINTS_TABLE, point.line, row_text(*point[1:])),
            )
        )
    for rec in RECOMMENDATIONS:
        await seeder.record_recommendation(
            RecordCloseOutRecommendation(
                programme_key=KEY,
                recommendation_id=seed_id(KEY, "recommendation", str(rec.line)),
                number=int(rec.number),
                description=rec.description,
                responsible=rec.responsible,
                occurred_at=when,
                source=source(DOCUMENT, RECOMMENDATIONS_TABLE, rec.line, row_text(*rec[1:])),
            )
        )
    for step in NEXT_STEPS:
        await seeder.record_next_step(
            RecordNextStep(
                programme_key=KEY,
                next_step_id=seed_id(KEY, "next-step", str(step.line)),
                number=int(step.number),
                description=step.description,
                responsible=step.responsible,
                occurred_at=when,
                source=source(DOCUMENT, NEXT_STEPS_TABLE, step.line, row_text(*step[1:])),
            )
        )


_HEADING = re.compile(r"^(?:(?P<number>\d+)\. )?(?P<title>.*?)(?P<page> \(\d+/\d+\))?$")


def report_section(heading: SectionHeading) -> ReportSection:
    """A printed heading as the report's section: "4. Socitm deliverables (1/3)" is number "4",
    title "Socitm deliverables" (the page counter is the printing's, not the title's)."""
    found = _HEADING.match(heading.text)
    if found is None:  # the pattern matches any one line
        raise ValueError(f"unreadable heading {heading.text!r}")
    return ReportSection(
        part=heading.part, number=found["number"] or "", title=found["title"].strip()
    )


def _lines(lines: tuple[int, ...]) -> str:
    return ", ".join(str(line) for line in lines)


async def _close(seeder: Seeder) -> None:
    """Submitted, endorsed by every R and C, approved by the A: all on the day presented."""
    report = source(
        DOCUMENT,
        "Programme Closure Report",
        REPORT_LINE,
        "Programme Closure Report",
        presented=f"line {PRESENTED_LINE}: 20th April 2021",
        issues=f"line {ISSUES_LINE}: {ISSUES}",
        risks=f"line {RISKS_LINE}: {RISKS}",
        dates_note="no endorsement or approval dates in the paper: dated the day presented",
    )
    submitted = {
        **report,
        "presenters_lines": (
            f"{PRESENTERS_SECTION_LINE} (section), "
            + _lines(tuple(p.line for p in PRESENTERS))
            + " (names and posts, as printed)"
        ),
        "sections_lines": "; ".join(f"{h.part} {_lines(h.lines)}" for h in SECTIONS),
    }
    signatories = [(m, latin_raci(m.raci).latin) for m in ROSTER]
    sponsor = next(member for member, letter in signatories if letter == "A")

    def signed_by(member: RosterRow) -> dict[str, str]:
        return {**report, "signatory_line": str(member.line), "raci_raw": member.raci}

    await seeder.close(
        SubmitClosureReport(
            programme_key=KEY,
            summary=(
                "Programme Closure Report presented to the Cabinet Committee on Performance "
                "Improvement on 20th April 2021 (Digital Services & ICT: Glyn Peach, Chief "
                f"Digital Officer; Gabby Nelson, Head of Special Projects). Issues: {ISSUES}. "
                f"Risks: {RISKS}."
            ),
            presenters=tuple(p.text for p in PRESENTERS),
            sections=tuple(report_section(h) for h in SECTIONS),
            occurred_at=at(PRESENTED_ON, 10),
            source=submitted,
        ),
        [
            EndorseClosureReport(
                programme_key=KEY,
                actor=PEOPLE[member.name],
                occurred_at=at(PRESENTED_ON, 11, index),
                source=signed_by(member),
            )
            for index, (member, letter) in enumerate(signatories)
            if letter in ("R", "C")
        ],
        ApproveClosureReport(
            programme_key=KEY,
            actor=PEOPLE[sponsor.name],
            occurred_at=at(PRESENTED_ON, 12),
            source=signed_by(sponsor),
        ),
    )


async def load(handlers: Handlers) -> ProgrammeSeedReport:
    seeder = Seeder(handlers, KEY)
    readings = read_rows()
    await _set_up(seeder)
    await _plan_deliverables(seeder, readings)
    dated = sorted(
        (r for r in readings if r.signed_off_on is not None),
        key=lambda r: (r.signed_off_on or STARTS_ON, r.row.line),
    )
    for reading in dated:
        if reading.signed_off_on is not None and reading.signed_off_on <= PRESENTED_ON:
            await _sign_off(seeder, reading, reading.signed_off_on)
    for reading in readings:
        if reading.status == POST_TRANSITION:
            await _defer(seeder, reading)
    await _closing_notes(seeder)
    await _close(seeder)
    # After the report that lists it: "Signed Off 27/11/2021" (line 436).
    for reading in dated:
        if reading.signed_off_on is not None and reading.signed_off_on > PRESENTED_ON:
            await _sign_off(seeder, reading, reading.signed_off_on)
    return await seeder.report()
