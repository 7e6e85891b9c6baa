"""Colour changes: what turned red, amber or green since the tracker last looked; pure.

The colours are the closure report's (the rules every report uses, docs/rag.md): the programme,
each outcome, each deliverable, milestone and RAID item. A programme's colour stream
(``colour:<key>``) remembers what was last observed: ``ColoursBaselined`` records subjects seen
for the first time (no change to announce), ``ColourChanged`` each move. ``observe`` compares a
report with that memory and says what to append; the deliverer appends it with the stream's
expected version, so two observers cannot both announce one change.

Colours move with time as well as with events (a due date passes overnight), so the deliverer
observes programmes after their events and again on a timer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import msgspec

from tracker.events.base import Event, StoredEvent
from tracker.events.colours import ColourChanged, ColoursBaselined
from tracker.projections.reports.closure_report import ClosureReport

COLOUR_STREAM_PREFIX: Final = "colour:"


def colour_stream(key: str) -> str:
    return f"{COLOUR_STREAM_PREFIX}{key}"


class Colour(msgspec.Struct, frozen=True, kw_only=True):
    rag: str
    title: str
    reasons: tuple[str, ...]


def colours_of(report: ClosureReport) -> dict[str, Colour]:
    """Every subject of the report with its colour, title and reasons."""
    found: dict[str, Colour] = {
        "programme": Colour(
            rag=report.rag, title=report.name or report.key, reasons=tuple(report.rag_reasons)
        )
    }
    for o in report.outcomes:
        label = f"Outcome {o.number} '{o.title}'" if o.number is not None else "No outcome"
        found[o.id] = Colour(rag=o.rag, title=label, reasons=tuple(o.rag_reasons))
    for d in report.deliverables:
        found[f"deliverable:{d.id}"] = Colour(
            rag=d.rag, title=f"'{d.title}'", reasons=tuple(d.rag_reasons)
        )
    for m in report.milestones:
        found[f"milestone:{m.id}"] = Colour(
            rag=m.rag, title=f"'{m.title}'", reasons=tuple(m.rag_reasons)
        )
    for r in (*report.issues, *report.risks):
        found[f"raid:{r.id}"] = Colour(rag=r.rag, title=r.ref, reasons=tuple(r.rag_reasons))
    return found


def remembered(events: Iterable[StoredEvent]) -> dict[str, str]:
    """The last colour observed of each subject, from the colour stream."""
    seen: dict[str, str] = {}
    for stored in events:
        data = stored.data
        if isinstance(data, ColoursBaselined):
            seen.update(data.colours)
        elif isinstance(data, ColourChanged):
            seen[data.subject] = data.current
    return seen


def observe(key: str, seen: dict[str, str], report: ClosureReport) -> list[Event]:
    """What to append: a baseline of the subjects never seen, then a change per subject whose
    colour moved (the programme first, then in the report's order)."""
    now = colours_of(report)
    new = {subject: c.rag for subject, c in now.items() if subject not in seen}
    events: list[Event] = []
    if new:
        events.append(ColoursBaselined(programme_key=key, colours=new))
    for subject, colour in now.items():
        before = seen.get(subject)
        if before is not None and before != colour.rag:
            events.append(
                ColourChanged(
                    programme_key=key,
                    subject=subject,
                    title=colour.title,
                    previous=before,
                    current=colour.rag,
                    reasons=colour.reasons[:5],
                )
            )
    return events
