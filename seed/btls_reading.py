"""How the BTLS loader reads the deliverables table (``btls_deliverables``): which outcome a row
belongs to, where its status is, who its approvers are (people by the names the paper uses),
and the provenance each of its events carries."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from seed.btls_deliverables import DOCUMENT, PAGES, Row
from seed.source import oddities, row_text, source, uk_day
from tracker.errors import InvalidInput
from tracker.events.values import PersonRef

TRANSITION_ON = date(2021, 4, 1)
"""Scope (line 354): "back in house to LCC by the 1st of April 2021". The due date of rows
that print no date."""
POST_TRANSITION = "Post Transition"

# People by the names the paper uses. Addresses are synthetic, under the reserved .example
# domain, so no reminder can reach a real mailbox. "Rachel Tanner" (approver, line 469) and
# "Rachael Tanner" (roster, line 342) are one person with one address. The last four approve
# deliverables but are not on the roster.
PEOPLE: dict[str, str] = {
    "Mike Kirby": "mike.kirby@lancashire.example",
    "Glyn Peach": "glyn.peach@lancashire.example",
    "Rob Cathey": "rob.cathey@lancashire.example",
    "Gabby Nelson": "gabby.nelson@lancashire.example",
    "Antony Draper": "antony.draper@socitm-advisory.example",
    "Andrew Rogers": "andrew.rogers@socitm-advisory.example",
    "Rachael Tanner": "rachael.tanner@lancashire.example",
    "Rachel Tanner": "rachael.tanner@lancashire.example",
    "Paul Sutcliffe": "paul.sutcliffe@lancashire.example",
    "Sarah Oldendorp": "sarah.oldendorp@lancashire.example",
    "Mark Greenwood": "mark.greenwood@lancashire.example",
    "Sharon Porter": "sharon.porter@lancashire.example",
}

_OUTCOME_LABEL = re.compile(r"^(\d+)\. ")

OUTCOME_CELLS: dict[int, int] = {
    1: 389,
    2: 396,
    3: 405,
    4: 419,
    5: 424,
    6: 445,
    7: 449,
    8: 456,
    9: 459,
    10: 467,
}
"""The first line of each outcome's merged cell in the Outcome column (003, pages 1-3 of
"4. Socitm deliverables"). A cell runs to the line before the next one's first line, across
page breaks. The text file prints each label where it sits in the PDF: inside its merged cell,
near its middle, not on the cell's first row. So the rows around a label are grouped by the
cell that holds them, read from the layout and the subjects (label 8, line 457, among the three
licensing rows 456-458; label 9, lines 462-463, among the GDPR, PSN, security and PCI rows
459-466; label 10, lines 468-469, among rows 467-470), not by the last label above a row,
which filed GDPR and PSN under "no licensing liabilities" (issue 17). ``read_rows`` checks that
every label lies inside its own cell."""


def outcome_cell(line: int) -> tuple[int, int, int]:
    """The outcome whose merged cell holds ``line``, with the cell's first and last lines."""
    starts = sorted(OUTCOME_CELLS.items(), key=lambda item: item[1])
    lines = [row.line for page in PAGES for row in page.rows]
    for index, (number, first) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else lines[-1] + 1
        if first <= line < end:
            return number, first, max(n for n in lines if n < end)
    raise InvalidInput(f"line {line} is outside every outcome's cell")


def person(name: str) -> PersonRef:
    """A person as the paper names them: the address is the identity, the name the paper's."""
    email = PEOPLE.get(name)
    if email is None:
        raise InvalidInput(f"{name!r} is not among the BTLS people")
    return PersonRef(email=email, name=name)


class Reading(NamedTuple):
    """One deliverable row as the loader reads it."""

    page: str
    row: Row
    outcome: int
    approvers: tuple[PersonRef, ...]
    status: str
    signed_off_on: date | None
    note: str


def read_rows() -> list[Reading]:
    """Outcome by the merged cell that holds the row (``OUTCOME_CELLS``); status from the Status
    cell, or from the Approved By cell when the row's cells are shifted ("Post Transition" /
    "d Post Transition" there, Status empty)."""
    readings: list[Reading] = []
    labelled: set[int] = set()
    for page in PAGES:
        for row in page.rows:
            outcome, first, last = outcome_cell(row.line)
            label = _OUTCOME_LABEL.match(row.outcome)
            if label is not None:
                labelled.add(int(label.group(1)))
            if label is not None and int(label.group(1)) != outcome:
                raise InvalidInput(
                    f"line {row.line}: label {label.group(1)} lies in the cell of outcome "
                    f"{outcome} (lines {first}-{last})"
                )
            note = ""
            status, approved_by = row.status, row.approved_by
            if not status and approved_by.endswith(POST_TRANSITION):
                status, approved_by = POST_TRANSITION, ""
                note = (
                    f"status read from the Approved By cell ({row.approved_by!r}); "
                    "the Status cell is empty"
                )
            approvers = tuple(person(n.strip()) for n in approved_by.split(" / ") if n.strip())
            if status == "Signed Off":
                signed_off_on: date | None = uk_day(row.date)
            elif status == POST_TRANSITION:
                signed_off_on = None
            else:
                raise InvalidInput(f"line {row.line}: unknown status {status!r}")
            readings.append(
                Reading(
                    page=page.table,
                    row=row,
                    outcome=outcome,
                    approvers=approvers,
                    status=status,
                    signed_off_on=signed_off_on,
                    note=note,
                )
            )
    if labelled != set(OUTCOME_CELLS):
        raise InvalidInput(f"outcome cells without their label: {set(OUTCOME_CELLS) - labelled}")
    return readings


_AS_ABOVE = "'(as above)' repeats line {first} ({first_date}) under another outcome, dated {date}"
ROW_ODDITIES: dict[int, tuple[tuple[str, str], ...]] = {
    391: (
        (
            "merged_row",
            "one row holds three deliverables: 'Data in the system to enable a relationship "
            "between workstyles and posts and therefore devices', 'BCP Plan Reviewed Updated "
            "and Assured', 'Service Specifications in place'",
        ),
        (
            "status_in_approver_cell",
            "'d Post Transition' stands in the Approved By cell of a row whose Status is "
            "Signed Off (07/01/2021)",
        ),
    ),
    398: (("status_in_approver_cell", "'Post Transition' in the Approved By cell, no Status"),),
    468: (("status_in_approver_cell", "'Post Transition' in the Approved By cell, no Status"),),
    437: (
        (
            "outlier_sign_off_date",
            "'Catalogue of Business Issues' signed off 15/07/2020, five months before any "
            "other sign-off in the table (the next are on 23/12/2020, lines 399 and 450)",
        ),
    ),
    453: (
        (
            "as_above_dates_differ",
            _AS_ABOVE.format(first=403, first_date="07/01/2021", date="18/03/2021"),
        ),
    ),
    454: (
        (
            "as_above_dates_differ",
            _AS_ABOVE.format(first=404, first_date="07/01/2021", date="18/03/2021"),
        ),
    ),
}
"""The deliverables table's oddities, by line: each becomes a data-quality finding."""


def deliverable_source(reading: Reading) -> dict[str, str]:
    row = reading.row
    _, first, last = outcome_cell(row.line)
    raw = {
        "outcome_rule": (
            f"outcome {reading.outcome}: the merged Outcome cell of lines {first}-{last}"
        )
    }
    if reading.note:
        raw["note"] = reading.note
    if row.line in ROW_ODDITIES:
        raw |= oddities(*ROW_ODDITIES[row.line])
    if not row.date:
        raw["date_note"] = (
            f"no date in the paper: due on the transition day {TRANSITION_ON.isoformat()}"
        )
    return source(DOCUMENT, reading.page, row.line, row_text(*row[1:]), **raw)
