"""The closure report as JSON, Markdown (the paper's layout, with tables) and CSV (the
deliverables table). Content hashes are ``sealing.py``'s."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from tracker.projections.reports.closure_report import (
    CARRIED_FORWARD_HEADING,
    ClosureReport,
    DeliverableRow,
    heading,
)
from tracker.projections.reports.csv_cells import write_csv
from tracker.projections.reports.gates import GateRow
from tracker.projections.reports.raid_log import RaidRow

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "outcome",
    "deliverable",
    "approved_by",
    "status",
    "date",
    "recorded_late",
    "rag",
    "reasons",
    "source_row",
    "position",
    "content_hash",
    "kind",
)


def none_text(report: ClosureReport, what: str) -> str:
    """ "No risks", as an approved closure report states it (the BTLS paper prints it so), or
    "No risks recorded" for a report not approved: the tracker holding none is not the
    programme having none (004 says its three projects "carry significant risks")."""
    if report.sign_off.state == "signed_off":
        return f"No {what}"
    return f"No {what} recorded"


GATE_COLUMNS: Final = ("Order", "Gate", "State", "Waits for", "Approved by", "Awaiting", "RAG")


def gate_cells(gate: GateRow, between: str) -> tuple[int | str, ...]:
    """A gate's row under ``GATE_COLUMNS``: what it waits for joined by ``between``."""
    return (
        gate.order,
        gate.title,
        gate_state_text(gate),
        between.join(gate.blocking),
        ", ".join(a.shown for a in gate.approvals),
        ", ".join(gate.awaiting),
        gate.rag.capitalize(),
    )


def gate_state_text(gate: GateRow) -> str:
    """ "Passed 22 March 2021", "Ready: awaiting approval", "Open"."""
    if gate.passed_on is not None:
        return f"Passed {gate.passed_on.day} {gate.passed_on:%B %Y}"
    return "Ready: awaiting approval" if gate.state == "ready" else "Open"


def to_json(report: msgspec.Struct) -> bytes:
    return msgspec.json.encode(report)


def source_text(source: dict[str, str]) -> str:
    """``document=003...; row=12``: the provenance as one cell."""
    return "; ".join(f"{key}={value}" for key, value in sorted(source.items()))


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return lines


def _raid_table(rows: Sequence[RaidRow], none: str) -> list[str]:
    header = ("Ref", "Description", "Impact", "Owner", "Latest Update", "RAG", "Status")
    if not rows:
        return _table(header, [("", none, "", "", "", "", "")])
    return _table(
        header,
        [
            (
                r.ref,
                r.description,
                r.impact if r.impact is not None else "",
                r.owner_name,
                f"{r.latest_update.on.isoformat()}: {r.latest_update.text}"
                if r.latest_update
                else "",
                r.rag.capitalize(),
                "Open" if r.is_open else f"Closed {r.closed_on}: {r.closing_note or ''}",
            )
            for r in rows
        ],
    )


def _dated(day: str, recorded_late: str) -> str:
    """A date, marked when it was entered back-dated: "12/03/2021 (recorded 7 months later)"."""
    return f"{day} ({recorded_late})" if day and recorded_late else day


def date_text(row: DeliverableRow, day: str) -> str:
    """A deliverable's date as shown, marked "(assumed)" when the source gave none."""
    return f"{day} (assumed)" if day and row.due_assumed else day


def dated_line(report: ClosureReport) -> str:
    """ "Report date: 2021-04-20. Presented by: Glyn Peach - Chief Digital Officer; ..." once
    submitted; before, the day it is read."""
    day = (report.report_date or report.today).isoformat()
    presented = f" Presented by: {'; '.join(report.presenters)}." if report.presenters else ""
    return f"Report date: {day}.{presented}"


def approved_by_text(approved_by: Sequence[str], awaiting: Sequence[str]) -> str:
    """The approvals given, then any approvers still awaited: "Gabby Nelson; awaiting Paul
    Sutcliffe"."""
    given = " / ".join(approved_by)
    if not awaiting:
        return given
    pending = "awaiting " + " / ".join(awaiting)
    return f"{given}; {pending}" if given else pending


def to_markdown(report: ClosureReport) -> str:
    out: list[str] = [f"# Programme Closure Report: {report.name or report.key}", ""]
    out += [
        f"Status: {report.lifecycle}. RAG: {report.rag.capitalize()}. "
        f"Delivery confidence: {report.confidence_label}. Today: {report.today.isoformat()}.",
        "",
        dated_line(report),
        "",
        f"## {heading(report, 'roles')}",
        "",
    ]
    out += _table(
        ("Name", "RACI", "Transition Role", "Deputies"),
        [(r.name, r.raci, r.role_title, ", ".join(r.deputies)) for r in report.roles],
    )
    out += ["", f"*{report.raci_note}*"]
    out += [f"- {d.shown}" for d in report.deputies]
    out += ["", f"## {heading(report, 'purpose')}", "", report.purpose or "(none recorded)", ""]
    out += [f"## {heading(report, 'scope')}", "", report.scope or "(none recorded)", ""]
    out += [f"## {heading(report, 'governance')}", "", report.governance or "(none recorded)", ""]
    out += [f"## {heading(report, 'outcomes')}", ""]
    out += _table(
        ("", "Outcome", "Status", "Status in the paper", "RAG", "Confidence"),
        [
            (
                o.number if o.number is not None else "",
                o.title,
                o.status,
                o.paper_status,
                o.rag.capitalize(),
                o.confidence_label,
            )
            for o in report.outcomes
        ],
    )
    out += ["", f"## {heading(report, 'deliverables')}", ""]
    rows: list[tuple[object, ...]] = []
    previous: int | None = -1
    for d in report.deliverables:
        first = d.outcome_number != previous
        previous = d.outcome_number
        outcome = f"{d.outcome_number}. {d.outcome_title}" if d.outcome_number is not None else ""
        rows.append(
            (
                outcome if first else "",
                d.title,
                approved_by_text(d.approved_by, d.awaiting),
                d.status,
                _dated(
                    date_text(d, d.date.strftime("%d/%m/%Y") if d.date else ""), d.recorded_late
                ),
                d.rag.capitalize(),
            )
        )
    out += _table(
        ("Outcome", "Deliverable", "Approved By", "Status", "Delivery Date / Planned Date", "RAG"),
        rows,
    )
    if report.milestones:
        out += ["", "## Milestones", ""]
        out += _table(
            (
                "Milestone",
                "Workstream",
                "Original Baseline",
                "Baseline",
                "Forecast",
                "Actual",
                "Status in the paper",
                "Slippage (wd)",
                "RAG",
            ),
            [
                (
                    m.title,
                    m.workstream or "",
                    m.original_baseline.shown,
                    m.baseline.shown,
                    m.forecast.shown,
                    m.actual.shown if m.actual else "",
                    m.paper_status,
                    m.slippage_vs_original,
                    m.rag.capitalize(),
                )
                for m in report.milestones
            ],
        )
    if report.gates:
        out += ["", "## Phase gates", ""]
        out += _table(
            GATE_COLUMNS,
            [gate_cells(g, "; ") for g in report.gates],
        )
    out += ["", f"## {heading(report, 'learning_points')}", ""]
    out += _table(
        ("No.", "Key Learning Point Description", "Recommendations", "Responsible"),
        [
            (n.number, n.description, n.recommendation, n.responsible)
            for n in report.learning_points
        ],
    )
    out += ["", f"## {heading(report, 'issues_and_risks')}", "", "### Issues", ""]
    out += _raid_table(report.issues, none_text(report, "issues"))
    out += ["", "### Risks", ""]
    out += _raid_table(report.risks, none_text(report, "risks"))
    out += ["", f"## {heading(report, 'recommendations')}", ""]
    out += _table(
        ("No.", "Recommendation Description", "Person/Team Responsible"),
        [(n.number, n.description, n.responsible) for n in report.recommendations],
    )
    out += ["", f"## {heading(report, 'next_steps')}", ""]
    out += _table(
        ("No.", "Recommendation Description", "Person/Team Responsible"),
        [(n.number, n.description, n.responsible) for n in report.next_steps],
    )
    if report.carried_forward:
        out += ["", f"### {CARRIED_FORWARD_HEADING}", ""]
        out += _table(
            ("No.", "Deliverable", "Approvers"),
            [(n.number, n.description, n.responsible) for n in report.carried_forward],
        )
    out += ["", "## RAG and delivery confidence", ""]
    out += [f"Programme RAG: **{report.rag.capitalize()}**", ""]
    out += [f"- {reason}" for reason in report.rag_reasons]
    out += ["", f"Delivery confidence: **{report.confidence_label}**", ""]
    out += [f"- {reason}" for reason in report.confidence_reasons]
    for o in report.outcomes:
        out += ["", f"Outcome {o.number if o.number is not None else '-'}: {o.rag.capitalize()}"]
        out += [f"- {reason}" for reason in o.rag_reasons]
    flagged = [d for d in report.deliverables if d.rag != "green"]
    if flagged:
        out += ["", "Deliverables not green:", ""]
        out += [f"- {d.rag_reasons[0]}" for d in flagged if d.rag_reasons]
    sign = report.sign_off
    out += ["", "## Closure sign-off", "", f"State: {sign.state} (revision {sign.round})", ""]
    out += _table(
        ("Sign-off", "By", "Date"),
        [("Endorsed", s.shown, s.on.isoformat()) for s in sign.endorsements]
        + [("Approved", s.shown, s.on.isoformat()) for s in sign.approvals],
    )
    if sign.missing_names:
        out += ["", "Still missing: " + ", ".join(sign.missing_names)]
    if sign.override_reason:
        missing = ", ".join(sign.endorsements_missing_at_approval)
        out += [
            "",
            f"Approved without every endorsement (missing: {missing}). "
            f"Override reason: {sign.override_reason}",
        ]
    out += ["", "## Data quality", ""]
    if report.data_quality:
        out += [f"- `{f.code}`: {f.message}" for f in report.data_quality]
    else:
        out += ["No findings."]
    as_of = report.as_of.isoformat() if report.as_of else "latest"
    known_at = report.known_at.isoformat() if report.known_at else "latest"
    out += [
        "",
        "---",
        "",
        f"As of: {as_of}. Known at: {known_at}.",
        "",
        f"Position: {report.position}",
        "",
        f"Content hash: {report.content_hash}",
        "",
    ]
    return "\n".join(out)


def to_csv(report: ClosureReport) -> str:
    """The deliverables table, one row per deliverable, then one row per milestone (``kind``
    says which: a programme of milestones only is not an empty table), each with the report's
    position and content hash; text a spreadsheet would run as a formula is written as text
    (``csv_cells``). A milestone's row: its workstream, title, "Achieved" or "Forecast", and the
    actual or forecast date as the paper gives it."""
    milestones = (
        (
            m.id,
            m.workstream_title or m.workstream or "",
            m.title,
            "",
            "Achieved" if m.achieved else "Forecast",
            (m.actual or m.forecast).shown,
            "",
            m.rag,
            " | ".join(m.rag_reasons),
            source_text(m.source),
            report.position,
            report.content_hash,
            "milestone",
        )
        for m in report.milestones
    )
    return write_csv(
        CSV_COLUMNS,
        itertools.chain(
            (
                (
                    d.id,
                    f"{d.outcome_number}. {d.outcome_title}"
                    if d.outcome_number is not None
                    else "",
                    d.title,
                    approved_by_text(d.approved_by, d.awaiting),
                    d.status,
                    date_text(d, d.date.isoformat() if d.date else ""),
                    d.recorded_late,
                    d.rag,
                    " | ".join(d.rag_reasons),
                    source_text(d.source),
                    report.position,
                    report.content_hash,
                    "deliverable",
                )
                for d in report.deliverables
            ),
            milestones,
        ),
    )


__all__ = [
    "CSV_COLUMNS",
    "GATE_COLUMNS",
    "approved_by_text",
    "date_text",
    "dated_line",
    "gate_cells",
    "gate_state_text",
    "none_text",
    "source_text",
    "to_csv",
    "to_json",
    "to_markdown",
]
