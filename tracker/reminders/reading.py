"""What a reminders pass reads: the programmes, with the items that can be due, from the read
model (never a scan of the store), consistent with every write answered before the pass.

- Every programme's header (roster, delegations, closure; all a closed one needs), from its row.
- Of the programmes not closed, only the items a reminder can be about: deliverables awaiting
  sign-off, milestones not achieved, open RAID items. On the days a weekly digest can be due
  (it describes the whole programme's RAG), every item of the programmes not closed.
- A programme with events the projector has not folded yet is read whole, rows plus those
  events (``Reader.views``), so nothing answered before the pass is missed.
- A pass for a past day reads each programme as it stood at the end of that day, from its
  newest snapshot before then.

So a pass costs what can be due, not the size of the store: one statement for the glances, one
for the rows, and whole views only for what changed in the last moments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from tracker.errors import NotFound
from tracker.projections.read_model import rows
from tracker.projections.read_model.reader import Glance, Reader
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.question import effective_until

DUE_STATES: Final[Mapping[str, Sequence[str]]] = {
    "deliverable": ("submitted",),
    "milestone": ("open",),
    "raid": ("open",),
}
"""The item rows a reminder can be about (``rows.state_of``): ``reminders/signoffs.py`` chases
submitted deliverables, ``reminders/items.py`` milestones not achieved and open RAID items."""


async def programmes_for(
    reader: Reader, day: date, *, now: date, whole: bool
) -> list[ProgrammeView]:
    """The programmes as a pass for ``day`` needs them (``now``: today, where the pass runs;
    ``whole``: every item, for the weekly digests), in key order."""
    glances = await reader.glance_all()
    if day < now:
        return await _as_they_stood(reader, glances, day)
    due = await rows.read_due_items(reader.engine, reader.tables, DUE_STATES)
    found: dict[str, ProgrammeView] = {}
    rest: list[Glance] = []
    for glance in glances:
        view = due.views.get(glance.key)
        beyond = (
            not glance.complete
            or due.checkpoint < glance.checkpoint
            or any(e.position > due.checkpoint for e in glance.tail)
        )
        if beyond or view is None or (whole and view.lifecycle != "closed"):
            rest.append(glance)
        else:
            found[glance.key] = view
    for glance, view in zip(rest, await reader.views(rest), strict=True):
        found[glance.key] = view
    return [found[g.key] for g in glances if g.key in found]


async def _as_they_stood(
    reader: Reader, glances: Sequence[Glance], day: date
) -> list[ProgrammeView]:
    until = effective_until(day)
    found: list[ProgrammeView] = []
    for glance in glances:
        try:
            found.append(await reader.view_at(glance.key, until))
        except NotFound:
            continue
    return found


__all__ = ["DUE_STATES", "programmes_for"]
