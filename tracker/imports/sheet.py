"""Reading a spreadsheet the way a programme manager keeps one: an ``.xlsx`` workbook (its first
sheet, or one named) or a ``.csv`` file (UTF-8 with or without a byte-order mark, comma or
semicolon separated). The first non-empty row is the header; every later row that has any
value is a row, numbered as the spreadsheet numbers it.

Bounded: the file's size, its rows and each cell's length; formulas are read as the values
Excel cached for them (never evaluated) and macros are never opened.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Final

import msgspec
from openpyxl import load_workbook

from tracker.errors import InvalidInput

MAX_BYTES: Final = 5 * 1024 * 1024
MAX_ROWS: Final = 2_000
MAX_CELL: Final = 10_000

Cell = str | int | float | date | datetime | None


class SheetRow(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    """As the spreadsheet shows it (the header is usually row 1)."""
    cells: dict[str, Cell]
    """By header."""


class Sheet(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    headers: list[str]
    rows: list[SheetRow]


MAX_SHEET_NAME = 31
"""Excel's own limit on a sheet's name."""
MAX_FILENAME = 255


def read_sheet(filename: str, content: bytes, sheet: str | None = None) -> Sheet:
    """The rows of ``content``, by the file name's extension; InvalidInput for anything else.
    The file name and the sheet's are echoed in reports and errors, so both are bounded."""
    if len(filename) > MAX_FILENAME:
        raise InvalidInput(
            f"the file name is {len(filename):,} characters; at most {MAX_FILENAME} are taken"
        )
    if sheet is not None and len(sheet) > MAX_SHEET_NAME:
        raise InvalidInput(
            f"a sheet name has at most {MAX_SHEET_NAME} characters (Excel's limit); "
            f"this one has {len(sheet):,}"
        )
    if len(content) > MAX_BYTES:
        raise InvalidInput(
            f"{filename} is {len(content):,} bytes; an import takes at most {MAX_BYTES:,}"
        )
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        return _xlsx(filename, content, sheet)
    if lowered.endswith(".csv"):
        if sheet is not None:
            raise InvalidInput(f"{filename} is a CSV file: it has no sheet {sheet!r}")
        return _csv(filename, content)
    raise InvalidInput(f"{filename}: import a .xlsx workbook or a .csv file")


def _xlsx(filename: str, content: bytes, wanted: str | None) -> Sheet:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(f"{filename} is not a readable .xlsx workbook ({exc})") from None
    try:
        if wanted is not None and wanted not in book.sheetnames:
            raise InvalidInput(
                f"{filename} has no sheet {wanted!r}; it has: {', '.join(book.sheetnames)}"
            )
        chosen = book[wanted] if wanted is not None else book.worksheets[0]
        values = (
            [_cell(value) for value in row]
            for row in chosen.iter_rows(max_row=MAX_ROWS + 50, values_only=True)
        )
        return _table(filename, chosen.title, values)
    finally:
        book.close()


def _csv(filename: str, content: bytes) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{filename} is not UTF-8 (byte {exc.start}): save it as 'CSV UTF-8'"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(filename, filename, ([_cell(v) for v in row] for row in reader))


def _cell(value: object) -> Cell:
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_CELL:
            raise InvalidInput(f"a cell holds {len(value):,} characters; at most {MAX_CELL:,}")
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | date | datetime) or value is None:
        return value
    return str(value)


def _table(filename: str, name: str, rows: Iterable[list[Cell]]) -> Sheet:
    headers: list[str] | None = None
    found: list[SheetRow] = []
    for number, values in enumerate(rows, start=1):
        if not any(v is not None for v in values):
            continue
        if headers is None:
            headers = [str(v) if v is not None else "" for v in values]
            _check_headers(filename, headers)
            continue
        if len(found) >= MAX_ROWS:
            raise InvalidInput(f"{filename} has more than {MAX_ROWS:,} rows: split it")
        cells = {h: v for h, v in zip(headers, values, strict=False) if h}
        found.append(SheetRow(number=number, cells=cells))
    if headers is None:
        raise InvalidInput(f"{filename} is empty: the first row should name the columns")
    return Sheet(name=name, headers=[h for h in headers if h], rows=found)


def _check_headers(filename: str, headers: list[str]) -> None:
    named = [h for h in headers if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise InvalidInput(f"{filename}: the column {twice[0]!r} appears twice in the header")


__all__ = ["MAX_BYTES", "MAX_CELL", "MAX_ROWS", "Cell", "Sheet", "SheetRow", "read_sheet"]
