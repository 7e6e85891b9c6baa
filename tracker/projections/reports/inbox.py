"""A person's inbox across programmes: what awaits their endorsement or approval, and that of
anyone they deputise for; pure.

* A deliverable or the closure report is in it while *submitted*: the person's own missing
  endorsements or approvals, and those of anyone they deputise for on that programme by a
  delegation covering ``today`` (from ``starts_on`` to ``ends_on`` inclusive, and before any
  ``revoked_on``). An approval awaiting endorsements still shows, with ``blocked_by`` naming the
  missing endorsers.
* A phase gate is in it while *ready* (every criterion met) and the person, or their principal,
  has not approved it: an open gate cannot be approved yet, so it waits in their calendar
  (``api.controllers.my_calendar``), not here. Its ``due_on`` is the day its criteria were met
  at the latest (``GateRow.expected_on``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.gates import GateRow, gate_rows
from tracker.projections.reports.sealing import seal
from tracker.projections.reports.signoff_status import (
    ProgrammePosition,
    SignOffItem,
    closure_item,
    covers,
    deliverable_item,
)
from tracker.rag import RagThresholds


class InboxItem(msgspec.Struct, kw_only=True):
    """Something awaiting ``person``: ``action`` "endorse" or "approve" of item ``item_id``,
    for ``for_person`` (themselves, or their principal when ``as_deputy``)."""

    id: str
    programme_key: str
    item_id: str
    kind: str
    title: str
    state: str
    action: str
    for_person: str
    for_name: str
    as_deputy: bool
    blocked_by: list[str] = []
    """Names of endorsers still missing: approval waits for them (an open gate in a calendar:
    a sentence per item it waits for)."""
    submitted_on: date | None = None
    due_on: date | None = None
    due_assumed: bool = False
    """The due date is assumed (not in the source): shown "(assumed)", never rated late."""
    rag: str | None = None
    rag_reasons: list[str] = []


class Inbox(msgspec.Struct, kw_only=True):
    person: str
    name: str
    today: date
    items: list[InboxItem]
    positions: list[ProgrammePosition]
    position: int
    """The highest store position among the programmes read."""
    as_of: datetime | None = None
    known_at: datetime | None = None
    content_hash: str = ""


def _principals(view: ProgrammeView, person: str, today: date) -> set[str]:
    """Whom ``person`` may act for today on this programme."""
    return {
        d.principal.lower()
        for d in view.delegations.values()
        if d.deputy.lower() == person and covers(d, today)
    }


def _awaiting(
    view: ProgrammeView, item: SignOffItem, person: str, principals: set[str]
) -> list[InboxItem]:
    if item.state != "submitted":
        return []
    found: list[InboxItem] = []
    blocked = [p.name for p in item.endorsements_missing]
    wanted = [("endorse", p) for p in item.endorsements_missing]
    wanted += [("approve", p) for p in item.approvals_missing]
    for action, awaited in wanted:
        email = awaited.email.lower()
        if email != person and email not in principals:
            continue
        found.append(
            InboxItem(
                id=f"{view.key}:{item.id}:{action}:{email}",
                programme_key=view.key,
                item_id=item.id,
                kind=item.kind,
                title=item.title,
                state=item.state,
                action=action,
                for_person=awaited.email,
                for_name=awaited.name,
                as_deputy=email != person,
                blocked_by=blocked if action == "approve" else [],
                submitted_on=item.submitted_on,
                due_on=item.due_on,
                due_assumed=item.due_assumed,
                rag=item.rag,
                rag_reasons=item.rag_reasons,
            )
        )
    return found


def _gate_awaiting(
    view: ProgrammeView,
    gate: GateRow,
    person: str,
    principals: set[str],
    states: tuple[str, ...] = ("ready",),
) -> list[InboxItem]:
    if gate.state not in states:
        return []
    approved = {a.person.lower() for a in gate.approvals}
    found: list[InboxItem] = []
    for email, name in zip(gate.approver_emails, gate.approvers, strict=True):
        awaited = email.lower()
        if awaited in approved or (awaited != person and awaited not in principals):
            continue
        found.append(
            InboxItem(
                id=f"{view.key}:{gate.id}:approve:{awaited}",
                programme_key=view.key,
                item_id=gate.id,
                kind="gate",
                title=gate.title,
                state=gate.state,
                action="approve",
                for_person=email,
                for_name=name,
                as_deputy=awaited != person,
                blocked_by=gate.blocking,
                due_on=gate.expected_on,
                rag=gate.rag,
                rag_reasons=gate.rag_reasons,
            )
        )
    return found


def inbox(
    views: Iterable[ProgrammeView],
    person: str,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> Inbox:
    """What awaits ``person`` (an e-mail, any case) across the programmes, programme by
    programme: deliverables in planning order, the closure report, then ready gates in order."""
    email = person.strip().lower()
    items: list[InboxItem] = []
    positions: list[ProgrammePosition] = []
    name = email
    for view in views:
        positions.append(ProgrammePosition(key=view.key, position=view.position))
        name = view.people.get(email, name)
        principals = _principals(view, email, today)
        for deliverable in view.deliverables.values():
            if deliverable.state == "submitted":
                line = deliverable_item(view, deliverable, today, calendar, thresholds)
                items.extend(_awaiting(view, line, email, principals))
        items.extend(_awaiting(view, closure_item(view), email, principals))
        for gate in gate_rows(view, today, calendar, thresholds):
            items.extend(_gate_awaiting(view, gate, email, principals))
    return seal(
        Inbox(
            person=email,
            name=name,
            today=today,
            items=items,
            positions=positions,
            position=max((p.position for p in positions), default=0),
            as_of=as_of,
            known_at=known_at,
        )
    )


def gate_duties(
    views: Iterable[ProgrammeView],
    person: str,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
) -> list[InboxItem]:
    """Every gate not yet passed that awaits ``person``'s approval (or their principal's), open
    or ready: a calendar shows them on the day their criteria are due to be met. An open one's
    ``blocked_by`` says what it waits for; ids are the inbox's, so an event keeps its UID when
    the gate becomes ready."""
    email = person.strip().lower()
    found: list[InboxItem] = []
    for view in views:
        principals = _principals(view, email, today)
        for gate in gate_rows(view, today, calendar, thresholds):
            found.extend(_gate_awaiting(view, gate, email, principals, ("open", "ready")))
    return found


__all__ = ["Inbox", "InboxItem", "gate_duties", "inbox"]
