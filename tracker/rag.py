"""RAG (red, amber, green) for deliverables, milestones and RAID items, always with reasons; pure.

Every function takes plain values (dates, strings, ints) so projections can call it, and returns
the colour together with the reasons a sponsor reads. The rules are written out in docs/rag.md;
delivery confidence (the five-point scale) is in ``tracker.confidence``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Protocol

import msgspec

from tracker.calendar import WorkingCalendar
from tracker.errors import InvalidInput
from tracker.precision import shown_date


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def severity(self) -> int:
        """0 green, 1 amber, 2 red: the worst of several is the one with the highest severity."""
        return _SEVERITY[self]

    @property
    def label(self) -> str:
        """As the reasons spell it: Green, Amber or Red."""
        return self.value.capitalize()

    @staticmethod
    def worst(rags: Iterable[Rag]) -> Rag:
        """The worst colour (red over amber over green); green when there is none."""
        return max(rags, key=_SEVERITY.__getitem__, default=Rag.GREEN)


_SEVERITY: dict[Rag, int] = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}

DELIVERABLE_STATES: tuple[str, ...] = ("planned", "submitted", "returned", "signed_off", "deferred")
RAID_KINDS: tuple[str, ...] = ("risk", "issue", "assumption", "dependency")
ISSUE_ASSUMED_LIKELIHOOD = 5
"""An issue has happened: with no likelihood recorded it scores as certain (5)."""
CRITICAL_IMPACT = 5


class RagThresholds(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's RAG thresholds; the defaults are the domain's."""

    deliverable_amber_window: int = 10
    """Working days before the due date within which an unsigned deliverable is amber."""
    milestone_slippage_tolerance: int = 20
    """Working days a milestone may slip past its baseline and still be amber, not red."""
    risk_amber_score: int = 8
    risk_red_score: int = 15

    def __post_init__(self) -> None:
        if self.deliverable_amber_window < 0 or self.milestone_slippage_tolerance < 0:
            raise InvalidInput("RAG windows and tolerances are working days: 0 or more")
        if not 1 <= self.risk_amber_score <= self.risk_red_score <= 25:
            raise InvalidInput(
                "risk scores need 1 <= amber <= red <= 25, got "
                f"amber {self.risk_amber_score}, red {self.risk_red_score}"
            )


class RagResult(msgspec.Struct, frozen=True):
    """A colour and why. The first reason is the one that set the colour."""

    rag: Rag
    reasons: tuple[str, ...]


class MilestoneRagResult(msgspec.Struct, frozen=True):
    """A milestone's colour, why, and its slippage past baseline in working days (negative:
    ahead of baseline)."""

    rag: Rag
    reasons: tuple[str, ...]
    slippage: int


class Rated(Protocol):
    """Anything with a colour and reasons: RagResult, MilestoneRagResult."""

    @property
    def rag(self) -> Rag: ...

    @property
    def reasons(self) -> tuple[str, ...]: ...


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def _result(findings: list[tuple[Rag, str]]) -> RagResult:
    """Worst finding first; a non-green result lists only its non-green findings."""
    rag = Rag.worst(colour for colour, _ in findings)
    ordered = sorted(findings, key=lambda finding: -finding[0].severity)
    return RagResult(
        rag, tuple(text for colour, text in ordered if colour is rag or colour is not Rag.GREEN)
    )


def deliverable_rag(
    title: str,
    state: str,
    due: date | None,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    due_assumed: bool = False,
) -> RagResult:
    """Green when signed off or due beyond the amber window; amber when due within the window
    (today up to ``deliverable_amber_window`` working days ahead) and not signed off, when
    returned, or when deferred; red when past due (today is after the due date) and neither
    signed off nor deferred. A live deliverable with no due date is amber.

    An assumed due date (``due_assumed``: a placeholder the source does not give) is not rated:
    it gives neither amber nor red, and the reason says so (green, unless returned)."""
    if state not in DELIVERABLE_STATES:
        raise InvalidInput(
            f"deliverable state {state!r} must be one of {', '.join(DELIVERABLE_STATES)}"
        )
    name = f"'{title}'"
    if state == "signed_off":
        return RagResult(Rag.GREEN, (f"Green: {name} signed off",))
    if state == "deferred":
        return RagResult(Rag.AMBER, (f"Amber: {name} deferred (carried forward)",))
    findings: list[tuple[Rag, str]] = []
    if state == "returned":
        findings.append((Rag.AMBER, f"Amber: {name} returned, awaiting resubmission"))
    window = thresholds.deliverable_amber_window
    if due is not None and due_assumed:
        findings.append(
            (
                Rag.GREEN,
                f"Green: {name} due date {due.isoformat()} is assumed (the source gives none), "
                "not rated",
            )
        )
    elif due is None:
        findings.append((Rag.AMBER, f"Amber: {name} has no due date, not signed off"))
    elif today > due:
        late = calendar.working_days_between(due, today)
        since = f"{_days(late)} past due" if late else f"past due since {due.isoformat()}"
        findings.append((Rag.RED, f"Red: {name} {since}, not signed off"))
    else:
        ahead = calendar.working_days_between(today, due)
        if ahead <= window:
            when = "due today" if due == today else f"due in {_days(ahead)} ({due.isoformat()})"
            findings.append(
                (Rag.AMBER, f"Amber: {name} {when}, within the {window}-day window, not signed off")
            )
        else:
            findings.append(
                (
                    Rag.GREEN,
                    f"Green: {name} due in {_days(ahead)} ({due.isoformat()}), "
                    f"beyond the {window}-day window",
                )
            )
    return _result(findings)


def milestone_rag(
    title: str,
    baseline: date,
    baseline_precision: str,
    forecast: date | None,
    forecast_precision: str,
    actual: date | None,
    today: date,
    calendar: WorkingCalendar,
    thresholds: RagThresholds,
    *,
    actual_precision: str = "day",
    baseline_assumed: bool = False,
    forecast_assumed: bool = False,
    actual_assumed: bool = False,
) -> MilestoneRagResult:
    """Slippage is working days from the baseline deadline to the actual date (achieved), else
    to the forecast (or to today, if later, once the baseline has passed). A month-, quarter-
    or year-precision date's deadline is the last working day of its period. Slippage <= 0 is
    green, up to the tolerance amber, beyond it red; that holds for achieved milestones too. An
    open milestone whose baseline has passed is red, whatever its forecast.

    An assumed date (one the source does not give) never makes a milestone amber or red:

    * achieved, with an assumed baseline or actual date: green, not rated, slippage 0;
    * open, with an assumed baseline and a forecast that is not assumed (a re-forecast the
      source gives): the forecast stands in for the baseline. It is green until its deadline
      and red once that has passed with no actual date; slippage is counted from it;
    * open, with an assumed baseline and no forecast, or an assumed one: green, not rated,
      slippage 0;
    * open, with a baseline that is not assumed and an assumed forecast: the forecast is not
      rated (no amber or red from it, slippage 0 from it); the baseline passing is still red.
    """
    name = f"'{title}'"
    base_shown = shown_date(baseline, baseline_precision)
    if actual is not None and baseline_assumed:
        achieved = shown_date(actual, actual_precision, assumed=actual_assumed)
        return MilestoneRagResult(
            Rag.GREEN,
            (f"Green: {name} achieved {achieved}, against an assumed baseline: not rated",),
            0,
        )
    if actual is not None and actual_assumed:
        achieved = shown_date(actual, actual_precision)
        return MilestoneRagResult(
            Rag.GREEN,
            (
                f"Green: {name} achieved, not rated: its date, {achieved}, is assumed "
                "(not in the source)",
            ),
            0,
        )
    note = ""
    if baseline_assumed and actual is None:
        if forecast is None or forecast_assumed:
            if forecast is None or (forecast, forecast_precision) == (baseline, baseline_precision):
                dates = f"its date, {base_shown}, is"
            else:
                dates = (
                    f"its baseline, {base_shown}, and forecast, "
                    f"{shown_date(forecast, forecast_precision)}, are"
                )
            return MilestoneRagResult(
                Rag.GREEN, (f"Green: {name} not rated: {dates} assumed (not in the source)",), 0
            )
        # The forecast is the one date the source gives: judge the milestone against it.
        against = f"forecast {shown_date(forecast, forecast_precision)}"
        due = calendar.deadline(forecast, forecast_precision)
        forecast = None
        note = f" (baseline {base_shown} assumed)"
    else:
        against = f"baseline {base_shown}"
        due = calendar.deadline(baseline, baseline_precision)
    tolerance = thresholds.milestone_slippage_tolerance

    def graded(slip: int, what: str) -> tuple[Rag, str]:
        if slip <= 0:
            lead = f"{_days(-slip)} ahead of" if slip else "on"
            return Rag.GREEN, f"Green: {name} {what} {lead} {against}"
        rag = Rag.AMBER if slip <= tolerance else Rag.RED
        side = "within" if rag is Rag.AMBER else "beyond"
        return rag, (
            f"{rag.label}: {name} {what} {_days(slip)} after {against}, "
            f"{side} the {tolerance}-day tolerance"
        )

    if actual is not None:
        slip = calendar.working_days_between(due, calendar.deadline(actual, actual_precision))
        rag, text = graded(slip, f"achieved {shown_date(actual, actual_precision)},")
        return MilestoneRagResult(rag, (text,), slip)

    if forecast is None:
        forecast_slip = 0
        unforecast = note or ", no re-forecast"
        projected: tuple[Rag, str] = (Rag.GREEN, f"Green: {name} on {against}{unforecast}")
    elif forecast_assumed:
        forecast_slip = 0
        assumed = shown_date(forecast, forecast_precision, assumed=True)
        projected = (Rag.GREEN, f"Green: {name} on {against}; forecast {assumed} not rated")
    else:
        forecast_slip = calendar.working_days_between(
            due, calendar.deadline(forecast, forecast_precision)
        )
        projected = graded(forecast_slip, f"forecast {shown_date(forecast, forecast_precision)},")
    if today > due:
        overdue = calendar.working_days_between(due, today)
        slip = max(forecast_slip, overdue)
        ago = f" {_days(overdue)} ago" if overdue else ""
        passed = f"Red: {name} {against} passed{ago}, not achieved{note}"
        reasons = [passed]
        if projected[0] is not Rag.GREEN:
            reasons.append(projected[1])
        return MilestoneRagResult(Rag.RED, tuple(reasons), slip)
    return MilestoneRagResult(projected[0], (projected[1],), forecast_slip)


def risk_rag(
    ref: str,
    kind: str,
    likelihood: int | None,
    impact: int,
    is_open: bool,
    thresholds: RagThresholds,
) -> RagResult:
    """Closed items are green. Open items score likelihood x impact (an issue with no
    likelihood scores likelihood 5: it has happened): amber at ``risk_amber_score`` or more, red
    at ``risk_red_score`` or more; an open issue of critical impact (5) is red whatever its
    score. An open risk, assumption or dependency with no likelihood cannot be scored: amber."""
    if kind not in RAID_KINDS:
        raise InvalidInput(f"RAID kind {kind!r} must be one of {', '.join(RAID_KINDS)}")
    for label, value in (("impact", impact), ("likelihood", likelihood)):
        if value is not None and not 1 <= value <= 5:
            raise InvalidInput(f"{ref}: {label} {value} must be from 1 to 5")
    if not is_open:
        return RagResult(Rag.GREEN, (f"Green: {ref} closed",))
    findings: list[tuple[Rag, str]] = []
    if kind == "issue" and impact == CRITICAL_IMPACT:
        findings.append((Rag.RED, f"Red: {ref} open issue of critical impact ({impact})"))
    if likelihood is None and kind != "issue":
        findings.append(
            (Rag.AMBER, f"Amber: {ref} open {kind} with no likelihood, cannot be scored")
        )
        return _result(findings)
    used = likelihood if likelihood is not None else ISSUE_ASSUMED_LIKELIHOOD
    assumed = " assumed for an issue" if likelihood is None else ""
    score = used * impact
    sums = f"score {score} (likelihood {used}{assumed} x impact {impact})"
    if score >= thresholds.risk_red_score:
        findings.append((Rag.RED, f"Red: {ref} {sums}, at or above {thresholds.risk_red_score}"))
    elif score >= thresholds.risk_amber_score:
        findings.append(
            (Rag.AMBER, f"Amber: {ref} {sums}, at or above {thresholds.risk_amber_score}")
        )
    else:
        findings.append((Rag.GREEN, f"Green: {ref} {sums}, below {thresholds.risk_amber_score}"))
    return _result(findings)


def worst_of(parts: Iterable[Rated], *, label: str = "", max_reasons: int = 5) -> RagResult:
    """The worst colour of the parts. Reasons: a count line, then the first reason of each part
    of that colour, in the given order, at most ``max_reasons`` of them, then "and N more"."""
    items = list(parts)
    subject = f"{label}: " if label else ""
    if not items:
        return RagResult(Rag.GREEN, (f"Green: {subject}nothing to assess",))
    rag = Rag.worst(part.rag for part in items)
    deciding = [part for part in items if part.rag is rag]
    reasons = [f"{rag.label}: {subject}{len(deciding)} of {len(items)} parts {rag.value}"]
    reasons.extend(part.reasons[0] for part in deciding[:max_reasons] if part.reasons)
    if len(deciding) > max_reasons:
        reasons.append(f"and {len(deciding) - max_reasons} more")
    return RagResult(rag, tuple(reasons))


__all__ = [
    "CRITICAL_IMPACT",
    "DELIVERABLE_STATES",
    "ISSUE_ASSUMED_LIKELIHOOD",
    "RAID_KINDS",
    "MilestoneRagResult",
    "Rag",
    "RagResult",
    "RagThresholds",
    "Rated",
    "deliverable_rag",
    "milestone_rag",
    "risk_rag",
    "worst_of",
]
