"""Pending sign-offs: who is reminded, and when the Accountable person is told; pure.

Rules (docs/reminders.md):

* A deliverable or closure report **submitted** more than ``signoff_after`` working days ago
  reminds each person whose endorsement is missing, and each person whose approval is missing
  once no endorsement is (until then approval is refused, so asking for it would only be noise).
* A deputy is reminded too, for their principal, on every day a delegation on that programme
  covers (``signoff_status.covers``).
* More than ``escalate_after`` working days after submission, the programme's A is told who is
  holding the item up: those whose signature is awaited now (endorsers, or approvers once every
  endorsement is in), the A excepted; nothing when only the A is awaited.
"""

from __future__ import annotations

from datetime import date

from tracker.calendar import WorkingCalendar
from tracker.projections.read_model.views import Delegation, ProgrammeView
from tracker.projections.reports.signoff_status import (
    PersonLine,
    SignOffItem,
    closure_item,
    covers,
    deliverable_item,
)
from tracker.rag import RagThresholds
from tracker.reminders.model import (
    Recipient,
    Reminder,
    ReminderPolicy,
    plural,
    recipient,
    short_day,
)

_NOUN = {"endorse": "endorsement", "approve": "approval"}


def submitted_items(
    view: ProgrammeView, today: date, calendar: WorkingCalendar, thresholds: RagThresholds
) -> list[SignOffItem]:
    """Deliverables in planning order, then the closure report, that await signatures."""
    items = [
        deliverable_item(view, d, today, calendar, thresholds)
        for d in view.deliverables.values()
        if d.state == "submitted"
    ]
    if view.closure.state == "submitted":
        items.append(closure_item(view))
    return items


def item_ref(view: ProgrammeView, item: SignOffItem) -> tuple[str, str]:
    """(item id, page path) of a sign-off item."""
    if item.kind == "closure_report":
        return f"closure:{view.key}:{item.round}", f"/programmes/{view.key}/closure"
    return f"deliverable:{item.id}", f"/programmes/{view.key}/deliverables/{item.id}"


def deputies_of(view: ProgrammeView, principal: str, today: date) -> list[Delegation]:
    return [
        d
        for d in view.delegations.values()
        if d.principal.lower() == principal.lower() and covers(d, today)
    ]


def actionable(item: SignOffItem) -> list[tuple[str, PersonLine]]:
    """Missing endorsements; missing approvals only once every endorsement is in."""
    wanted = [("endorse", p) for p in item.endorsements_missing]
    if not item.endorsements_missing:
        wanted += [("approve", p) for p in item.approvals_missing]
    return wanted


def _asks(
    view: ProgrammeView, item: SignOffItem, today: date
) -> dict[str, tuple[Recipient, list[str]]]:
    """Per recipient: what they are asked for, in words."""
    asks: dict[str, tuple[Recipient, list[str]]] = {}

    def ask(who: Recipient, words: str) -> None:
        asks.setdefault(who.who, (who, []))[1].append(words)

    for action, person in actionable(item):
        ask(recipient(person.email, person.name), f"your {_NOUN[action]}")
        for d in deputies_of(view, person.email, today):
            ask(
                recipient(d.deputy, d.deputy_name),
                f"{person.name}'s {_NOUN[action]} (you deputise for them until "
                f"{short_day(d.ends_on)})",
            )
    return asks


def _sponsor(view: ProgrammeView) -> PersonLine | None:
    for member in view.roster.values():
        if member.raci == "A":
            return PersonLine(email=member.email, name=member.name)
    return None


def _escalation(view: ProgrammeView, item: SignOffItem, today: date, waited: int) -> list[Reminder]:
    sponsor = _sponsor(view)
    if sponsor is None:
        return []
    holders = [
        (p, _NOUN[action])
        for action, p in actionable(item)
        if p.email.lower() != sponsor.email.lower()
    ]
    if not holders:
        return []
    who = ", ".join(f"{p.name} ({what})" for p, what in holders)
    details = [
        f"{d.deputy_name or d.deputy} may act for {p.name} until {short_day(d.ends_on)}."
        for p, _ in holders
        for d in deputies_of(view, p.email, today)
    ]
    ident, path = item_ref(view, item)
    submitted = item.submitted_on or today
    return [
        Reminder(
            kind="signoff_escalation",
            programme_key=view.key,
            programme_name=view.name or view.key,
            item=ident,
            title=item.title,
            path=path,
            recipient=recipient(sponsor.email, sponsor.name),
            day=today,
            summary=(
                f"'{item.title}' was submitted {short_day(submitted)}, "
                f"{plural(waited, 'working day')} ago, and is held up by {who}."
            ),
            details=tuple(details),
        )
    ]


def signoff_reminders(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    policy: ReminderPolicy,
) -> list[Reminder]:
    found: list[Reminder] = []
    for item in submitted_items(view, today, calendar, thresholds):
        if item.submitted_on is None:
            continue
        waited = calendar.working_days_between(item.submitted_on, today)
        if waited <= policy.signoff_after:
            continue
        ident, path = item_ref(view, item)
        details = tuple(r for r in item.rag_reasons[:1] if not r.startswith("Green"))
        for who, asked in _asks(view, item, today).values():
            found.append(
                Reminder(
                    kind="signoff_pending",
                    programme_key=view.key,
                    programme_name=view.name or view.key,
                    item=ident,
                    title=item.title,
                    path=path,
                    recipient=who,
                    day=today,
                    summary=(
                        f"'{item.title}' awaits {' and '.join(asked)}: submitted "
                        f"{short_day(item.submitted_on)}, {plural(waited, 'working day')} ago."
                    ),
                    details=details,
                )
            )
        if waited > policy.escalate_after:
            found.extend(_escalation(view, item, today, waited))
    return found


__all__ = ["actionable", "deputies_of", "item_ref", "signoff_reminders", "submitted_items"]
