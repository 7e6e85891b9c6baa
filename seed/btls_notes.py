"""The BTLS transition's narrative sections and closing notes, transcribed from
``003_b42c17e009099bb8.txt`` line by line: purpose, scope, governance, "5. Key learning points",
"6. Issues and risks" (both logs empty), "7. Close-out recommendations" and "8. Next steps
(agreed closure actions)". Cells are as the file holds them, typos included ("feasable",
"Requirement's", "novation's")."""

from __future__ import annotations

from typing import NamedTuple

PURPOSE_LINE = 350
PURPOSE = (
    "The Programme Closure Report is to confirm and agree that the outcomes and products "
    "identified in the scope of the programme have been delivered. It will also highlight "
    "remaining Risks and Issues as well as recommended next steps."
)

SCOPE_LINES = (354, 357, 359, 360)
SCOPE = (
    "The programme was stood up to support LCC in the transition of the entire BTLS service "
    "back in house to LCC by the 1st of April 2021.\nThe following agreements were made:\n- "
    "Early Life Support Phase will be managed entirely by LCC through the Digital Service as "
    "BAU activity.\n- All the services will be transitioned as close to the current structure "
    "as feasable."
)

GOVERNANCE_LINE = 366
GOVERNANCE = (
    "The Programme consisted of a collaboration initially between LCC and Socitm Advisory and "
    "BTLS joined 6 months prior to 1st April."
)


class LearningPoint(NamedTuple):
    line: int
    number: str
    description: str
    recommendation: str
    responsible: str


class Recommendation(NamedTuple):
    line: int
    number: str
    description: str
    responsible: str


NextStep = Recommendation
"""The next steps table has the same columns ("No.", "Recommendation Description",
"Person/Team Responsible")."""

LEARNING_POINTS_TABLE = "5. Key learning points: successes, areas for improvements, gaps"
LEARNING_POINTS = (
    LearningPoint(
        477,
        "1",
        (
            "A semi-formal face-to-face all-hands meeting with the Core Business Team broke "
            "the ice early. It demonstrated a friendly approach, whilst still respecting and "
            "demonstrating expertise. It resulted in a 'one team' atmosphere that has lasted "
            "for the whole duration of the programme."
        ),
        (
            "Ensure kick off meetings & key client meetings are face to face to build working "
            "relationships and rapports."
        ),
        "Socitm Advisory / LCC",
    ),
    LearningPoint(
        478,
        "2",
        (
            "Working closely with the Core Business Team members enhanced engagement with key "
            "stakeholders and the presence of a familiar face in initial workshops broke the "
            "ice and eased the flow of conversation. It also cemented the relationships for "
            "future sessions."
        ),
        (
            "When needed to provide the Programme with early access to view stakeholders' "
            "calendars. Requirement's sessions to be held face to face and include "
            "representation from 'in-house' implementation team."
        ),
        "LCC",
    ),
    LearningPoint(
        479,
        "3",
        (
            "Arriving 18 months before transition allowed the Programme to carry out a "
            "thorough Scoping exercise and forge the necessary relationships, building "
            "confidence with key stakeholders. LCC also benefited from support for a broader "
            "range of issues that were technically on the fringes of the official scope, but "
            "this in-turn really helped to strengthen the relationships."
        ),
        (
            "Ensure that there is an organisational readiness phase within plan. This can be "
            "used to carry out a transformation maturity assessment and finalise scoping for "
            "the programme."
        ),
        "Socitm Advisory / LCC",
    ),
    LearningPoint(
        480,
        "4",
        (
            "Changes in team membership at various points in the programme (April 2020 forced "
            "by Covid pandemic; Dec 20/Jan 21 change in Programme Manager) resulted in some "
            "lack of clarity and/or different interpretations as to the precise meaning of "
            "some of the programme objectives and therefore exactly what deliverables were in "
            "and out of scope."
        ),
        (
            "When relevant changes to the Programme occur, initiate an ad hoc review of the "
            "programme objectives, outcomes, deliverables, and benefits to be realised. "
            "Improve on the resource handover process to ensure knowledge transfer and manage "
            "stakeholders' expectations."
        ),
        "Socitm Advisory",
    ),
    LearningPoint(
        481,
        "5",
        (
            "There was difficulty obtaining supplier contractual information and full access "
            "to an accurate contract/spend register. This hindered understanding some of the "
            "detail of the risks."
        ),
        "Ensure more time is added to the exit strategy within supplier contracts",
        "LCC",
    ),
    LearningPoint(
        482,
        "6",
        (
            "Identifying of the scope and effort of contract novation's proved challenging "
            "due to the contractual 6-month constraint."
        ),
        "Ensure more time is added to the exit strategy within supplier contracts",
        "LCC",
    ),
)

ISSUES_TABLE = "6. Issues and risks"
ISSUES_LINE = 489
ISSUES = "No issues"
RISKS_LINE = 492
RISKS = "No risks"

RECOMMENDATIONS_TABLE = "7. Close-out recommendations"
RECOMMENDATIONS = (
    Recommendation(
        499,
        "1",
        (
            "Carry out a review after 3 months to ensure that everything is still on track, "
            "momentum has been maintained and agree when to design a Future Operating Model."
        ),
        "Glyn Peach",
    ),
    Recommendation(
        500,
        "2",
        (
            "Carry out an SLA review on completion of Contracts Novation and provide "
            "recommendations for cost reductions where possible"
        ),
        "Glyn Peach",
    ),
    Recommendation(
        501,
        "3",
        (
            "Deliver the Cloud Assessment PiD (including Applications Rationalisation) to "
            "reduce service costs where possible"
        ),
        "Glyn Peach",
    ),
    Recommendation(
        502,
        "4",
        "Ensure the successful completion of the Server 2008 project.",
        "Glyn Peach",
    ),
    Recommendation(
        503,
        "5",
        "Implementing a timesheet system for recording project spend.",
        "Glyn Peach",
    ),
)

NEXT_STEPS_TABLE = "8. Next steps (agreed closure actions)"
NEXT_STEPS = (
    NextStep(
        510,
        "1",
        "Joint LCC / Socitm Advisory lessons learned session to be held",
        "Glyn Peach / Antony Draper",
    ),
)


class PaperLine(NamedTuple):
    line: int
    text: str


PRESENTERS_SECTION = "Digital Services & ICT"
PRESENTERS_SECTION_LINE = 318
PRESENTERS = (
    PaperLine(320, "Glyn Peach - Chief Digital Officer"),
    PaperLine(321, "Gabby Nelson - Head of Special Projects"),
)
"""Who presented the report: the header of the report's slides (lines 318-323), as printed."""


class SectionHeading(NamedTuple):
    part: str
    """The closure report's part the heading stands over (``tracker.closure.REPORT_PARTS``)."""
    lines: tuple[int, ...]
    text: str
    """The heading as printed on its first line."""


SECTIONS = (
    SectionHeading("roles", (333,), "Key Transition Roles"),
    SectionHeading("purpose", (348,), "1. Purpose of this document"),
    SectionHeading("scope", (352,), "2. Scope of the assignment"),
    SectionHeading("governance", (364,), "3. Governance"),
    SectionHeading("outcomes", (370,), "3. Outcomes"),
    SectionHeading("deliverables", (386, 416, 442), "4. Socitm deliverables (1/3)"),
    SectionHeading("learning_points", (474,), LEARNING_POINTS_TABLE),
    SectionHeading("issues_and_risks", (486,), "6. Issues and risks"),
    SectionHeading("recommendations", (496,), RECOMMENDATIONS_TABLE),
    SectionHeading("next_steps", (507,), NEXT_STEPS_TABLE),
)
"""Every section heading of the report from its start, as printed: two sections are numbered 3
(lines 364 and 370), the roles table is unnumbered, and the deliverables table is printed over
three pages, "(1/3)" to "(3/3)" (lines 386, 416 and 442)."""
