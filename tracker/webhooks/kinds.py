"""Which events a subscription's ``kinds`` ask for, and each in words; pure.

- ``signoff``: a deliverable submitted, resubmitted, endorsed, approved, signed off or
  returned; a phase gate approved or passed;
- ``closure``: the closure report submitted, endorsed, approved; the programme closed;
- ``milestone``: a milestone re-forecast, re-baselined or achieved;
- ``raid``: a risk, issue, assumption or dependency raised, re-scored, updated, given a new
  owner or closed;
- ``rag``: a programme, outcome or item changing colour (``ColourChanged``,
  ``tracker.webhooks.colours``).

A summary names the programme and the item by their titles from the programme as it stands
(``ProgrammeView``), falling back to ids when the view does not have them.
"""

from __future__ import annotations

import re
from typing import Final

from tracker.events import closure as cl
from tracker.events import deliverables as de
from tracker.events import gates as ga
from tracker.events import milestones as mi
from tracker.events import risks as ri
from tracker.events.base import Event
from tracker.events.colours import ColourChanged
from tracker.projections.read_model.views import ProgrammeView

KINDS: Final = ("signoff", "closure", "milestone", "raid", "rag")

KIND_OF: Final[dict[type[Event], str]] = {
    de.DeliverableSubmitted: "signoff",
    de.DeliverableResubmitted: "signoff",
    de.DeliverableEndorsed: "signoff",
    de.DeliverableApproved: "signoff",
    de.DeliverableSignedOff: "signoff",
    de.DeliverableReturned: "signoff",
    ga.GateApproved: "signoff",
    ga.GatePassed: "signoff",
    cl.ClosureReportSubmitted: "closure",
    cl.ClosureReportEndorsed: "closure",
    cl.ClosureReportApproved: "closure",
    cl.ProgrammeClosed: "closure",
    mi.MilestoneReforecast: "milestone",
    mi.MilestoneRebaselined: "milestone",
    mi.MilestoneAchieved: "milestone",
    ri.RiskRaised: "raid",
    ri.RiskRescored: "raid",
    ri.RiskUpdateLogged: "raid",
    ri.RiskOwnerChanged: "raid",
    ri.RiskClosed: "raid",
    ColourChanged: "rag",
}


def kind_of(event: Event) -> str | None:
    return KIND_OF.get(type(event))


def words(type_name: str) -> str:
    """``DeliverableSignedOff`` -> ``deliverable signed off``."""
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z]*", type_name))


def _person(view: ProgrammeView | None, email: str | None) -> str:
    if not email:
        return "someone"
    return view.people.get(email, email) if view is not None else email


def _subject(view: ProgrammeView | None, event: Event) -> str:
    """The item an event is about, as the reports name it."""
    if view is None:
        return ""
    for field, items, noun in (
        ("deliverable_id", view.deliverables, "deliverable"),
        ("milestone_id", view.milestones, "milestone"),
        ("gate_id", view.gates, "gate"),
    ):
        found = getattr(event, field, None)
        if found is not None:
            item = items.get(str(found))
            return f"{noun} '{item.title}'" if item is not None else f"{noun} {found}"
    item_id = getattr(event, "item_id", None)
    if item_id is not None:
        raid = view.raid.get(str(item_id))
        return raid.ref if raid is not None else f"RAID item {item_id}"
    return ""


def names_all(view: ProgrammeView, event: Event) -> bool:
    """Whether ``view`` names the item and the people ``event`` is about (else ``summary``
    would fall back to ids and addresses)."""
    for field, items in (
        ("deliverable_id", view.deliverables),
        ("milestone_id", view.milestones),
        ("gate_id", view.gates),
        ("item_id", view.raid),
    ):
        found = getattr(event, field, None)
        if found is not None and str(found) not in items:
            return False
    people = [getattr(event, "actor", None), getattr(event, "on_behalf_of", None)]
    return all(p is None or p in view.people for p in people)


def summary(event: Event, type_name: str, view: ProgrammeView | None) -> str:
    """One sentence: "Programme X: deliverable 'Y' signed off (by Z for W)."."""
    key = getattr(event, "programme_key", "")
    programme = (view.name if view is not None and view.name else "") or key
    if isinstance(event, ColourChanged):
        why = f": {event.reasons[0]}" if event.reasons else ""
        return (
            f"{programme}: {event.title} {event.previous.capitalize()} -> "
            f"{event.current.capitalize()}{why}"
        )
    subject = _subject(view, event)
    verb = words(type_name)
    for noun in ("deliverable ", "milestone ", "gate ", "risk ", "closure report ", "programme "):
        if verb.startswith(noun):
            verb = verb[len(noun) :]
            if not subject:
                subject = noun.strip()
            break
    actor = getattr(event, "actor", None)
    behalf = getattr(event, "on_behalf_of", None)
    by = ""
    if isinstance(actor, str):
        by = f" by {_person(view, actor)}"
        if behalf:
            by += f" on behalf of {_person(view, behalf)}"
    text = f"{programme}: {subject} {verb}{by}".replace("  ", " ")
    return text + "."
