"""Milestones, stale RAID items and closure news: who is reminded of what; pure.

Rules (docs/reminders.md):

* A milestone's **due date** is the earlier of its baseline and forecast deadlines (a month,
  quarter or year date's deadline is the last working day of that period). Not achieved and
  due within ``milestone_window`` working days (today included): its programme's R members are
  reminded.
  Not achieved and past its due date: the R members and the A.
* An open RAID item whose latest update (or, with none, its raising) is ``stale_after_days``
  calendar days old or more: its owner is reminded.
* A closure report approved: each I member named at submission is told, once, within
  ``informed_window`` working days of the news reaching the tracker: the later of the approval's
  effective date and the day it was recorded (an approval entered late from the paper record
  is news when entered).
* Closed programmes accept no plan changes, so their milestones and RAID items are not chased.
"""

from __future__ import annotations

from datetime import date

from tracker.calendar import WorkingCalendar
from tracker.context import local_date
from tracker.events.reminders import ReminderKind
from tracker.events.values import DateValue
from tracker.projections.read_model.views import MilestoneView, ProgrammeView, RaidView
from tracker.projections.reports.raid_log import rate_raid
from tracker.projections.reports.signoff_status import signature_line
from tracker.rag import RagThresholds
from tracker.reminders.model import (
    Recipient,
    Reminder,
    ReminderPolicy,
    plural,
    recipient,
    short_day,
)


def shown(value: DateValue) -> str:
    """ "10 March 2021", "March 2021", "Q1 2021" or "2021"; "(assumed)" after an assumed one."""
    if value.precision != "day":
        return str(value)
    return short_day(value.date) + (" (assumed)" if value.assumed else "")


def members(view: ProgrammeView, *letters: str) -> list[Recipient]:
    """Roster members with these RACI letters, in the order given, then roster order."""
    return [
        recipient(m.email, m.name)
        for letter in letters
        for m in view.roster.values()
        if m.raci == letter
    ]


def _milestone(
    view: ProgrammeView,
    item: MilestoneView,
    today: date,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
) -> list[Reminder]:
    if item.actual is not None:
        return []
    baseline = calendar.deadline(item.baseline.date, item.baseline.precision)
    forecast = calendar.deadline(item.forecast.date, item.forecast.precision)
    # Late only against a date the source gives: an assumed date that has passed is not chased,
    # as it is never rated late (tracker.rag.milestone_rag); one still ahead is announced.
    late_baseline = today > baseline and not item.baseline.assumed
    late_forecast = today > forecast and not item.forecast.assumed
    kind: ReminderKind
    if late_baseline or late_forecast:
        kind, people = "milestone_overdue", members(view, "R", "A")
        if late_baseline:
            passed, value, what = baseline, item.baseline, "baseline"
            tail = f"; forecast {shown(item.forecast)}" if item.forecast != item.baseline else ""
        else:
            passed, value, what = forecast, item.forecast, "forecast"
            tail = f" (baseline {shown(item.baseline)})"
        ago = calendar.working_days_between(passed, today)
        late = f"{plural(ago, 'working day')} past" if ago else "past"
        summary = f"'{item.title}' is {late} its {what} ({shown(value)}) with no actual date{tail}."
    else:
        upcoming = [d for d in (baseline, forecast) if d >= today]
        if not upcoming:
            return []  # every passed date is assumed
        due = min(upcoming)
        ahead = calendar.working_days_between(today, due)
        if ahead > policy.milestone_window:
            return []
        kind, people = "milestone_due", members(view, "R")
        value = item.forecast if forecast == due else item.baseline
        deadline = f" (deadline {short_day(due)})" if value.precision != "day" else ""
        when = "today" if ahead == 0 else f"in {plural(ahead, 'working day')}"
        summary = f"'{item.title}' is due {shown(value)}{deadline}, {when}, and is not achieved."
    details = [
        f"{'Re-forecast' if c.kind == 'reforecast' else 'Re-baselined'} on {short_day(c.on)}"
        f" from {shown(c.previous)}: {c.reason}"
        for c in item.changes[-1:]
    ]
    if item.workstream:
        details.append(f"Workstream: {view.workstreams.get(item.workstream, item.workstream)}.")
    return [
        Reminder(
            kind=kind,
            programme_key=view.key,
            programme_name=view.name or view.key,
            item=f"milestone:{item.id}",
            title=item.title,
            path=f"/programmes/{view.key}/milestones/{item.id}",
            recipient=person,
            day=today,
            summary=summary,
            details=tuple(details),
        )
        for person in people
    ]


def milestone_reminders(
    view: ProgrammeView,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    policy: ReminderPolicy,
) -> list[Reminder]:
    if view.lifecycle == "closed":
        return []
    return [
        reminder
        for item in view.milestones.values()
        for reminder in _milestone(view, item, today, calendar, policy)
    ]


def _title(item: RaidView, limit: int = 80) -> str:
    text = item.description if len(item.description) <= limit else item.description[:limit] + "…"
    return f"{item.ref} {text}"


def stale_raid_reminders(
    view: ProgrammeView, today: date, thresholds: RagThresholds, policy: ReminderPolicy
) -> list[Reminder]:
    if view.lifecycle == "closed":
        return []
    found: list[Reminder] = []
    for item in view.raid.values():
        if not item.is_open:
            continue
        latest = max(item.updates, key=lambda u: u.on, default=None)
        last = max(item.raised_on, latest.on) if latest else item.raised_on
        age = (today - last).days
        if age < policy.stale_after_days:
            continue
        what = "last update" if latest else "raised"
        details = [f"Latest update: {latest.text}"] if latest else []
        details += [r for r in rate_raid(item, thresholds).reasons[:1] if not r.startswith("Green")]
        found.append(
            Reminder(
                kind="risk_stale",
                programme_key=view.key,
                programme_name=view.name or view.key,
                item=f"risk:{item.id}",
                title=_title(item),
                path=f"/programmes/{view.key}/raid/{item.id}",
                recipient=recipient(item.owner.email, item.owner.name),
                day=today,
                summary=(
                    f"{item.ref} '{item.description}' ({item.kind}) has had no update for "
                    f"{plural(age, 'day')}: {what} {short_day(last)}."
                ),
                details=tuple(details),
            )
        )
    return found


def closure_news(
    view: ProgrammeView, today: date, calendar: WorkingCalendar, policy: ReminderPolicy
) -> list[Reminder]:
    closure, approval = view.closure, view.closure.approval
    if closure.state != "approved" or approval is None:
        return []
    recorded = local_date(approval.recorded_at)
    # Recorded after ``today`` only when a pass rehearses a past day: the effective date rules.
    news_day = max(approval.on, recorded) if recorded <= today else approval.on
    if news_day > today or calendar.working_days_between(news_day, today) > policy.informed_window:
        return []
    name = view.name or view.key
    details: list[str] = []
    if closure.override_reason:
        missing = ", ".join(view.people.get(e, e) for e in closure.endorsements_missing_at_approval)
        details.append(f"Approved without every endorsement ({missing}): {closure.override_reason}")
    return [
        Reminder(
            kind="closure_approved",
            programme_key=view.key,
            programme_name=name,
            item=f"closure:{view.key}:{closure.revision}",
            title=f"Programme Closure Report: {name}",
            path=f"/programmes/{view.key}/closure",
            recipient=recipient(person.email, person.name or view.people.get(person.email, "")),
            day=today,
            summary=(
                f"The Programme Closure Report of '{name}' was approved on "
                f"{short_day(approval.on)} by {signature_line(view, approval).shown}."
            ),
            details=tuple(details),
        )
        for person in closure.informed
    ]


__all__ = ["closure_news", "members", "milestone_reminders", "shown", "stale_raid_reminders"]
