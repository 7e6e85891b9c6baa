"""CSV as the project writes it, everywhere: cells a spreadsheet would run as a formula are
written as text.

A spreadsheet (Excel, LibreOffice, Google Sheets) treats a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and a tab or carriage return before one of those as nothing, so a
deliverable titled ``=HYPERLINK("http://evil.example", "click")`` would run when a sponsor opens
the export (CSV injection, OWASP). Such text gets a leading apostrophe, which spreadsheets show
as text and do not display. Numbers, dates and empty cells are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Final

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | datetime | None


def cell_text(value: Cell) -> str:
    """One cell's text, neutralised when it is text a spreadsheet would run."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return str(value)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The header and rows as CSV (``\\n`` line ends), every cell through ``cell_text``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([cell_text(name) for name in header])
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
    return buffer.getvalue()


__all__ = ["FORMULA_START", "Cell", "cell_text", "write_csv"]
