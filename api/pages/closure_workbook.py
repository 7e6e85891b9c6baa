"""The closure report as an XLSX workbook: one sheet per section (Summary, Roles, Outcomes,
Deliverables, Milestones, Phase gates when there are any, Learning points, Issues and risks,
Recommendations, Next steps as recorded, "Carried forward (tracker)" when there are any, Data
quality); the Summary names the question (as of, known at, position, content hash) and the
report's date and presenters; pure."""

from __future__ import annotations

from datetime import datetime

from api.pages.exports import book, save, sheet
from tracker.projections.reports.closure_formats import (
    GATE_COLUMNS,
    approved_by_text,
    gate_cells,
    source_text,
)
from tracker.projections.reports.closure_report import CARRIED_FORWARD_HEADING, ClosureReport


def _when(value: datetime | None) -> str:
    return value.isoformat() if value is not None else "latest"


def closure_xlsx(report: ClosureReport) -> bytes:
    made = book(f"Programme Closure Report: {report.name or report.key}")
    sheet(
        made,
        "Summary",
        ("Field", "Value"),
        [
            ("Programme", report.name or report.key),
            ("Key", report.key),
            ("Status", report.lifecycle.capitalize()),
            ("RAG", report.rag.capitalize()),
            ("RAG reasons", "\n".join(report.rag_reasons)),
            ("Delivery confidence", report.confidence_label),
            ("Confidence reasons", "\n".join(report.confidence_reasons)),
            ("Today", report.today),
            ("Report date", report.report_date or report.today),
            ("Presented by", "\n".join(report.presenters)),
            ("As of", _when(report.as_of)),
            ("Known at", _when(report.known_at)),
            ("Position", report.position),
            ("Content hash", report.content_hash),
        ],
    )
    sheet(
        made,
        "Roles",
        ("Name", "RACI", "Role", "Deputies"),
        [(r.name, r.raci, r.role_title, ", ".join(r.deputies)) for r in report.roles],
    )
    sheet(
        made,
        "Outcomes",
        (
            "No.",
            "Outcome",
            "Status",
            "Status in the paper",
            "Deliverables",
            "Signed off",
            "Deferred",
            "RAG",
            "Confidence",
            "Reasons",
        ),
        [
            (
                o.number,
                o.title,
                o.status,
                o.paper_status,
                o.deliverables,
                o.signed_off,
                o.deferred,
                o.rag.capitalize(),
                o.confidence_label,
                "\n".join(o.rag_reasons),
            )
            for o in report.outcomes
        ],
    )
    sheet(
        made,
        "Deliverables",
        (
            "Outcome",
            "Deliverable",
            "Approved By",
            "Status",
            "Date",
            "Date is",
            "RAG",
            "Reasons",
            "Source",
        ),
        [
            (
                f"{d.outcome_number}. {d.outcome_title}" if d.outcome_number is not None else "",
                d.title,
                approved_by_text(d.approved_by, d.awaiting),
                d.status,
                d.date,
                f"{d.date_kind} (assumed)" if d.due_assumed else d.date_kind,
                d.rag.capitalize(),
                "\n".join(d.rag_reasons),
                source_text(d.source),
            )
            for d in report.deliverables
        ],
    )
    sheet(
        made,
        "Milestones",
        (
            "Milestone",
            "Workstream",
            "Original baseline",
            "Baseline",
            "Forecast",
            "Actual",
            "Status in the paper",
            "Slippage (working days)",
            "RAG",
            "Reasons",
        ),
        [
            (
                m.title,
                m.workstream_title or m.workstream or "",
                m.original_baseline.shown,
                m.baseline.shown,
                m.forecast.shown,
                m.actual.shown if m.actual else "",
                m.paper_status,
                m.slippage_vs_original,
                m.rag.capitalize(),
                "\n".join(m.rag_reasons),
            )
            for m in report.milestones
        ],
    )
    if report.gates:
        sheet(
            made,
            "Phase gates",
            (*GATE_COLUMNS, "Reasons"),
            [(*gate_cells(g, "\n"), "\n".join(g.rag_reasons)) for g in report.gates],
        )
    sheet(
        made,
        "Learning points",
        ("No.", "Description", "Recommendations", "Responsible"),
        [
            (n.number, n.description, n.recommendation, n.responsible)
            for n in report.learning_points
        ],
    )
    sheet(
        made,
        "Issues and risks",
        (
            "Ref",
            "Kind",
            "Description",
            "Impact",
            "Likelihood",
            "Owner",
            "Latest update",
            "RAG",
            "Status",
        ),
        [
            (
                r.ref,
                r.kind,
                r.description,
                r.impact,
                r.likelihood,
                r.owner_name,
                f"{r.latest_update.on.isoformat()}: {r.latest_update.text}"
                if r.latest_update
                else "",
                r.rag.capitalize(),
                "Open" if r.is_open else f"Closed {r.closed_on}",
            )
            for r in [*report.issues, *report.risks]
        ],
    )
    sheet(
        made,
        "Recommendations",
        ("No.", "Description", "Responsible"),
        [(n.number, n.description, n.responsible) for n in report.recommendations],
    )
    sheet(
        made,
        "Next steps",
        ("No.", "Description", "Responsible"),
        [(n.number, n.description, n.responsible) for n in report.next_steps],
    )
    if report.carried_forward:
        sheet(
            made,
            "Carried forward (tracker)",
            ("No.", CARRIED_FORWARD_HEADING, "Approvers"),
            [(n.number, n.description, n.responsible) for n in report.carried_forward],
        )
    sheet(
        made,
        "Data quality",
        ("Finding", "Message"),
        [(f.code, f.message) for f in report.data_quality],
    )
    return save(made)
