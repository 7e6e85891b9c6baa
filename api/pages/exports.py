"""Exports beside the pages: the closure report and the deliverables as CSV and XLSX; pure.

- Closure report CSV: ``closure_formats.to_csv``, the API's own (the deliverables table with the
  report's position and content hash on every row).
- Closure report XLSX: ``api.pages.closure_workbook``.
- Deliverables CSV and XLSX: the sign-off status of every deliverable: who must endorse and
  approve, who has, who is missing, dates, RAG and reasons.

A spreadsheet would run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula: such
text is written as text (XLSX) or with a leading apostrophe (every CSV, through
``tracker.projections.reports.csv_cells``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.projections.reports.csv_cells import Cell, write_csv
from tracker.projections.reports.signoff_status import SignOffItem, SignOffStatus

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV: Final = "text/csv"

DELIVERABLE_COLUMNS: Final = (
    "id",
    "outcome",
    "deliverable",
    "state",
    "due",
    "submitted",
    "signed_off",
    "endorsers",
    "endorsed_by",
    "approvers",
    "approved_by",
    "missing",
    "deferred_to",
    "returned_comment",
    "rag",
    "reasons",
    "position",
    "content_hash",
)


def _people(lines: Iterable[object]) -> str:
    return " / ".join(
        str(getattr(line, "name", "") or getattr(line, "email", "")) for line in lines
    )


def _signed(lines: Iterable[object]) -> str:
    return " / ".join(str(getattr(line, "shown", "")) for line in lines)


def deliverable_rows(status: SignOffStatus, outcomes: dict[int, str]) -> list[list[Cell]]:
    def outcome(item: SignOffItem) -> str:
        number = item.outcome_number
        return f"{number}. {outcomes.get(number, '')}".strip() if number is not None else ""

    return [
        [
            item.id,
            outcome(item),
            item.title,
            item.state,
            f"{item.due_on.isoformat()} (assumed)"
            if item.due_on and item.due_assumed
            else item.due_on,
            item.submitted_on,
            item.signed_off_on,
            _people(item.endorsers),
            _signed(item.endorsements),
            _people(item.approvers),
            _signed(item.approvals),
            ", ".join(item.missing_names),
            item.deferred_destination or "",
            item.returned_comment or "",
            item.rag or "",
            " | ".join(item.rag_reasons),
            status.position,
            status.content_hash,
        ]
        for item in status.deliverables
    ]


def deliverables_csv(status: SignOffStatus, outcomes: dict[int, str]) -> str:
    return write_csv(DELIVERABLE_COLUMNS, deliverable_rows(status, outcomes))


def sheet(
    workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    widths = [len(h) for h in header]
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
    count = 1
    for count, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=count, column=col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[col - 1] = max(widths[col - 1], min(len(value), 60))
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
                widths[col - 1] = max(widths[col - 1], 10)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width + 2
    sheet.freeze_panes = "A2"
    if count > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count}"


def book(title: str) -> Workbook:
    made = Workbook()
    first = made.active
    if first is not None:
        made.remove(first)
    made.properties.title = title
    made.properties.creator = "Programme tracker"
    return made


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def deliverables_xlsx(status: SignOffStatus, outcomes: dict[int, str]) -> bytes:
    made = book(f"Deliverables: {status.name or status.key}")
    sheet(made, "Deliverables", DELIVERABLE_COLUMNS, deliverable_rows(status, outcomes))
    return save(made)
