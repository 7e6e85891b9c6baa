"""Milestones: baseline, re-forecast, re-baseline, achieve. Pure.

- Dates are known to the day or only to the month, quarter or year, stored as the first day of
  that period and shown as "March 2014", "Q1 2013" or "2013" (``tracker.precision``). A date
  may be marked assumed (the source does not give it): it is shown "(assumed)" and never makes
  the milestone amber or red (``tracker.rag.milestone_rag``).
- The forecast starts at the baseline. A re-forecast moves the forecast, with a reason. A
  re-baseline moves the baseline (and the forecast with it), with a reason; the original
  baseline is kept in the state and in every re-baseline event.
- Achieving records an actual date, not after the day it is recorded as happening. Once
  achieved, re-forecasts and re-baselines are refused, naming the state; achieving again with
  the same date writes nothing.
- Dates out of sequence with other milestones are accepted (the seed has them); reports show
  them as data-quality findings.
- Baselining, re-forecasting and re-baselining are plan changes: refused on a closed programme.
  Achieving records a fact and is accepted.
"""

from __future__ import annotations

from typing import Final, assert_never
from uuid import UUID

import msgspec

from tracker.commands import (
    AchieveMilestone,
    BaselineMilestone,
    RebaselineMilestone,
    ReforecastMilestone,
)
from tracker.context import Context
from tracker.errors import InvalidInput, NotFound, RuleBroken
from tracker.events.milestones import (
    MilestoneAchieved,
    MilestoneBaselined,
    MilestoneRebaselined,
    MilestoneReforecast,
)
from tracker.events.programmes import MilestoneListed
from tracker.events.values import DateValue
from tracker.precision import PRECISIONS
from tracker.programmes import ProgrammeEvent, ProgrammeState, one_line, required_text

MilestoneEvent = MilestoneBaselined | MilestoneReforecast | MilestoneRebaselined | MilestoneAchieved
MILESTONE_EVENT_TYPES = (
    MilestoneBaselined,
    MilestoneReforecast,
    MilestoneRebaselined,
    MilestoneAchieved,
)


def milestone_stream(milestone_id: UUID) -> str:
    return f"milestone:{milestone_id}"


class MilestoneState(msgspec.Struct, frozen=True, kw_only=True):
    milestone_id: UUID | None = None
    programme_key: str = ""
    title: str = ""
    workstream: str | None = None
    original_baseline: DateValue | None = None
    baseline: DateValue | None = None
    forecast: DateValue | None = None
    actual: DateValue | None = None
    baselines: tuple[DateValue, ...] = ()
    """Every baseline in order, the original first."""

    @property
    def exists(self) -> bool:
        return self.milestone_id is not None


def evolve(state: MilestoneState, event: MilestoneEvent) -> MilestoneState:
    replace = msgspec.structs.replace
    match event:
        case MilestoneBaselined():
            return MilestoneState(
                milestone_id=event.milestone_id,
                programme_key=event.programme_key,
                title=event.title,
                workstream=event.workstream,
                original_baseline=event.baseline,
                baseline=event.baseline,
                forecast=event.baseline,
                baselines=(event.baseline,),
            )
        case MilestoneReforecast():
            return replace(state, forecast=event.forecast)
        case MilestoneRebaselined():
            return replace(
                state,
                baseline=event.baseline,
                forecast=event.baseline,
                baselines=(*state.baselines, event.baseline),
            )
        case MilestoneAchieved():
            return replace(state, actual=event.actual)
        case _:
            assert_never(event)


_FIRST: Final[dict[str, str]] = {
    "month": "the first of the month",
    "quarter": "the first day of the quarter",
    "year": "1 January",
}


def checked_date(value: DateValue, what: str) -> DateValue:
    """Month precision is stored as the first of the month, quarter precision as the first day
    of the calendar quarter (1 January, 1 April, 1 July, 1 October), year precision as
    1 January."""
    if value.precision not in PRECISIONS:
        raise InvalidInput(
            f"{what} precision {value.precision!r} must be one of {', '.join(PRECISIONS)}"
        )
    first = value.first_day
    if value.date != first:
        raise InvalidInput(
            f"{what} {value.date.isoformat()} has {value.precision} precision: give "
            f"{_FIRST[value.precision]} ({first.isoformat()})"
        )
    return value


class MilestoneCreation(msgspec.Struct, frozen=True, kw_only=True):
    programme_events: list[ProgrammeEvent]
    item_events: list[MilestoneEvent]


def _require(state: MilestoneState, milestone_id: UUID) -> None:
    if not state.exists:
        raise NotFound(f"milestone {milestone_id} does not exist", code="milestone_not_found")


def _require_not_achieved(state: MilestoneState, doing: str) -> None:
    if state.actual is not None:
        raise RuleBroken(
            "milestone_achieved",
            f"milestone {state.title!r} is achieved ({state.actual}): {doing} does not apply",
        )


def decide_baseline(
    programme: ProgrammeState,
    existing: MilestoneState,
    command: BaselineMilestone,
    context: Context,
    *,
    new_id: UUID,
) -> MilestoneCreation:
    programme.require_registered(command.programme_key)
    programme.require_open("baselining a milestone")
    if existing.exists:
        raise RuleBroken("already_exists", f"milestone {new_id} already exists")
    if command.workstream is not None and programme.workstream(command.workstream) is None:
        raise NotFound(
            f"workstream {command.workstream!r} is not in {programme.name!r}",
            code="workstream_not_found",
        )
    listed: list[ProgrammeEvent] = []
    # Already listed means an earlier attempt stopped between its two appends: finish it.
    if new_id not in programme.milestones:
        listed.append(MilestoneListed(programme_key=programme.key, milestone_id=new_id))
    baselined = MilestoneBaselined(
        milestone_id=new_id,
        programme_key=programme.key,
        title=one_line(command.title, "milestone title"),
        baseline=checked_date(command.baseline, "baseline"),
        workstream=command.workstream,
    )
    return MilestoneCreation(programme_events=listed, item_events=[baselined])


def decide_reforecast(
    programme: ProgrammeState,
    state: MilestoneState,
    command: ReforecastMilestone,
    context: Context,
) -> list[MilestoneEvent]:
    _require(state, command.milestone_id)
    programme.require_open("re-forecasting a milestone")
    _require_not_achieved(state, "re-forecasting")
    reason = required_text(command.reason, "the reason for re-forecasting")
    forecast = checked_date(command.forecast, "forecast")
    if state.forecast is None or forecast == state.forecast:
        return []
    return [
        MilestoneReforecast(
            milestone_id=command.milestone_id,
            programme_key=state.programme_key,
            forecast=forecast,
            previous_forecast=state.forecast,
            reason=reason,
        )
    ]


def decide_rebaseline(
    programme: ProgrammeState,
    state: MilestoneState,
    command: RebaselineMilestone,
    context: Context,
) -> list[MilestoneEvent]:
    _require(state, command.milestone_id)
    programme.require_open("re-baselining a milestone")
    _require_not_achieved(state, "re-baselining")
    reason = required_text(command.reason, "the reason for re-baselining")
    baseline = checked_date(command.baseline, "baseline")
    if state.baseline is None or baseline == state.baseline:
        return []
    return [
        MilestoneRebaselined(
            milestone_id=command.milestone_id,
            programme_key=state.programme_key,
            baseline=baseline,
            previous_baseline=state.baseline,
            reason=reason,
        )
    ]


def decide_achieve(
    programme: ProgrammeState,
    state: MilestoneState,
    command: AchieveMilestone,
    context: Context,
) -> list[MilestoneEvent]:
    _require(state, command.milestone_id)
    actual = checked_date(command.actual, "actual date")
    if state.actual is not None:
        if state.actual == actual:
            return []
        _require_not_achieved(state, f"achieving again on {actual}")
    if actual.date > context.on:
        raise RuleBroken(
            "actual_in_future",
            f"actual date {actual} is after the day this is recorded as happening "
            f"({context.on.isoformat()})",
        )
    return [
        MilestoneAchieved(
            milestone_id=command.milestone_id, programme_key=state.programme_key, actual=actual
        )
    ]
