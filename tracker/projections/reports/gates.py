"""Phase gates as people read them: each gate's state, what blocks it (a sentence per unmet
criterion, the same words the write side refuses an approval with: ``tracker.gates``), its RAG
with reasons, who approves and who has; pure.

RAG (docs/rag.md):

* **passed**: green ("passed on 2014-05-30").
* **ready** (every criterion met, approvals awaited): green, naming who is awaited.
* **open**: the worst colour of its unmet deliverables and milestones by the item rules, and at
  least amber: a gate that waits is never green. Reasons: how many of its items it waits for,
  then the first reason of each unmet item that set the colour.

``expected_on`` is the latest date its criteria give (a deliverable's sign-off or due date, a
milestone's actual or forecast, a month, quarter or year read as its last day): when the gate
could pass on the plan as it stands. Calendar feeds put an unpassed gate on that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.gates import Criterion, blocking, status_of, waiting_for
from tracker.projections.read_model.views import (
    DeliverableView,
    GateView,
    MilestoneView,
    ProgrammeView,
)
from tracker.projections.reports.milestone_board import rate_milestone
from tracker.projections.reports.sealing import seal, source_of
from tracker.projections.reports.signoff_status import SignatureLine, signature_line
from tracker.rag import Rag, RagThresholds, deliverable_rag


class CriterionRow(msgspec.Struct, kw_only=True):
    kind: str
    """deliverable or milestone."""
    id: str
    title: str
    status: str
    met: bool
    waiting_for: str | None


class GateRow(msgspec.Struct, kw_only=True):
    id: str
    title: str
    order: int
    state: str
    """open, ready or passed."""
    blocking: list[str]
    rag: str
    rag_reasons: list[str]
    criteria: list[CriterionRow]
    approvers: list[str]
    """Names of the named approvers."""
    approver_emails: list[str]
    approvals: list[SignatureLine]
    awaiting: list[str]
    """Names of approvers still to approve (none once passed)."""
    defined_on: date
    passed_on: date | None
    expected_on: date | None
    version: int
    source: dict[str, str] = {}


def _missing(named: Iterable[str], signed: Iterable[str]) -> list[str]:
    done = set(signed)
    return [p for p in named if p not in done]


def _name(view: ProgrammeView, email: str) -> str:
    return view.people.get(email, email)


def deliverable_criterion(view: ProgrammeView, item: DeliverableView | None, id: str) -> Criterion:
    if item is None:
        return Criterion(kind="deliverable", id=id, title=id, status="missing")
    awaiting = ""
    if item.state == "submitted":
        endorsers = _missing(
            (p.email for p in item.endorsers), (s.person for s in item.endorsements)
        )
        approvers = _missing((p.email for p in item.approvers), (s.person for s in item.approvals))
        noun, people = ("endorsement", endorsers) if endorsers else ("approval", approvers)
        awaiting = f"{noun} from: " + ", ".join(_name(view, p) for p in people)
    return Criterion(
        kind="deliverable", id=id, title=item.title, status=item.state, awaiting=awaiting
    )


def milestone_criterion(item: MilestoneView | None, id: str) -> Criterion:
    if item is None:
        return Criterion(kind="milestone", id=id, title=id, status="missing")
    status = "achieved" if item.actual is not None else "open"
    return Criterion(
        kind="milestone", id=id, title=item.title, status=status, awaiting=str(item.forecast)
    )


def criteria_of(view: ProgrammeView, gate: GateView) -> list[Criterion]:
    return [
        *(deliverable_criterion(view, view.deliverables.get(i), i) for i in gate.deliverables),
        *(milestone_criterion(view.milestones.get(i), i) for i in gate.milestones),
    ]


def _expected_on(view: ProgrammeView, gate: GateView) -> date | None:
    days: list[date] = []
    for i in gate.deliverables:
        d = view.deliverables.get(i)
        if d is not None and d.state != "deferred":
            days.append(d.signed_off_on or d.due_on)
    for i in gate.milestones:
        m = view.milestones.get(i)
        if m is not None:
            days.append((m.actual or m.forecast).last_day)
    return max(days, default=None)


def _rate_open(
    view: ProgrammeView,
    gate: GateView,
    unmet: list[Criterion],
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
) -> tuple[Rag, list[str]]:
    rated: list[tuple[Rag, str]] = []
    for c in unmet:
        if c.kind == "deliverable" and c.id in view.deliverables:
            d = view.deliverables[c.id]
            result = deliverable_rag(
                d.title, d.state, d.due_on, today, calendar, thresholds, due_assumed=d.due_assumed
            )
            rated.append((result.rag, result.reasons[0]))
        elif c.kind == "milestone" and c.id in view.milestones:
            m = rate_milestone(view.milestones[c.id], today, calendar, thresholds)
            rated.append((m.rag, m.reasons[0]))
        else:
            rated.append((Rag.RED, f"Red: {waiting_for(c)}"))
    rag = Rag.worst([Rag.AMBER, *(colour for colour, _ in rated)])
    total = len(gate.deliverables) + len(gate.milestones)
    head = f"{rag.label}: gate '{gate.title}' waits for {len(unmet)} of its {total} items"
    return rag, [head, *(text for colour, text in rated if colour is rag)]


def gate_row(
    view: ProgrammeView,
    gate: GateView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
) -> GateRow:
    criteria = criteria_of(view, gate)
    passed = gate.passed_on is not None
    unmet_text = [] if passed else blocking(criteria)
    state = status_of(passed, unmet_text)
    approvers = [p.email for p in gate.approvers]
    awaiting = [] if passed else _missing(approvers, (s.person for s in gate.approvals))
    awaited = [_name(view, p) for p in awaiting]
    if state == "passed" and gate.passed_on is not None:
        rag, reasons = Rag.GREEN, [f"Green: gate '{gate.title}' passed on {gate.passed_on}"]
    elif state == "ready":
        rag = Rag.GREEN
        reasons = [
            f"Green: gate '{gate.title}' ready: every criterion met, awaiting approval from: "
            + ", ".join(awaited)
        ]
    else:
        unmet = [c for c in criteria if waiting_for(c) is not None]
        rag, reasons = _rate_open(view, gate, unmet, today, calendar, thresholds)
    return GateRow(
        id=gate.id,
        title=gate.title,
        order=gate.order,
        state=state,
        blocking=unmet_text,
        rag=rag.value,
        rag_reasons=reasons,
        criteria=[
            CriterionRow(
                kind=c.kind,
                id=c.id,
                title=c.title,
                status=c.status,
                met=waiting_for(c) is None,
                waiting_for=waiting_for(c),
            )
            for c in criteria
        ],
        approvers=[p.name or _name(view, p.email) for p in gate.approvers],
        approver_emails=approvers,
        approvals=[signature_line(view, s) for s in gate.approvals],
        awaiting=awaited,
        defined_on=gate.defined_on,
        passed_on=gate.passed_on,
        expected_on=_expected_on(view, gate),
        version=gate.version,
        source=source_of(gate.provenance),
    )


def gate_rows(
    view: ProgrammeView, today: date, calendar: WorkingCalendar, thresholds: RagThresholds
) -> list[GateRow]:
    """Every gate of the programme, by order, then as defined."""
    ordered = sorted(
        view.gates.values(),
        key=lambda g: (g.order, g.provenance.position if g.provenance else 0),
    )
    return [gate_row(view, g, today, calendar, thresholds) for g in ordered]


def reopened_after_passing(view: ProgrammeView) -> list[tuple[GateView, list[Criterion]]]:
    """Passed gates with an item no longer done (reopened, returned, reinstated): each gate and
    those items."""
    found = []
    for gate in view.gates.values():
        if gate.passed_on is None:
            continue
        undone = [c for c in criteria_of(view, gate) if waiting_for(c) is not None]
        if undone:
            found.append((gate, undone))
    return found


class GateBoard(msgspec.Struct, kw_only=True):
    """Every phase gate of a programme, in order, with how many are passed, ready and open."""

    key: str
    name: str
    today: date
    gates: list[GateRow]
    passed: int
    ready: int
    open: int
    position: int
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


def gate_board(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> GateBoard:
    rows = gate_rows(view, today, calendar, thresholds)
    return seal(
        GateBoard(
            key=view.key,
            name=view.name,
            today=today,
            gates=rows,
            passed=sum(1 for row in rows if row.state == "passed"),
            ready=sum(1 for row in rows if row.state == "ready"),
            open=sum(1 for row in rows if row.state == "open"),
            position=view.position,
            as_of=as_of,
            known_at=known_at,
        )
    )
