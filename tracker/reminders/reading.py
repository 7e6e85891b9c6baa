"""What a reminders pass reads: the programmes, with the items that can be due, from the read
model (never a scan of the store), consistent with every write answered before the pass.

- Every programme's header (roster, delegations, closure; all a closed one needs), from its
  row, with only the items a reminder can be about: deliverables awaiting sign-off, milestones
  not achieved, open RAID items (``DUE_STATES``).
- A programme with events the projector has not folded yet is read whole, rows plus those
  events (``Reader.views``), so nothing answered before the pass is missed.
- A weekly digest describes a programme's whole RAG: ``Reading.complete`` reads whole the
  programmes whose digest is still due this week (``passes.py`` asks only for those), so on
  the days after the digests went out a pass reads no whole programme at all.
- A pass for a past day reads each programme as it stood at the end of that day, from its
  newest snapshot before then.

So a pass costs what can be due, not the size of the store: one statement for the glances, one
for the rows and the due items, and whole views only where a digest or a recent write needs
them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
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


class Reading:
    """The programmes a pass reads, by key, and which of them are whole."""

    def __init__(self, reader: Reader, glances: Sequence[Glance]) -> None:
        self.reader = reader
        self.glances = {g.key: g for g in glances}
        self.views: dict[str, ProgrammeView] = {}
        self.whole: set[str] = set()

    def ordered(self) -> list[ProgrammeView]:
        return [self.views[key] for key in sorted(self.views)]

    async def complete(self, keys: Collection[str]) -> None:
        """Read whole the programmes of ``keys`` not read whole yet."""
        wanted = [self.glances[k] for k in sorted(keys) if k not in self.whole]
        for glance, view in zip(wanted, await self.reader.views(wanted), strict=True):
            self.views[glance.key] = view
            self.whole.add(glance.key)


async def programmes_for(reader: Reader, day: date, *, now: date) -> Reading:
    """The programmes as a pass for ``day`` reads them (``now``: today where the pass runs)."""
    reading = Reading(reader, await reader.glance_all())
    if day < now:
        until = effective_until(day)
        for key in list(reading.glances):
            try:
                reading.views[key] = await reader.view_at(key, until)
            except NotFound:
                continue
            reading.whole.add(key)
        return reading
    due = await rows.read_due_items(reader.engine, reader.tables, DUE_STATES)
    changed: list[str] = []
    for key, glance in reading.glances.items():
        view = due.views.get(key)
        beyond = (
            not glance.complete
            or due.checkpoint < glance.checkpoint
            or any(e.position > due.checkpoint for e in glance.tail)
        )
        if beyond or view is None:
            changed.append(key)
        else:
            reading.views[key] = view
    await reading.complete(changed)
    return reading


__all__ = ["DUE_STATES", "Reading", "programmes_for"]
