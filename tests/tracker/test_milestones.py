"""Milestones: baselines to the day or the month, re-forecasts, re-baselines, achievement. Pure."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.builders import KEY, btls, ctx, day, kinds
from tracker.commands import (
    AchieveMilestone,
    BaselineMilestone,
    RebaselineMilestone,
    ReforecastMilestone,
)
from tracker.errors import InvalidInput, RuleBroken
from tracker.events.closure import ProgrammeClosed
from tracker.events.milestones import MilestoneRebaselined
from tracker.events.values import DateValue
from tracker.milestones import (
    MilestoneState,
    decide_achieve,
    decide_baseline,
    decide_rebaseline,
    decide_reforecast,
    evolve,
)

MILESTONE_ID = uuid4()
CLOSED = ProgrammeClosed(programme_key=KEY, closed_on=day("2021-04-20"))


def month(text: str) -> DateValue:
    return DateValue(date=day(text + "-01"), precision="month")


def on(text: str) -> DateValue:
    return DateValue(date=day(text))


def baselined(baseline: DateValue | None = None) -> MilestoneState:
    baseline = baseline or month("2014-03")
    command = BaselineMilestone(programme_key=KEY, title="Go live", baseline=baseline)
    creation = decide_baseline(btls(), MilestoneState(), command, ctx(), new_id=MILESTONE_ID)
    state = MilestoneState()
    for event in creation.item_events:
        state = evolve(state, event)
    return state


def apply(state: MilestoneState, events: list) -> MilestoneState:  # type: ignore[type-arg]
    for event in events:
        state = evolve(state, event)
    return state


def test_a_month_precision_baseline_keeps_its_precision_and_shows_the_month() -> None:
    state = baselined(month("2014-03"))
    assert state.baseline == month("2014-03") and state.forecast == state.baseline
    assert str(state.baseline) == "March 2014"
    assert state.baseline is not None and state.baseline.last_day == day("2014-03-31")


def test_a_month_precision_date_must_be_the_first_of_the_month() -> None:
    with pytest.raises(InvalidInput, match="first of the month"):
        baselined(DateValue(date=day("2014-03-15"), precision="month"))


def test_quarter_and_year_baselines_keep_their_precision_and_show_it() -> None:
    quarter = baselined(DateValue(date=day("2013-04-01"), precision="quarter")).baseline
    assert str(quarter) == "Q2 2013"
    assert quarter is not None and quarter.last_day == day("2013-06-30")
    year = baselined(DateValue(date=day("2013-01-01"), precision="year")).baseline
    assert str(year) == "2013" and year is not None and year.last_day == day("2013-12-31")


def test_a_quarter_must_be_on_its_first_day_and_a_year_on_1_january() -> None:
    with pytest.raises(InvalidInput, match=r"baseline 2013-05-01 has quarter precision: give "
                       r"the first day of the quarter \(2013-04-01\)"):  # fmt: skip
        baselined(DateValue(date=day("2013-05-01"), precision="quarter"))
    with pytest.raises(InvalidInput, match=r"give 1 January \(2013-01-01\)"):
        baselined(DateValue(date=day("2013-12-01"), precision="year"))


def test_an_assumed_baseline_stays_assumed_and_is_shown_so() -> None:
    state = baselined(DateValue(date=day("2013-03-01"), precision="month", assumed=True))
    assert state.baseline is not None and state.baseline.assumed
    assert state.forecast == state.baseline and str(state.baseline) == "March 2013 (assumed)"


def test_baselining_lists_the_milestone_in_its_programme() -> None:
    command = BaselineMilestone(
        programme_key=KEY, title="Cycle 3 testing", baseline=month("2013-11")
    )
    creation = decide_baseline(btls(), MilestoneState(), command, ctx(), new_id=uuid4())
    assert kinds(creation.programme_events) == ["MilestoneListed"]


def test_a_re_forecast_moves_the_forecast_and_keeps_the_baseline() -> None:
    command = ReforecastMilestone(
        milestone_id=MILESTONE_ID, forecast=month("2014-05"), reason="Supplier late"
    )
    state = apply(baselined(), decide_reforecast(btls(), baselined(), command, ctx()))
    assert (state.baseline, state.forecast) == (month("2014-03"), month("2014-05"))


def test_a_re_forecast_needs_a_reason() -> None:
    command = ReforecastMilestone(milestone_id=MILESTONE_ID, forecast=month("2014-05"), reason="")
    with pytest.raises(InvalidInput, match="reason"):
        decide_reforecast(btls(), baselined(), command, ctx())


def test_a_re_baseline_keeps_the_original_baseline() -> None:
    state = baselined()
    for target in ("2014-06", "2014-09"):
        command = RebaselineMilestone(
            milestone_id=MILESTONE_ID, baseline=month(target), reason="Board agreed"
        )
        [event] = decide_rebaseline(btls(), state, command, ctx())
        assert isinstance(event, MilestoneRebaselined)
        state = evolve(state, event)
    assert state.original_baseline == month("2014-03")
    assert state.baselines == (month("2014-03"), month("2014-06"), month("2014-09"))
    assert state.baseline == state.forecast == month("2014-09")


def test_a_re_baseline_to_the_same_date_writes_nothing() -> None:
    command = RebaselineMilestone(milestone_id=MILESTONE_ID, baseline=month("2014-03"), reason="x")
    assert decide_rebaseline(btls(), baselined(), command, ctx()) == []


def test_achieving_records_the_actual_date() -> None:
    command = AchieveMilestone(milestone_id=MILESTONE_ID, actual=on("2014-03-20"))
    state = apply(baselined(), decide_achieve(btls(), baselined(), command, ctx("2014-03-21")))
    assert state.actual == on("2014-03-20")


def test_an_actual_date_after_the_day_it_is_recorded_is_refused() -> None:
    command = AchieveMilestone(milestone_id=MILESTONE_ID, actual=on("2014-03-22"))
    with pytest.raises(RuleBroken) as refused:
        decide_achieve(btls(), baselined(), command, ctx("2014-03-21"))
    assert refused.value.code == "actual_in_future"


def test_an_achieved_milestone_refuses_re_forecasts_naming_the_state() -> None:
    achieve = AchieveMilestone(milestone_id=MILESTONE_ID, actual=on("2014-03-20"))
    state = apply(baselined(), decide_achieve(btls(), baselined(), achieve, ctx("2014-04-01")))
    assert decide_achieve(btls(), state, achieve, ctx("2014-04-02")) == []
    reforecast = ReforecastMilestone(
        milestone_id=MILESTONE_ID, forecast=month("2014-05"), reason="x"
    )
    with pytest.raises(RuleBroken) as refused:
        decide_reforecast(btls(), state, reforecast, ctx())
    assert refused.value.code == "milestone_achieved"
    assert "is achieved (2014-03-20)" in refused.value.message


def test_milestone_plan_changes_on_a_closed_programme_are_refused_but_achievement_is_recorded() -> (
    None
):
    closed = btls(CLOSED)
    reforecast = ReforecastMilestone(
        milestone_id=MILESTONE_ID, forecast=month("2014-05"), reason="x"
    )
    with pytest.raises(RuleBroken, match="is closed"):
        decide_reforecast(closed, baselined(), reforecast, ctx())
    achieve = AchieveMilestone(milestone_id=MILESTONE_ID, actual=on("2014-03-20"))
    assert kinds(decide_achieve(closed, baselined(), achieve, ctx())) == ["MilestoneAchieved"]
