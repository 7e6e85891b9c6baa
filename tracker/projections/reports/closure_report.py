"""The Programme Closure Report, section by section as the BTLS paper lays it out; pure.

Key roles (RACI, deputies), purpose, scope, governance, outcomes with status, deliverables by
outcome (approved by, status, date), learning points, issues and risks, close-out
recommendations, next steps; plus RAG with reasons for every deliverable, milestone, RAID item,
outcome and the programme, five-point delivery confidence, the closure sign-off status, the
data-quality findings, and each row's provenance (``source``).

Rules:

* An outcome is **Complete** when every one of its deliverables is signed off or deferred, else
  **In Progress**; with no deliverables it is **No Deliverables**.
* A deliverable's status is "Signed Off", its deferral destination ("Post Transition") or
  "Deferred", "Submitted", "Returned" or "Planned". Its date is the sign-off date when signed
  off, none when deferred, else the planned (due) date (``date_kind`` says which).
* "Approved by" lists the approvals given, "X on behalf of Y" for a deputy; ``approvers`` the
  named approvers; ``awaiting`` those still to approve before sign-off.
* Outcome RAG is the worst of its deliverables; programme RAG the worst of every deliverable,
  milestone and open RAID item; delivery confidence is over the same parts (tracker.confidence).
* An assumed due date (the source gives none) is shown "(assumed)" and not rated
  (``tracker.rag.deliverable_rag``).
* Next steps are those recorded, exactly as the paper's table has them (``next_steps``).
  Deferred deliverables that no recorded step covers are listed apart (``carried_forward``),
  labelled as the tracker's own addition, never numbered into the paper's table.
* Sections carry the paper's own numbers and titles when the submission recorded them
  (``SubmitClosureReport.sections``), else the report's generic ones (``GENERIC_SECTIONS``):
  ``sections`` lists the heading of every part in order, and ``heading(report, part)`` gives
  one ("4. Socitm deliverables").
* Once the report is submitted (as of any moment after), it is dated on the submission's day
  with the presenters the submission recorded (``report_date``, ``presenters``); before, it is
  dated ``today``. ``today`` stays the day the RAG is rated on.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from tracker.backdating import lateness
from tracker.calendar import WorkingCalendar
from tracker.closure import REPORT_PARTS
from tracker.confidence import delivery_confidence
from tracker.events.closure import ReportSection
from tracker.projections.read_model.views import DeliverableView, NumberedNote, ProgrammeView
from tracker.projections.reports.data_quality import Finding, findings
from tracker.projections.reports.gates import GateRow, gate_rows
from tracker.projections.reports.milestone_board import MilestoneRow, milestone_row, rate_milestone
from tracker.projections.reports.raid_log import RaidRow, raid_row, rate_raid
from tracker.projections.reports.sealing import seal, source_of
from tracker.projections.reports.signoff_status import (
    SignOffItem,
    closure_item,
    item_spelling,
    signature_line,
)
from tracker.rag import RagResult, RagThresholds, Rated, deliverable_rag, worst_of

RACI_NOTE = (
    "RACI: Responsible, Accountable, Consulted, Informed. Responsible and Consulted roles are "
    "requested to 'Endorse'; Accountable (Owner) is asked to 'Approve'."
)

GENERIC_SECTIONS: tuple[ReportSection, ...] = (
    ReportSection(part="roles", number="", title="Key Transition Roles"),
    ReportSection(part="purpose", number="1", title="Purpose of this document"),
    ReportSection(part="scope", number="2", title="Scope of the assignment"),
    ReportSection(part="governance", number="3", title="Governance"),
    ReportSection(part="outcomes", number="4", title="Outcomes"),
    ReportSection(part="deliverables", number="5", title="Deliverables"),
    ReportSection(
        part="learning_points",
        number="6",
        title="Key learning points: successes, areas for improvements, gaps",
    ),
    ReportSection(part="issues_and_risks", number="7", title="Issues and risks"),
    ReportSection(part="recommendations", number="8", title="Close-out recommendations"),
    ReportSection(part="next_steps", number="9", title="Next steps (agreed closure actions)"),
)
"""The report's own headings, for a programme whose submission records none of its paper's."""

CARRIED_FORWARD_HEADING = (
    "Deferred deliverables carried forward: added by the tracker, not in the report's next steps"
)

STATUS_LABELS: dict[str, str] = {
    "planned": "Planned",
    "submitted": "Submitted",
    "returned": "Returned",
    "signed_off": "Signed Off",
    "deferred": "Deferred",
}


class SectionHeading(msgspec.Struct, kw_only=True):
    part: str
    """One of ``tracker.closure.REPORT_PARTS``."""
    number: str
    title: str
    shown: str
    """"4. Socitm deliverables", or the title alone when unnumbered."""
    from_paper: bool
    """True when the submission recorded this heading from the report's paper."""


class DeputyLine(msgspec.Struct, kw_only=True):
    id: str
    deputy: str
    deputy_name: str
    principal: str
    principal_name: str
    starts_on: date
    ends_on: date
    revoked_on: date | None
    shown: str
    """"Glyn Peach deputises for Mike Kirby from 2020-01-01 to 2021-06-30"."""


class RoleRow(msgspec.Struct, kw_only=True):
    id: str
    email: str
    name: str
    raci: str
    role_title: str
    deputies: list[str]
    """Names of those who may deputise for this member."""
    source: dict[str, str] = {}


class OutcomeRow(msgspec.Struct, kw_only=True):
    id: str
    number: int | None
    title: str
    status: str
    """The tracker's: Complete when every deliverable is signed off or deferred."""
    deliverables: int
    signed_off: int
    deferred: int
    rag: str
    rag_reasons: list[str]
    confidence: str
    confidence_label: str
    confidence_reasons: list[str]
    paper_status: str = ""
    """The status the outcome's source printed, where it has one ("Complete")."""


class DeliverableRow(msgspec.Struct, kw_only=True):
    id: str
    outcome_number: int | None
    outcome_title: str
    title: str
    workstream: str | None
    approved_by: list[str]
    """Approvals given: "Glyn Peach", or "Glyn Peach on behalf of Mike Kirby"."""
    approvers: list[str]
    """Names of the named approvers."""
    awaiting: list[str]
    """Names of approvers still to approve (none once signed off or deferred)."""
    state: str
    status: str
    date: date | None
    date_kind: str
    """"signed off", "planned" or "" (deferred)."""
    due_assumed: bool = False
    """The planned date shown is assumed (the source gives none): shown "(assumed)"."""
    deferred_reason: str | None
    rag: str
    rag_reasons: list[str]
    source: dict[str, str] = {}
    recorded_late: str = ""
    """"recorded 7 months later" when the sign-off was entered back-dated, with a reason
    (``tracker.backdating``); the reason is among the data-quality findings."""


class NoteRow(msgspec.Struct, kw_only=True):
    id: str
    number: int
    description: str
    responsible: str
    recommendation: str = ""
    deliverable_id: str | None = None
    carried_forward: bool = False
    source: dict[str, str] = {}


class ClosureReport(msgspec.Struct, kw_only=True):
    key: str
    name: str
    lifecycle: str
    starts_on: date | None
    planned_end_on: date | None
    closed_on: date | None
    today: date
    roles: list[RoleRow]
    raci_note: str
    deputies: list[DeputyLine]
    purpose: str
    scope: str
    governance: str
    outcomes: list[OutcomeRow]
    deliverables: list[DeliverableRow]
    milestones: list[MilestoneRow]
    gates: list[GateRow] = []
    """Phase gates in order: not part of the programme's RAG (their items already are)."""
    learning_points: list[NoteRow]
    issues: list[RaidRow]
    risks: list[RaidRow]
    recommendations: list[NoteRow]
    next_steps: list[NoteRow]
    """The agreed closure actions, as recorded (the paper's "Next steps" table), and only those."""
    carried_forward: list[NoteRow]
    """Deferred deliverables that no recorded next step covers, numbered on their own under
    ``CARRIED_FORWARD_HEADING``: the tracker adds them beside the paper's table, never into it
    (issue 17)."""
    rag: str
    rag_reasons: list[str]
    confidence: str
    confidence_label: str
    confidence_reasons: list[str]
    sign_off: SignOffItem
    data_quality: list[Finding]
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None
    sections: list[SectionHeading] = []
    """Every part's heading, in the report's order (``heading``)."""
    report_date: date | None = None
    """The submission's day once submitted, else ``today``."""
    presenters: list[str] = []
    """Who presented the report, as the submission recorded them (its paper's header)."""
    submission_source: dict[str, str] = {}
    """The submission's provenance: where its date, presenters and sections came from."""
    content_hash: str = ""


def heading(report: ClosureReport, part: str) -> str:
    """The shown heading of one part: "4. Socitm deliverables", "Key Transition Roles"."""
    return next((s.shown for s in report.sections if s.part == part), part)


def sections(recorded: list[ReportSection]) -> list[SectionHeading]:
    """The paper's headings when recorded, part by part; a part the paper does not head keeps
    the generic title, unnumbered (a generic number could clash with the paper's)."""
    paper = {s.part: s for s in recorded}
    generic = {s.part: s for s in GENERIC_SECTIONS}
    rows: list[SectionHeading] = []
    for part in REPORT_PARTS:
        found = paper.get(part)
        if found is None:
            base = generic[part]
            number = "" if paper else base.number
            title = base.title
        else:
            number, title = found.number, found.title
        rows.append(
            SectionHeading(
                part=part,
                number=number,
                title=title,
                shown=f"{number}. {title}" if number else title,
                from_paper=found is not None,
            )
        )
    return rows


def status_of(item: DeliverableView) -> str:
    if item.state == "deferred":
        return item.deferred_destination or "Deferred"
    return STATUS_LABELS.get(item.state, item.state)


def outcome_status(items: list[DeliverableView]) -> str:
    if not items:
        return "No Deliverables"
    if all(item.state in ("signed_off", "deferred") for item in items):
        return "Complete"
    return "In Progress"


def _name(view: ProgrammeView, email: str) -> str:
    return view.people.get(email, email)


def _deputies(view: ProgrammeView) -> list[DeputyLine]:
    lines: list[DeputyLine] = []
    for d in view.delegations.values():
        principal = _name(view, d.principal)
        revoked = f", revoked {d.revoked_on.isoformat()}" if d.revoked_on else ""
        lines.append(
            DeputyLine(
                id=d.id,
                deputy=d.deputy,
                deputy_name=d.deputy_name,
                principal=d.principal,
                principal_name=principal,
                starts_on=d.starts_on,
                ends_on=d.ends_on,
                revoked_on=d.revoked_on,
                shown=f"{d.deputy_name} deputises for {principal} from "
                f"{d.starts_on.isoformat()} to {d.ends_on.isoformat()}{revoked}",
            )
        )
    return lines


def _roles(view: ProgrammeView) -> list[RoleRow]:
    """In the order the roster was set out, as the paper's "Key Transition Roles" table lists
    them (003 puts Andrew Rogers, C, before Rachael Tanner, R): not re-sorted by letter."""
    members = list(view.roster.values())
    return [
        RoleRow(
            id=f"roster:{m.email}",
            email=m.email,
            name=m.name,
            raci=m.raci,
            role_title=m.role_title,
            deputies=[
                d.deputy_name
                for d in view.delegations.values()
                if d.principal.lower() == m.email.lower()
            ],
            source=source_of(m.provenance),
        )
        for m in members
    ]


def _note(note: NumberedNote) -> NoteRow:
    return NoteRow(
        id=note.id,
        number=note.number,
        description=note.description,
        responsible=note.responsible,
        recommendation=note.recommendation,
        deliverable_id=note.deliverable_id,
        source=source_of(note.provenance),
    )


def _carried_forward(view: ProgrammeView) -> list[NoteRow]:
    covered = {note.deliverable_id for note in view.next_steps if note.deliverable_id}
    rows: list[NoteRow] = []
    number = 0
    for item in view.deliverables.values():
        if item.state != "deferred" or item.id in covered:
            continue
        number += 1
        where = item.deferred_destination or "Deferred"
        why = f": {item.deferred_reason}" if item.deferred_reason else ""
        rows.append(
            NoteRow(
                id=f"carried:{item.id}",
                number=number,
                description=f"Carry forward '{item.title}' ({where}{why})",
                responsible=" / ".join(a.name or _name(view, a.email) for a in item.approvers),
                deliverable_id=item.id,
                carried_forward=True,
                source=source_of(item.provenance),
            )
        )
    return rows


def _deliverable_row(
    view: ProgrammeView, item: DeliverableView, rated: RagResult
) -> DeliverableRow:
    if item.state == "signed_off":
        when, kind = item.signed_off_on, "signed off"
    elif item.state == "deferred":
        when, kind = None, ""
    else:
        when, kind = item.due_on, "planned"
    number = item.outcome_number
    spelled = item_spelling(item)
    approved = {s.person.lower() for s in item.approvals}
    awaiting = [
        a.name or _name(view, a.email)
        for a in item.approvers
        if item.state not in ("signed_off", "deferred") and a.email.lower() not in approved
    ]
    return DeliverableRow(
        id=item.id,
        outcome_number=number,
        outcome_title=view.outcomes.get(number, "") if number is not None else "",
        title=item.title,
        workstream=item.workstream,
        approved_by=[signature_line(view, s, spelled).shown for s in item.approvals],
        approvers=[a.name or _name(view, a.email) for a in item.approvers],
        awaiting=awaiting,
        state=item.state,
        status=status_of(item),
        date=when,
        date_kind=kind,
        due_assumed=kind == "planned" and item.due_assumed,
        deferred_reason=item.deferred_reason,
        rag=rated.rag.value,
        rag_reasons=list(rated.reasons),
        source=source_of(item.provenance),
        recorded_late=_recorded_late(item) if item.state == "signed_off" else "",
    )


def _recorded_late(item: DeliverableView) -> str:
    late = item.signed_off_late
    return lateness(late.on, late.recorded_on) if late is not None else ""


def closure_report(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> ClosureReport:
    rated = {
        item.id: deliverable_rag(
            item.title,
            item.state,
            item.due_on,
            today,
            calendar,
            thresholds,
            due_assumed=item.due_assumed,
        )
        for item in view.deliverables.values()
    }
    listed = {i.outcome_number for i in view.deliverables.values()}
    numbered = sorted(set(view.outcomes) | {n for n in listed if n is not None})
    groups: list[int | None] = list(numbered)
    if None in listed:
        groups.append(None)  # deliverables of no outcome, listed last
    outcomes: list[OutcomeRow] = []
    deliverables: list[DeliverableRow] = []
    for number in groups:
        items = [i for i in view.deliverables.values() if i.outcome_number == number]
        label = f"Outcome {number}" if number is not None else "No outcome"
        parts: list[Rated] = [rated[i.id] for i in items]
        worst = worst_of(parts, label=label)
        confidence = delivery_confidence(parts, label=label)
        if number is None:
            title = "No outcome"
        else:
            title = view.outcomes.get(number, f"Outcome {number} (not defined)")
        outcomes.append(
            OutcomeRow(
                id=f"outcome:{number}" if number is not None else "outcome:none",
                number=number,
                title=title,
                status=outcome_status(items),
                paper_status=(
                    view.outcome_source_status.get(number, "") if number is not None else ""
                ),
                deliverables=len(items),
                signed_off=sum(1 for i in items if i.state == "signed_off"),
                deferred=sum(1 for i in items if i.state == "deferred"),
                rag=worst.rag.value,
                rag_reasons=list(worst.reasons),
                confidence=confidence.confidence.value,
                confidence_label=confidence.confidence.label,
                confidence_reasons=list(confidence.reasons),
            )
        )
        deliverables.extend(_deliverable_row(view, i, rated[i.id]) for i in items)
    milestone_rags = {
        m.id: rate_milestone(m, today, calendar, thresholds) for m in view.milestones.values()
    }
    milestones = [
        milestone_row(view, m, today, calendar, thresholds, milestone_rags[m.id])
        for m in view.milestones.values()
    ]
    raid = [raid_row(view, r, thresholds) for r in view.raid.values()]
    programme_parts: list[Rated] = [
        *(rated[i] for i in view.deliverables),
        *milestone_rags.values(),
        *(rate_raid(r, thresholds) for r in view.raid.values() if r.is_open),
    ]
    label = view.name or view.key
    worst = worst_of(programme_parts, label=label)
    confidence = delivery_confidence(programme_parts, label=label)
    return seal(
        ClosureReport(
            key=view.key,
            name=view.name,
            lifecycle=view.lifecycle,
            starts_on=view.starts_on,
            planned_end_on=view.planned_end_on,
            closed_on=view.closed_on,
            today=today,
            roles=_roles(view),
            raci_note=RACI_NOTE,
            deputies=_deputies(view),
            purpose=view.purpose,
            scope=view.scope,
            governance=view.governance,
            outcomes=outcomes,
            deliverables=deliverables,
            milestones=milestones,
            gates=gate_rows(view, today, calendar, thresholds),
            learning_points=[_note(n) for n in view.learning_points],
            issues=[row for row in raid if row.kind == "issue"],
            risks=[row for row in raid if row.kind != "issue"],
            recommendations=[_note(n) for n in view.recommendations],
            next_steps=[_note(note) for note in view.next_steps],
            carried_forward=_carried_forward(view),
            rag=worst.rag.value,
            rag_reasons=list(worst.reasons),
            confidence=confidence.confidence.value,
            confidence_label=confidence.confidence.label,
            confidence_reasons=list(confidence.reasons),
            sign_off=closure_item(view),
            data_quality=findings(view),
            position=view.position,
            as_of=as_of,
            known_at=known_at,
            sections=sections(view.closure.sections),
            report_date=view.closure.submitted_on or today,
            presenters=list(view.closure.presenters),
            submission_source=source_of(view.closure.provenance),
        )
    )


__all__ = [
    "CARRIED_FORWARD_HEADING",
    "GENERIC_SECTIONS",
    "RACI_NOTE",
    "STATUS_LABELS",
    "ClosureReport",
    "DeliverableRow",
    "DeputyLine",
    "NoteRow",
    "OutcomeRow",
    "RoleRow",
    "SectionHeading",
    "closure_report",
    "heading",
    "outcome_status",
    "sections",
    "status_of",
]
