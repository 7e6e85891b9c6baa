"""How the BTLS loader reads the deliverables table (``btls_deliverables``): which outcome a row
belongs to, where its status is, who its approvers are (people by the names the paper uses),
and the provenance each of its events carries."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from seed.btls_deliverables import DOCUMENT, PAGES, Row
from seed.source import row_text, source, uk_day
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
    """Outcome by the label above; status from the Status cell, or from the Approved By cell
    when the row's cells are shifted ("Post Transition" / "d Post Transition" there, Status
    empty)."""
    readings: list[Reading] = []
    outcome = 0
    for page in PAGES:
        for row in page.rows:
            label = _OUTCOME_LABEL.match(row.outcome)
            if label is not None:
                outcome = int(label.group(1))
            if outcome == 0:
                raise InvalidInput(f"line {row.line}: a deliverable before any outcome label")
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
    return readings


def deliverable_source(reading: Reading) -> dict[str, str]:
    row = reading.row
    raw = {"outcome_rule": f"outcome {reading.outcome}: the last outcome label above the row"}
    if reading.note:
        raw["note"] = reading.note
    if not row.date:
        raw["date_note"] = (
            f"no date in the paper: due on the transition day {TRANSITION_ON.isoformat()}"
        )
    return source(DOCUMENT, reading.page, row.line, row_text(*row[1:]), **raw)
