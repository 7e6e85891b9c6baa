"""The Asset Management System: the programme stages table of the "Update on Major ICT
Projects" report of 4 March 2014 (``004_665650827499d7e1.txt`` lines 875-911).

- Each stage is a milestone (lines 903-911) with its month at month precision. "Complete" is
  achieved in its month; "On Target" is not achieved, forecast at the baseline.
- The estimated-durations table (lines 894-898) is kept as the programme's scope text, as
  printed: its Highways row does not add up (6 + 18 months of work, 22 months in total).
- The paper names no owner: one labelled placeholder is the Accountable.
- Two phase gates from the stages' order: the business case (lines 903-905) leading to "Obtain
  County Council Sign off" (line 907), then the implementations (lines 906, 908-911). The paper
  names the stages, not the gates, and records no gate approval: the placeholder Accountable
  approves them and none is passed (docs/seed.md).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

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
from tracker.commands import AchieveMilestone, BaselineMilestone, DefineGate, RegisterProgramme
from tracker.errors import InvalidInput
from tracker.events.values import PersonRef
from tracker.handlers import Handlers

DOCUMENT = "004_665650827499d7e1.txt"
KEY = "asset-management-system"
NAME = "Asset Management System"
NAME_LINE = 875
REPORT_ON = date(2014, 3, 4)
"""Line 657: "Meeting to be held on 4 March 2014"."""
STARTS_ON = date(2012, 10, 1)
"""The first stage's month: "Establish Business Requirements", October 2012."""
PLANNED_END_ON = date(2016, 7, 31)
"""The last stages' month: Highways and PPMS, July 2016."""
CONTACT_LINE = 663
CONTACT = "Contact for further information: Mark Orford, (01772) 534000, ICT Services"

PURPOSE_LINE = 881
PURPOSE = (
    "The review concluded that the current ICT systems are not fit for purpose, being unable to "
    "adequately meet the needs of the reorganised business services due to a poor level of "
    "functionality, a lack of integration between the many different components and the "
    "difficulty and cost of enhancing them to meet current and future needs. It went on to "
    "recommend that they should be replaced by best of breed, market leading solutions."
)
SCOPE_LINES = (885, 894, 895, 896, 897, 898)
SCOPE = (
    "A high-level market assessment and subsequent benefits and risks analysis was conducted of "
    "the leading, third party integrated Highways and Property Asset Management Systems and "
    "Project & Programme Management Systems (PPMS).\n"
    "Estimated timescales (ICT System: Pre-work / ICT Implementation / Total Duration, months):\n"
    "Highways: 6 / 18 / 22\n"
    "Property: 5 / 11 / 16\n"
    "PPMS: 4 / 18 / 22"
)
GOVERNANCE_LINE = 915
GOVERNANCE = (
    "All decisions concerning the implementation of these three projects are being made in "
    "conjunction with and ratified by senior county council officers in the affected business "
    "areas. Reported to the Cabinet Committee on Performance Improvement, 4 March 2014; contact "
    "for further information: Mark Orford, ICT Services (line 663)."
)

TABLE = "Asset Management System programme stages"
HEADER_LINE = 902


class StageRow(NamedTuple):
    line: int
    stage: str
    date: str
    status: str


STAGES = (
    StageRow(903, "Establish Business Requirements", "October 2012", "Complete"),
    StageRow(904, "Conduct Market Assessment", "June 2013", "Complete"),
    StageRow(905, "Document Business Case for new system", "July 2013", "Complete"),
    StageRow(906, "Implement new Street Works system", "April 2014", "On Target"),
    StageRow(907, "Obtain County Council Sign off", "May 2014", "On Target"),
    StageRow(908, "Plan implementation", "July 2014", "On Target"),
    StageRow(909, "Implement Property solution", "October 2015", "On Target"),
    StageRow(910, "Implement Highways solution", "July 2016", "On Target"),
    StageRow(911, "Implement PPMS", "July 2016", "On Target"),
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
                "Asset Management System",
                NAME_LINE,
                NAME,
                purpose_lines=f"{PURPOSE_LINE}, 883",
                scope_lines=", ".join(str(n) for n in SCOPE_LINES),
                governance_line=str(GOVERNANCE_LINE),
                start_note="no start date in the paper: the first stage's month (October 2012)",
                **oddities(
                    (
                        "durations_do_not_add_up",
                        "Highways: 6 months of pre-work and 18 of implementation, a total of 22 "
                        "(line 896); Property (5 + 11 = 16) and PPMS (4 + 18 = 22) add up",
                    ),
                    SIGNIFICANT_RISKS,
                ),
            ),
        )
    )
    await seeder.assign(
        placeholder_owner(KEY, DOCUMENT, CONTACT_LINE, CONTACT, on=at(STARTS_ON, 9, 5))
    )
    for stage in STAGES:
        await _stage(seeder, stage)
    for gate in GATES:
        await _gate(seeder, gate)
    return await seeder.report()


class GateRow(NamedTuple):
    order: int
    title: str
    lines: tuple[int, ...]
    """The stages (table lines) the gate waits for."""


GATES = (
    GateRow(1, "Business case signed off by the County Council", (903, 904, 905, 907)),
    GateRow(2, "New systems implemented", (906, 908, 909, 910, 911)),
)


async def _gate(seeder: Seeder, gate: GateRow) -> None:
    await seeder.define_gate(
        DefineGate(
            programme_key=KEY,
            gate_id=seed_id(KEY, "gate", str(gate.order)),
            title=gate.title,
            order=gate.order,
            milestones=tuple(seed_id(KEY, "milestone", str(line)) for line in gate.lines),
            approvers=(PersonRef(email=PLACEHOLDER_EMAIL, name=PLACEHOLDER_NAME),),
            occurred_at=at(STARTS_ON, 9, 40),
            source=source(
                DOCUMENT,
                TABLE,
                gate.lines[0],
                f"Gate {gate.order}: {gate.title}",
                header_line=str(HEADER_LINE),
                stage_lines=", ".join(str(line) for line in gate.lines),
                gate_note=(
                    "the paper lists stages, not gates: grouped by their order; it records no "
                    "gate approval, so none is passed"
                ),
            ),
        )
    )


async def _stage(seeder: Seeder, stage: StageRow) -> None:
    provenance = source(
        DOCUMENT,
        TABLE,
        stage.line,
        row_text(stage.stage, stage.date, stage.status),
        header_line=str(HEADER_LINE),
        status=stage.status,
    )
    month = paper_month(stage.date)
    milestone_id = await seeder.baseline(
        BaselineMilestone(
            programme_key=KEY,
            milestone_id=seed_id(KEY, "milestone", str(stage.line)),
            title=stage.stage,
            baseline=month,
            occurred_at=at(STARTS_ON, 9, 30),
            source=provenance,
        )
    )
    if stage.status == "Complete":
        await seeder.achieve(
            AchieveMilestone(
                milestone_id=milestone_id,
                actual=month,
                occurred_at=at(milestone_recorded_on(month, REPORT_ON), 17),
                source=provenance,
            )
        )
    elif stage.status != "On Target":
        raise InvalidInput(f"line {stage.line}: unknown status {stage.status!r}")
