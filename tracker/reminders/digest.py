"""The weekly RAG digest for sponsors; pure.

Rules (docs/reminders.md):

* Due to each programme's A on the first working day on or after the digest weekday (default
  Monday: Tuesday after Easter Monday) and on any later day of that ISO week until sent, so a
  missed pass loses nothing. Closed programmes get none.
* It reports the programme's RAG and delivery confidence now (with reasons) against the
  snapshot the previous digest recorded, and every part (deliverable, milestone, open RAID item)
  whose colour changed, appeared or dropped out since, with its reason. The first digest has no
  previous snapshot and says so.
"""

from __future__ import annotations

from datetime import date, timedelta

from tracker.calendar import WorkingCalendar
from tracker.events.reminders import ItemRag, RagSnapshot
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.milestone_board import rate_milestone
from tracker.projections.reports.portfolio import portfolio_row
from tracker.projections.reports.raid_log import rate_raid
from tracker.projections.reports.trend import moved
from tracker.rag import RagThresholds, deliverable_rag
from tracker.reminders.items import members
from tracker.reminders.model import Reminder, ReminderPolicy, short_day


def digest_day(today: date, calendar: WorkingCalendar, weekday: int) -> date:
    """The day this ISO week's digest is first due: the first working day on or after the
    digest weekday (possibly in the next week, when the rest of the week is holidays)."""
    monday = today - timedelta(days=today.weekday())
    return calendar.working_day_on_or_after(monday + timedelta(days=weekday))


def same_week(a: date, b: date) -> bool:
    return a.isocalendar()[:2] == b.isocalendar()[:2]


def rag_snapshot(
    view: ProgrammeView, today: date, calendar: WorkingCalendar, thresholds: RagThresholds
) -> RagSnapshot:
    row = portfolio_row(view, today, calendar, thresholds)
    items: list[ItemRag] = []
    for d in view.deliverables.values():
        rated = deliverable_rag(
            d.title, d.state, d.due_on, today, calendar, thresholds, due_assumed=d.due_assumed
        )
        items.append(_part(f"deliverable:{d.id}", d.title, rated.rag.value, rated.reasons))
    for m in view.milestones.values():
        rated_m = rate_milestone(m, today, calendar, thresholds)
        items.append(_part(f"milestone:{m.id}", m.title, rated_m.rag.value, rated_m.reasons))
    for r in view.raid.values():
        if r.is_open:
            rated = rate_raid(r, thresholds)
            items.append(_part(f"risk:{r.id}", r.ref, rated.rag.value, rated.reasons))
    return RagSnapshot(
        rag=row.rag,
        confidence=row.confidence_label,
        reasons=tuple(row.rag_reasons),
        items=tuple(items),
    )


def _part(item: str, title: str, rag: str, reasons: tuple[str, ...]) -> ItemRag:
    return ItemRag(item=item, title=title, rag=rag, reason=reasons[0] if reasons else "")


def _label(rag: str) -> str:
    return rag.capitalize()


def describe(
    now: RagSnapshot, before: RagSnapshot | None, since: date | None
) -> tuple[str, tuple[str, ...]]:
    """(summary, details) of a digest: now against the previous digest's snapshot."""
    if before is None or since is None:
        summary = f"{_label(now.rag)}; delivery confidence {now.confidence} (first weekly digest)."
        return summary, now.reasons
    when = short_day(since)
    if now.rag == before.rag:
        rag = f"{_label(now.rag)}, unchanged since {when}"
    else:
        way = moved(before.rag, now.rag)
        rag = f"{_label(now.rag)} ({way}), was {_label(before.rag)} on {when}"
    confidence = f"delivery confidence {now.confidence}"
    if now.confidence != before.confidence:
        confidence += f" ({moved(before.confidence, now.confidence)}), was {before.confidence}"
    return f"{rag}; {confidence}.", (*now.reasons, *part_changes(now, before))


def part_changes(now: RagSnapshot, before: RagSnapshot) -> list[str]:
    old = {p.item: p for p in before.items}
    new = {p.item: p for p in now.items}
    lines: list[str] = []
    for item, part in new.items():
        was = old.get(item)
        if was is None:
            lines.append(f"New: '{part.title}' {part.rag}. {part.reason}".rstrip())
        elif was.rag != part.rag:
            lines.append(f"Changed: '{part.title}' {was.rag} to {part.rag}. {part.reason}".rstrip())
    lines += [
        f"No longer counted (closed or removed): '{part.title}', was {part.rag}."
        for item, part in old.items()
        if item not in new
    ]
    return lines


def weekly_digests(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    policy: ReminderPolicy,
) -> list[Reminder]:
    """The digest due to the programme's A, described as a first digest; ``with_previous``
    rewrites it against the previous digest once the recipient's history is read."""
    if view.lifecycle == "closed" or digest_day(today, calendar, policy.digest_weekday) > today:
        return []
    snapshot = rag_snapshot(view, today, calendar, thresholds)
    summary, details = describe(snapshot, None, None)
    return [
        Reminder(
            kind="weekly_digest",
            programme_key=view.key,
            programme_name=view.name or view.key,
            item=f"programme:{view.key}",
            title=view.name or view.key,
            path=f"/programmes/{view.key}",
            recipient=sponsor,
            day=today,
            summary=summary,
            details=details,
            snapshot=snapshot,
        )
        for sponsor in members(view, "A")
    ]


__all__ = ["describe", "digest_day", "part_changes", "rag_snapshot", "same_week", "weekly_digests"]
