"""RAG rules and delivery confidence. Expected dates and counts are worked out by hand in the
comments; the calendar is England and Wales."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.calendar import WorkingCalendar
from tracker.confidence import DeliveryConfidence, delivery_confidence
from tracker.errors import InvalidInput
from tracker.rag import (
    MilestoneRagResult,
    Rag,
    RagResult,
    RagThresholds,
    deliverable_rag,
    milestone_rag,
    risk_rag,
    worst_of,
)

CAL = WorkingCalendar()
DEFAULTS = RagThresholds()
MONDAY = date(2021, 3, 1)


def deliverable(
    state: str, due: date | None, today: date = MONDAY, thresholds: RagThresholds = DEFAULTS
) -> RagResult:
    return deliverable_rag("DR plan", state, due, today, CAL, thresholds)


# Rag and thresholds


def test_rag_values_are_lower_case_strings() -> None:
    assert [r.value for r in Rag] == ["green", "amber", "red"]
    assert Rag("red") is Rag.RED


def test_worst_of_colours_is_red_over_amber_over_green() -> None:
    assert Rag.worst([Rag.GREEN, Rag.RED, Rag.AMBER]) is Rag.RED
    assert Rag.worst([Rag.GREEN, Rag.AMBER]) is Rag.AMBER
    assert Rag.worst([]) is Rag.GREEN
    assert Rag.GREEN.severity < Rag.AMBER.severity < Rag.RED.severity


def test_default_thresholds_are_the_domain_defaults() -> None:
    assert DEFAULTS == RagThresholds(
        deliverable_amber_window=10,
        milestone_slippage_tolerance=20,
        risk_amber_score=8,
        risk_red_score=15,
    )


def test_thresholds_refuse_amber_above_red_and_negative_windows() -> None:
    with pytest.raises(InvalidInput):
        RagThresholds(risk_amber_score=16, risk_red_score=15)
    with pytest.raises(InvalidInput):
        RagThresholds(deliverable_amber_window=-1)
    with pytest.raises(InvalidInput):
        RagThresholds(risk_red_score=26)


# Deliverables (today Monday 2021-03-01; no bank holidays until Good Friday 2 April)


def test_signed_off_deliverable_is_green_even_past_due() -> None:
    result = deliverable("signed_off", date(2021, 1, 4))
    assert result == RagResult(Rag.GREEN, ("Green: 'DR plan' signed off",))


def test_deliverable_due_beyond_the_window_is_green() -> None:
    # 2021-03-16 is 11 working days after Monday 1 March.
    result = deliverable("planned", date(2021, 3, 16))
    assert result.rag is Rag.GREEN
    assert result.reasons == (
        "Green: 'DR plan' due in 11 working days (2021-03-16), beyond the 10-day window",
    )


def test_deliverable_due_exactly_at_the_window_edge_is_amber() -> None:
    # 2021-03-15 is exactly 10 working days after Monday 1 March.
    result = deliverable("planned", date(2021, 3, 15))
    assert result.rag is Rag.AMBER
    assert result.reasons == (
        "Amber: 'DR plan' due in 10 working days (2021-03-15), within the 10-day window, "
        "not signed off",
    )


def test_submitted_deliverable_due_within_the_window_is_amber() -> None:
    assert deliverable("submitted", date(2021, 3, 2)).rag is Rag.AMBER


def test_deliverable_due_today_is_amber_not_red() -> None:
    result = deliverable("planned", MONDAY)
    assert result.rag is Rag.AMBER
    assert result.reasons[0].startswith("Amber: 'DR plan' due today")


def test_deliverable_one_working_day_past_due_is_red() -> None:
    result = deliverable("planned", date(2021, 2, 26))  # the Friday before
    assert result.reasons == ("Red: 'DR plan' 1 working day past due, not signed off",)


def test_deliverable_twelve_working_days_past_due_is_red_with_the_count() -> None:
    # From Monday 1 March to Wednesday 17 March is 12 working days.
    result = deliverable("submitted", MONDAY, today=date(2021, 3, 17))
    assert result == RagResult(
        Rag.RED, ("Red: 'DR plan' 12 working days past due, not signed off",)
    )


def test_past_due_count_skips_easter() -> None:
    # Due Thursday 1 April 2021; Good Friday and Easter Monday are not counted.
    result = deliverable("planned", date(2021, 4, 1), today=date(2021, 4, 6))
    assert result.reasons == ("Red: 'DR plan' 1 working day past due, not signed off",)


def test_deliverable_due_saturday_is_past_due_on_sunday_with_no_working_day_since() -> None:
    result = deliverable("planned", date(2021, 3, 6), today=date(2021, 3, 7))
    assert result.reasons == ("Red: 'DR plan' past due since 2021-03-06, not signed off",)


def test_deferred_deliverable_is_amber_even_past_due() -> None:
    result = deliverable("deferred", date(2021, 1, 4))
    assert result == RagResult(Rag.AMBER, ("Amber: 'DR plan' deferred (carried forward)",))


def test_returned_deliverable_is_amber_even_beyond_the_window() -> None:
    result = deliverable("returned", date(2021, 6, 1))
    assert result == RagResult(Rag.AMBER, ("Amber: 'DR plan' returned, awaiting resubmission",))


def test_returned_deliverable_past_due_is_red_and_still_says_returned() -> None:
    result = deliverable("returned", date(2021, 2, 26))
    assert result.rag is Rag.RED
    assert result.reasons == (
        "Red: 'DR plan' 1 working day past due, not signed off",
        "Amber: 'DR plan' returned, awaiting resubmission",
    )


def test_deliverable_with_no_due_date_is_amber() -> None:
    assert deliverable("planned", None).rag is Rag.AMBER


def test_programme_window_threshold_is_used() -> None:
    tight = RagThresholds(deliverable_amber_window=0)
    assert deliverable("planned", date(2021, 3, 2), thresholds=tight).rag is Rag.GREEN
    assert deliverable("planned", MONDAY, thresholds=tight).rag is Rag.AMBER


def test_unknown_deliverable_state_is_refused() -> None:
    with pytest.raises(InvalidInput):
        deliverable("approved", MONDAY)


# Milestones (baseline Wednesday 30 June 2021; no bank holidays in July 2021)

BASELINE = date(2021, 6, 30)
EARLY = date(2021, 3, 1)


def milestone(
    forecast: date | None = None,
    actual: date | None = None,
    today: date = EARLY,
    baseline: date = BASELINE,
    precision: str = "day",
    forecast_precision: str = "day",
) -> MilestoneRagResult:
    return milestone_rag(
        "Go live", baseline, precision, forecast, forecast_precision, actual, today, CAL, DEFAULTS
    )


def test_milestone_with_no_reforecast_before_its_baseline_is_green() -> None:
    result = milestone()
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)
    assert result.reasons == ("Green: 'Go live' on baseline 2021-06-30, no re-forecast",)


def test_milestone_forecast_on_its_baseline_is_green() -> None:
    result = milestone(forecast=BASELINE)
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)


def test_milestone_forecast_before_its_baseline_is_green_with_negative_slippage() -> None:
    result = milestone(forecast=date(2021, 6, 29))
    assert (result.rag, result.slippage) == (Rag.GREEN, -1)
    assert result.reasons == (
        "Green: 'Go live' forecast 2021-06-29, 1 working day ahead of baseline 2021-06-30",
    )


def test_milestone_forecast_one_working_day_late_is_amber() -> None:
    result = milestone(forecast=date(2021, 7, 1))
    assert (result.rag, result.slippage) == (Rag.AMBER, 1)


def test_milestone_forecast_exactly_at_tolerance_is_amber() -> None:
    # 1-2 July (2), 5-9 (7), 12-16 (12), 19-23 (17), 26-28 (20): Wednesday 28 July.
    result = milestone(forecast=date(2021, 7, 28))
    assert (result.rag, result.slippage) == (Rag.AMBER, 20)
    assert result.reasons == (
        "Amber: 'Go live' forecast 2021-07-28, 20 working days after baseline 2021-06-30, "
        "within the 20-day tolerance",
    )


def test_milestone_forecast_one_day_beyond_tolerance_is_red() -> None:
    result = milestone(forecast=date(2021, 7, 29))
    assert (result.rag, result.slippage) == (Rag.RED, 21)
    assert result.reasons[0].startswith("Red: 'Go live' forecast 2021-07-29, 21 working days")


def test_milestone_baseline_passed_with_no_actual_is_red_even_if_forecast_on_time() -> None:
    # Today Friday 2 July: 1 and 2 July are 2 working days after the baseline.
    result = milestone(forecast=BASELINE, today=date(2021, 7, 2))
    assert (result.rag, result.slippage) == (Rag.RED, 2)
    assert result.reasons == (
        "Red: 'Go live' baseline 2021-06-30 passed 2 working days ago, not achieved",
    )


def test_milestone_passed_baseline_reports_the_larger_forecast_slippage() -> None:
    result = milestone(forecast=date(2021, 7, 28), today=date(2021, 7, 2))
    assert (result.rag, result.slippage) == (Rag.RED, 20)
    assert len(result.reasons) == 2
    assert result.reasons[1].startswith("Amber: 'Go live' forecast 2021-07-28")


def test_milestone_on_its_baseline_day_has_not_passed_it() -> None:
    assert milestone(today=BASELINE).rag is Rag.GREEN


def test_milestone_achieved_on_its_baseline_is_green() -> None:
    result = milestone(actual=BASELINE, today=date(2021, 9, 1))
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)
    assert result.reasons == ("Green: 'Go live' achieved 2021-06-30, on baseline 2021-06-30",)


def test_milestone_achieved_early_is_green_whatever_the_forecast() -> None:
    result = milestone(forecast=date(2021, 8, 31), actual=date(2021, 6, 1), today=date(2022, 1, 4))
    assert result.rag is Rag.GREEN


def test_milestone_achieved_late_within_tolerance_is_amber() -> None:
    result = milestone(actual=date(2021, 7, 28), today=date(2021, 9, 1))
    assert (result.rag, result.slippage) == (Rag.AMBER, 20)


def test_milestone_achieved_late_beyond_tolerance_is_red() -> None:
    result = milestone(actual=date(2021, 7, 29), today=date(2021, 9, 1))
    assert (result.rag, result.slippage) == (Rag.RED, 21)


def test_month_precision_baseline_deadline_is_the_last_working_day_of_the_month() -> None:
    # March 2014 ends on Monday 31 March; on that day the baseline has not passed.
    march = date(2014, 3, 1)
    assert milestone(baseline=march, precision="month", today=date(2014, 3, 31)).rag is Rag.GREEN
    late = milestone(baseline=march, precision="month", today=date(2014, 4, 1))
    assert late.rag is Rag.RED
    assert late.reasons == (
        "Red: 'Go live' baseline March 2014 passed 1 working day ago, not achieved",
    )


def test_month_forecast_in_the_baseline_month_is_green() -> None:
    result = milestone(
        forecast=date(2014, 3, 1),
        baseline=date(2014, 3, 1),
        precision="month",
        forecast_precision="month",
        today=date(2014, 1, 6),
    )
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)


def test_month_forecast_one_month_late_over_easter_is_exactly_at_tolerance() -> None:
    # 31 Mar 2014 to 30 Apr 2014: 22 weekdays less Good Friday and Easter Monday = 20.
    result = milestone(
        forecast=date(2014, 4, 1),
        baseline=date(2014, 3, 1),
        precision="month",
        forecast_precision="month",
        today=date(2014, 1, 6),
    )
    assert (result.rag, result.slippage) == (Rag.AMBER, 20)
    assert result.reasons == (
        "Amber: 'Go live' forecast April 2014, 20 working days after baseline March 2014, "
        "within the 20-day tolerance",
    )


def test_month_forecast_two_months_late_is_red() -> None:
    # To Friday 30 May 2014: May has 22 weekdays less 5 and 26 May = 20 more, 40 in all.
    result = milestone(
        forecast=date(2014, 5, 1),
        baseline=date(2014, 3, 1),
        precision="month",
        forecast_precision="month",
        today=date(2014, 1, 6),
    )
    assert (result.rag, result.slippage) == (Rag.RED, 40)


def test_day_forecast_inside_a_month_baseline_is_ahead_of_its_deadline() -> None:
    # After Sat 15 Mar up to Mon 31 Mar 2014: 17-21, 24-28, 31 = 11 working days.
    result = milestone(
        forecast=date(2014, 3, 15),
        baseline=date(2014, 3, 1),
        precision="month",
        today=date(2014, 1, 6),
    )
    assert (result.rag, result.slippage) == (Rag.GREEN, -11)


def test_milestone_to_the_quarter_is_due_on_its_last_working_day() -> None:
    on_time = milestone(baseline=date(2013, 4, 1), precision="quarter", today=date(2013, 6, 28))
    assert on_time.rag is Rag.GREEN
    assert on_time.reasons == ("Green: 'Go live' on baseline Q2 2013, no re-forecast",)
    passed = milestone(baseline=date(2013, 4, 1), precision="quarter", today=date(2013, 7, 1))
    assert (passed.rag, passed.slippage) == (Rag.RED, 1)
    assert passed.reasons == (
        "Red: 'Go live' baseline Q2 2013 passed 1 working day ago, not achieved",
    )


def test_milestone_to_the_year_is_due_on_its_last_working_day() -> None:
    result = milestone(
        baseline=date(2013, 1, 1),
        precision="year",
        forecast=date(2014, 1, 1),
        forecast_precision="year",
        today=date(2013, 12, 31),
    )
    # 2013-12-31 to 2014-12-31: the 253 working days of 2014, beyond the 20-day tolerance.
    assert (result.rag, result.slippage) == (Rag.RED, 253)
    assert result.reasons == (
        "Red: 'Go live' forecast 2014, 253 working days after baseline 2013, beyond the 20-day "
        "tolerance",
    )


def assumed_milestone(
    *,
    forecast: date = date(2013, 3, 1),
    forecast_assumed: bool = True,
    actual: date | None = None,
    today: date = date(2021, 6, 1),
) -> MilestoneRagResult:
    """'Go live' baselined March 2013, assumed, judged in June 2021 unless told otherwise."""
    return milestone_rag(
        "Go live", date(2013, 3, 1), "month", forecast, "month", actual, today, CAL, DEFAULTS,
        baseline_assumed=True, forecast_assumed=forecast_assumed,
    )  # fmt: skip


def test_an_assumed_baseline_long_passed_is_green_not_rated() -> None:
    result = assumed_milestone()
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)
    assert result.reasons == (
        "Green: 'Go live' not rated: its date, March 2013, is assumed (not in the source)",
    )


def test_an_assumed_baseline_and_a_different_assumed_forecast_are_both_named() -> None:
    result = assumed_milestone(forecast=date(2013, 6, 1))
    assert result.rag is Rag.GREEN
    assert result.reasons == (
        "Green: 'Go live' not rated: its baseline, March 2013, and forecast, June 2013, are "
        "assumed (not in the source)",
    )


def test_an_achieved_milestone_against_an_assumed_baseline_is_green_not_rated() -> None:
    result = assumed_milestone(actual=date(2014, 9, 1))
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)
    assert result.reasons == (
        "Green: 'Go live' achieved 2014-09-01, against an assumed baseline: not rated",
    )


def test_an_assumed_actual_date_is_not_rated() -> None:
    result = milestone(actual=date(2021, 12, 1))
    assert result.rag is Rag.RED
    result = milestone_rag(
        "Go live", BASELINE, "day", None, "day", date(2021, 12, 1), EARLY, CAL, DEFAULTS,
        actual_assumed=True,
    )  # fmt: skip
    assert (result.rag, result.slippage) == (Rag.GREEN, 0)
    assert result.reasons == (
        "Green: 'Go live' achieved, not rated: its date, 2021-12-01, is assumed "
        "(not in the source)",
    )


def test_a_real_forecast_after_an_assumed_baseline_is_judged_as_the_baseline() -> None:
    before = assumed_milestone(
        forecast=date(2021, 3, 1), forecast_assumed=False, today=date(2021, 3, 31)
    )
    assert (before.rag, before.slippage) == (Rag.GREEN, 0)
    assert before.reasons == (
        "Green: 'Go live' on forecast March 2021 (baseline March 2013 assumed)",
    )
    after = assumed_milestone(
        forecast=date(2021, 3, 1), forecast_assumed=False, today=date(2021, 4, 1)
    )
    assert (after.rag, after.slippage) == (Rag.RED, 1)
    assert after.reasons == (
        "Red: 'Go live' forecast March 2021 passed 1 working day ago, not achieved "
        "(baseline March 2013 assumed)",
    )


def test_an_assumed_forecast_gives_no_amber_but_a_passed_real_baseline_is_still_red() -> None:
    late = milestone_rag(
        "Go live", BASELINE, "day", date(2021, 12, 1), "day", None, EARLY, CAL, DEFAULTS,
        forecast_assumed=True,
    )  # fmt: skip
    assert (late.rag, late.slippage) == (Rag.GREEN, 0)
    assert late.reasons == (
        "Green: 'Go live' on baseline 2021-06-30; forecast 2021-12-01 (assumed) not rated",
    )
    passed = milestone_rag(
        "Go live", BASELINE, "day", date(2021, 12, 1), "day", None, date(2021, 7, 1), CAL,
        DEFAULTS, forecast_assumed=True,
    )  # fmt: skip
    assert (passed.rag, passed.slippage) == (Rag.RED, 1)
    assert passed.reasons == (
        "Red: 'Go live' baseline 2021-06-30 passed 1 working day ago, not achieved",
    )


def test_unknown_milestone_precision_is_refused() -> None:
    with pytest.raises(InvalidInput):
        milestone(precision="week")


# Risks and issues (defaults: amber at 8, red at 15)


def test_risk_score_8_is_amber() -> None:
    result = risk_rag("R1", "risk", 2, 4, True, DEFAULTS)
    assert result == RagResult(
        Rag.AMBER, ("Amber: R1 score 8 (likelihood 2 x impact 4), at or above 8",)
    )


def test_risk_score_below_8_is_green() -> None:
    # 7 cannot be a product of two 1-5 scores; 6 is the highest score below 8.
    result = risk_rag("R1", "risk", 2, 3, True, DEFAULTS)
    assert result == RagResult(Rag.GREEN, ("Green: R1 score 6 (likelihood 2 x impact 3), below 8",))


def test_amber_edge_on_consecutive_scores_5_green_6_amber_at_threshold_6() -> None:
    # A programme threshold shows the edge on consecutive possible scores.
    at_six = RagThresholds(risk_amber_score=6)
    assert risk_rag("R1", "risk", 1, 5, True, at_six).rag is Rag.GREEN
    assert risk_rag("R1", "risk", 2, 3, True, at_six).rag is Rag.AMBER


def test_risk_score_15_is_red() -> None:
    result = risk_rag("R2", "risk", 3, 5, True, DEFAULTS)
    assert result == RagResult(
        Rag.RED, ("Red: R2 score 15 (likelihood 3 x impact 5), at or above 15",)
    )


def test_risk_score_below_15_is_amber() -> None:
    # 14 and 13 cannot occur; 12 is the highest score below 15.
    assert risk_rag("R2", "risk", 3, 4, True, DEFAULTS).rag is Rag.AMBER


def test_red_edge_on_consecutive_scores_15_amber_16_red_at_threshold_16() -> None:
    at_sixteen = RagThresholds(risk_red_score=16)
    assert risk_rag("R2", "risk", 3, 5, True, at_sixteen).rag is Rag.AMBER
    assert risk_rag("R2", "risk", 4, 4, True, at_sixteen).rag is Rag.RED


def test_open_issue_of_critical_impact_is_red_whatever_its_score() -> None:
    result = risk_rag("I1", "issue", 1, 5, True, DEFAULTS)
    assert result.rag is Rag.RED
    assert result.reasons == ("Red: I1 open issue of critical impact (5)",)


def test_open_risk_of_impact_5_is_not_critical_by_the_issue_rule() -> None:
    assert risk_rag("R3", "risk", 1, 5, True, DEFAULTS).rag is Rag.GREEN


def test_issue_with_no_likelihood_scores_likelihood_5() -> None:
    result = risk_rag("I2", "issue", None, 2, True, DEFAULTS)
    assert result == RagResult(
        Rag.AMBER,
        ("Amber: I2 score 10 (likelihood 5 assumed for an issue x impact 2), at or above 8",),
    )
    assert risk_rag("I3", "issue", None, 3, True, DEFAULTS).rag is Rag.RED
    assert risk_rag("I4", "issue", None, 1, True, DEFAULTS).rag is Rag.GREEN


def test_closed_items_are_green_with_reason_closed() -> None:
    assert risk_rag("R4", "risk", 5, 5, False, DEFAULTS) == RagResult(
        Rag.GREEN, ("Green: R4 closed",)
    )
    assert risk_rag("I5", "issue", None, 5, False, DEFAULTS).rag is Rag.GREEN


def test_open_risk_with_no_likelihood_is_amber_unscored() -> None:
    result = risk_rag("A1", "assumption", None, 2, True, DEFAULTS)
    assert result == RagResult(
        Rag.AMBER, ("Amber: A1 open assumption with no likelihood, cannot be scored",)
    )


@pytest.mark.parametrize(
    ("kind", "likelihood", "impact"),
    [("opportunity", 1, 1), ("risk", 0, 3), ("risk", 3, 6), ("issue", None, 0)],
)
def test_raid_values_out_of_range_are_refused(
    kind: str, likelihood: int | None, impact: int
) -> None:
    with pytest.raises(InvalidInput):
        risk_rag("R9", kind, likelihood, impact, True, DEFAULTS)


# Aggregation


def part(rag: Rag, text: str) -> RagResult:
    return RagResult(rag, (text, "a second reason not cited"))


def test_outcome_is_the_worst_of_its_parts_with_the_reasons_of_the_worst() -> None:
    parts = [
        part(Rag.GREEN, "g"),
        part(Rag.RED, "r1"),
        part(Rag.AMBER, "a"),
        part(Rag.RED, "r2"),
    ]
    result = worst_of(parts, label="Outcome 3")
    assert result == RagResult(Rag.RED, ("Red: Outcome 3: 2 of 4 parts red", "r1", "r2"))


def test_all_green_parts_give_green() -> None:
    result = worst_of([part(Rag.GREEN, "g1"), part(Rag.GREEN, "g2")])
    assert result == RagResult(Rag.GREEN, ("Green: 2 of 2 parts green", "g1", "g2"))


def test_aggregate_reasons_are_capped_with_and_n_more() -> None:
    parts = [part(Rag.AMBER, f"a{i}") for i in range(7)]
    result = worst_of(parts, max_reasons=5)
    assert result.reasons == (
        "Amber: 7 of 7 parts amber",
        "a0",
        "a1",
        "a2",
        "a3",
        "a4",
        "and 2 more",
    )


def test_aggregate_of_nothing_is_green_with_a_reason() -> None:
    assert worst_of([], label="Outcome 9") == RagResult(
        Rag.GREEN, ("Green: Outcome 9: nothing to assess",)
    )


def test_aggregate_takes_milestone_results_too() -> None:
    late = milestone(forecast=date(2021, 7, 29))
    assert worst_of([late, part(Rag.AMBER, "a")]).rag is Rag.RED


# Delivery confidence (n parts; "at most 20%" means 5 x count <= n)


def parts_of(red: int, amber: int, green: int) -> list[RagResult]:
    return (
        [part(Rag.RED, f"r{i}") for i in range(red)]
        + [part(Rag.AMBER, f"a{i}") for i in range(amber)]
        + [part(Rag.GREEN, f"g{i}") for i in range(green)]
    )


@pytest.mark.parametrize(
    ("red", "amber", "green", "expected"),
    [
        (0, 0, 10, DeliveryConfidence.GREEN),
        (0, 0, 0, DeliveryConfidence.GREEN),
        (0, 1, 9, DeliveryConfidence.AMBER_GREEN),
        (0, 2, 8, DeliveryConfidence.AMBER_GREEN),  # exactly 20% amber
        (0, 3, 7, DeliveryConfidence.AMBER),  # just over 20% amber
        (0, 10, 0, DeliveryConfidence.AMBER),
        (0, 1, 0, DeliveryConfidence.AMBER),  # one part, all amber
        (1, 0, 9, DeliveryConfidence.AMBER_RED),
        (1, 9, 0, DeliveryConfidence.AMBER_RED),  # reds decide, however many ambers
        (2, 0, 8, DeliveryConfidence.AMBER_RED),  # exactly 20% red
        (3, 0, 7, DeliveryConfidence.RED),  # just over 20% red
        (1, 0, 4, DeliveryConfidence.AMBER_RED),  # 1 of 5 is 20%
        (1, 0, 3, DeliveryConfidence.RED),  # 1 of 4 is 25%
    ],
)
def test_delivery_confidence_band_edges(
    red: int, amber: int, green: int, expected: DeliveryConfidence
) -> None:
    result = delivery_confidence(parts_of(red, amber, green))
    assert result.confidence is expected
    assert (result.red, result.amber, result.total) == (red, amber, red + amber + green)


def test_delivery_confidence_reasons_state_the_rule_and_cite_the_deciding_parts() -> None:
    result = delivery_confidence(parts_of(2, 1, 7), label="BTLS transition")
    assert result.reasons == (
        "Amber/Red: BTLS transition: 2 red and 1 amber of 10 parts; red at most 20%",
        "r0",
        "r1",
    )


def test_delivery_confidence_amber_green_cites_the_amber_parts() -> None:
    result = delivery_confidence(parts_of(0, 1, 9))
    assert result.reasons == ("Amber/Green: 0 red and 1 amber of 10 parts; amber at most 20%", "a0")


def test_delivery_confidence_labels_are_the_five_point_scale() -> None:
    assert [c.label for c in DeliveryConfidence] == [
        "Green",
        "Amber/Green",
        "Amber",
        "Amber/Red",
        "Red",
    ]


def test_an_assumed_due_date_gives_no_amber_or_red_and_says_why() -> None:
    # Due 1 March 2021, assumed: past due a week later, within the window the day before.
    for today in (date(2021, 2, 28), MONDAY, date(2021, 3, 8)):
        result = deliverable_rag(
            "DR plan", "planned", MONDAY, today, CAL, DEFAULTS, due_assumed=True
        )
        assert result.rag is Rag.GREEN
        assert result.reasons == (
            "Green: 'DR plan' due date 2021-03-01 is assumed (the source gives none), not rated",
        )
    assert deliverable("planned", MONDAY, date(2021, 3, 8)).rag is Rag.RED


def test_an_assumed_due_date_does_not_hide_a_return_or_a_deferral() -> None:
    returned = deliverable_rag(
        "DR plan", "returned", MONDAY, MONDAY, CAL, DEFAULTS, due_assumed=True
    )
    deferred = deliverable_rag(
        "DR plan", "deferred", MONDAY, MONDAY, CAL, DEFAULTS, due_assumed=True
    )
    assert (returned.rag, deferred.rag) == (Rag.AMBER, Rag.AMBER)
