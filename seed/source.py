"""Provenance, dates and ids for the seed: where each row came from and when it happened.

- Every seeded command carries ``source``: the document file, the table, the line number in the
  file and the row's text as it stands there (cells joined by tabs, as in the file), plus raw
  values the loader interpreted (a look-alike RACI letter, a blank date, an abbreviated month).
- Paper dates are days ("01/03/2021") or months ("February 2013", "Mar 2014"); months keep their
  precision as the first of the month.
- Times of day are not in the papers. Events of one day are ordered by an invented clock time in
  Europe/London (planned at 09:00, submitted at 10:00, approved from 12:00 ...), so that the
  effective order is the order in which things must have happened.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Final
from uuid import UUID

import msgspec

from tracker.commands import AssignRosterMember
from tracker.context import LONDON
from tracker.errors import InvalidInput
from tracker.events.values import DateValue
from tracker.ids import deterministic_uuid

PAPERS: dict[str, str] = {
    "000_a1ae7120620d128e.txt": (
        "the papers of the Cabinet Committee for the LCC/BT Plc Strategic Partnership, 10 July 2012"
    ),
    "001_2fcc3c20f7383d0a.txt": (
        "the report on the BT partnership's Quarters Three and Four of 2014/15 (undated, 2015)"
    ),
    "002_1f559a7723fc5399.txt": "the Shared Services Programme report, 17 January 2012",
    "003_b42c17e009099bb8.txt": (
        "the papers of the Cabinet Committee on Performance Improvement, 20 April 2021"
    ),
    "004_665650827499d7e1.txt": (
        "the papers of the Cabinet Committee on Performance Improvement, 4 March 2014"
    ),
}
"""Each document as a council reader would cite it, from its own first lines (the file names
are the seed's, not the council's)."""


def paper_title(document: str) -> str:
    """How reports name a seed document; an unknown one by its file name."""
    return PAPERS.get(document, document)


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = re.compile(r"^([A-Za-z]+) (\d{4})$")
_DAY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def source(document: str, table: str, line: int, row: str, **raw: str) -> dict[str, str]:
    """The provenance of one seeded command, kept as the events' ``Metadata.source``."""
    return {"document": document, "table": table, "line": str(line), "row": row, **raw}


ODDITY_KEY: Final = "oddity"


def oddities(*found: tuple[str, str]) -> dict[str, str]:
    """Oddities of the paper at this row, kept in the source for the data-quality findings
    (``tracker.projections.reports.data_quality.paper_oddities``): each a rule code (lower case
    and underscores) and a sentence, one per line of the ``oddity`` value. Pass as
    ``source(..., **oddities(("rule", "text")))``."""
    for rule, text in found:
        if not rule.replace("_", "").isalpha() or not rule.islower() or "\n" in text:
            raise InvalidInput(f"an oddity is a lower-case rule code and one line: {rule!r}")
    return {ODDITY_KEY: "\n".join(f"{rule}: {text}" for rule, text in found)}


SIGNIFICANT_RISKS: Final = (
    "risks_not_itemised",
    "the report says its three ICT projects 'carry with them significant risks' (004 line 673) "
    "but lists none: no RAID item is loaded, and no 'No risks' is claimed",
)
"""004's three projects (Liquidlogic, Documentum, Asset Management): a finding on each."""


def row_text(*cells: str) -> str:
    """A table row as the text file holds it: the cells joined by tabs."""
    return "\t".join(cells)


def uk_day(text: str) -> date:
    """A UK date as the papers write it: DD/MM/YYYY."""
    found = _DAY.match(text.strip())
    if found is None:
        raise InvalidInput(f"{text!r} is not a DD/MM/YYYY date")
    day, month, year = (int(part) for part in found.groups())
    return date(year, month, day)


def paper_month(text: str) -> DateValue:
    """ "February 2013" or "Mar 2014": a date known only to the month."""
    found = _MONTH.match(text.strip())
    number = None if found is None else _MONTHS.get(found.group(1).lower())
    if found is None or number is None:
        raise InvalidInput(f"{text!r} is not a month and year")
    return DateValue(date=date(int(found.group(2)), number, 1), precision="month")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant on a paper's day, in Europe/London (where the councils are)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def seed_id(*parts: str) -> UUID:
    """A deterministic id for a seeded thing: the same on every run, so loading is idempotent."""
    return deterministic_uuid("seed", *parts)


class RaciLetter(msgspec.Struct, frozen=True, kw_only=True):
    raw: str
    latin: str
    code_point: str
    """The raw letter's code point and Unicode name, e.g. "U+0391 GREEK CAPITAL LETTER ALPHA"."""


LOOKALIKES: dict[str, str] = {
    "\u0391": "A",  # GREEK CAPITAL LETTER ALPHA
    "\u0410": "A",  # CYRILLIC CAPITAL LETTER A
    "\u0421": "C",  # CYRILLIC CAPITAL LETTER ES
    "\u03a1": "R",  # GREEK CAPITAL LETTER RHO
    "\u0420": "R",  # CYRILLIC CAPITAL LETTER ER
    "\u0399": "I",  # GREEK CAPITAL LETTER IOTA
    "\u0406": "I",  # CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I
}
"""Letters that look like R, A, C or I in the PDF's text. Only the seed loader maps them; the
domain and the API refuse anything but the Latin capitals."""


def latin_raci(raw: str) -> RaciLetter:
    """The Latin letter a transcribed RACI cell means (unknown letters pass through unchanged,
    for the domain to refuse with its own message)."""
    name = unicodedata.name(raw, "UNNAMED CHARACTER") if len(raw) == 1 else "several characters"
    return RaciLetter(
        raw=raw,
        latin=LOOKALIKES.get(raw, raw),
        code_point=f"U+{ord(raw):04X} {name}" if len(raw) == 1 else name,
    )


def milestone_recorded_on(actual: DateValue, report_on: date) -> date:
    """When a milestone the paper reports "Complete" is entered as achieved: the last day its
    actual date can mean (the month's end), or the report's day if that is earlier."""
    return min(actual.last_day, report_on)


def placeholder_owner(
    key: str, document: str, line: int, row: str, *, on: datetime
) -> AssignRosterMember:
    """The roster of a programme whose paper names no owner: one labelled placeholder as the
    Accountable (A), so the programme has its one A and nobody real is named."""
    return AssignRosterMember(
        programme_key=key,
        email=PLACEHOLDER_EMAIL,
        name=PLACEHOLDER_NAME,
        role_title="Programme owner (placeholder)",
        raci="A",
        occurred_at=on,
        source=source(
            document,
            "Contact for further information",
            line,
            row,
            placeholder="the paper names no owner: a labelled placeholder, not a person",
        ),
    )


PLACEHOLDER_EMAIL = "ict-services.placeholder@lancashire.example"
PLACEHOLDER_NAME = "ICT Services (placeholder: the paper names no owner)"
