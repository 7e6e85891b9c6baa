"""What is due to whom: pure selection over folded programmes (scenario.py)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.projections.builders import Script, day, person
from tests.reminders.scenario import (
    ANDREW,
    GABBY,
    GLYN,
    IAN,
    MIKE,
    MONDAY,
    digital_transition,
    easter_cutover,
    payroll_transition,
)
from tracker.calendar import WorkingCalendar
from tracker.events.reminders import RagSnapshot
from tracker.events.values import DateValue
from tracker.projections.read_model.views import ProgrammeView
from tracker.rag import RagThresholds
from tracker.reminders.digest import describe
from tracker.reminders.model import Reminder, ReminderPolicy
from tracker.reminders.selection import Mutes, by_recipient, due_reminders

CALENDAR = WorkingCalendar()
POLICY = ReminderPolicy()


def due(views: list[ProgrammeView], today: date, mutes: Mutes | None = None) -> list[Reminder]:
    found, _ = due_reminders(views, today, CALENDAR, RagThresholds(), POLICY, mutes)
    return found


def pairs(reminders: list[Reminder]) -> set[tuple[str, str, str]]:
    return {(r.kind, r.item, r.recipient.who) for r in reminders}


def test_the_built_scenario_reminds_exactly_these_people_of_exactly_these_items() -> None:
    script, ids = digital_transition()
    reminders = due([script.view(), payroll_transition().view()], MONDAY)
    closure = "closure:payroll-transition:1"
    assert pairs(reminders) == {
        ("signoff_pending", f"deliverable:{ids.d1}", ANDREW.email),
        ("signoff_pending", f"deliverable:{ids.d2}", GABBY.email),
        ("signoff_pending", f"deliverable:{ids.d3}", MIKE.email),
        ("signoff_pending", f"deliverable:{ids.d3}", GLYN.email),
        ("signoff_escalation", f"deliverable:{ids.d1}", MIKE.email),
        ("milestone_due", f"milestone:{ids.m1}", GLYN.email),
        ("milestone_due", f"milestone:{ids.m1}", GABBY.email),
        ("milestone_overdue", f"milestone:{ids.m2}", GLYN.email),
        ("milestone_overdue", f"milestone:{ids.m2}", GABBY.email),
        ("milestone_overdue", f"milestone:{ids.m2}", MIKE.email),
        ("risk_stale", f"risk:{ids.r1}", GLYN.email),
        ("risk_stale", f"risk:{ids.r2}", "name:Antony Draper"),
        ("closure_approved", closure, IAN.email),
        ("weekly_digest", "programme:digital-transition", MIKE.email),
    }
    assert set(by_recipient(reminders)) == {
        ANDREW.email,
        GABBY.email,
        GLYN.email,
        IAN.email,
        MIKE.email,
        "name:Antony Draper",
    }


def test_the_dedup_key_is_kind_item_person_and_working_day() -> None:
    script, ids = digital_transition()
    andrew = [r for r in due([script.view()], MONDAY) if r.recipient.email == ANDREW.email]
    assert [r.key for r in andrew] == [
        f"reminder:signoff_pending:deliverable:{ids.d1}:{ANDREW.email}:2021-03-15"
    ]


def test_a_signoff_is_chased_only_after_more_than_three_working_days() -> None:
    script, ids = digital_transition()
    thursday, friday = date(2021, 3, 11), date(2021, 3, 12)
    # D3 submitted Monday 8 March: 3 working days on Thursday, 4 on Friday.
    d3 = f"deliverable:{ids.d3}"
    assert not any(r.item == d3 for r in due([script.view()], thursday))
    assert any(r.item == d3 for r in due([script.view()], friday))


def test_the_approver_is_not_asked_while_an_endorsement_is_missing() -> None:
    script, ids = digital_transition()
    d1 = [r for r in due([script.view()], MONDAY) if r.item == f"deliverable:{ids.d1}"]
    assert {(r.kind, r.recipient.email) for r in d1} == {
        ("signoff_pending", ANDREW.email),
        ("signoff_escalation", MIKE.email),
    }
    escalation = next(r for r in d1 if r.kind == "signoff_escalation")
    assert escalation.summary == (
        "'Service catalogue' was submitted 1 March 2021, 10 working days ago, and is held up by "
        "Andrew Rogers (endorsement)."
    )


def test_the_sponsor_is_told_only_after_more_than_eight_working_days() -> None:
    script, ids = digital_transition()
    # D1 submitted Monday 1 March: 8 working days on Thursday 11 March, 9 on Friday.
    escalations = {
        on: [r for r in due([script.view()], on) if r.kind == "signoff_escalation"]
        for on in (date(2021, 3, 11), date(2021, 3, 12))
    }
    assert escalations[date(2021, 3, 11)] == []
    assert [r.item for r in escalations[date(2021, 3, 12)]] == [f"deliverable:{ids.d1}"]


def test_a_deputy_is_reminded_only_while_the_delegation_is_active() -> None:
    script, ids = digital_transition()
    d3 = f"deliverable:{ids.d3}"
    during = {r.recipient.email for r in due([script.view()], MONDAY) if r.item == d3}
    after = {r.recipient.email for r in due([script.view()], date(2021, 4, 1)) if r.item == d3}
    assert during == {MIKE.email, GLYN.email}
    assert after == {MIKE.email}
    glyn = next(
        r for r in due([script.view()], MONDAY) if r.item == d3 and r.recipient.email == GLYN.email
    )
    assert glyn.summary == (
        "'DR plan' awaits Mike Kirby's approval (you deputise for them until 31 March 2021): "
        "submitted 8 March 2021, 5 working days ago."
    )


def test_milestones_due_within_ten_working_days_go_to_r_members_and_late_ones_to_the_a_too() -> (
    None
):
    script, ids = digital_transition()
    reminders = due([script.view()], MONDAY)
    m1 = next(r for r in reminders if r.item == f"milestone:{ids.m1}")
    m2 = next(r for r in reminders if r.item == f"milestone:{ids.m2}")
    assert m1.summary == (
        "'Cycle 2 testing complete' is due 26 March 2021, in 9 working days, and is not achieved."
    )
    assert m2.summary == (
        "'Data migration complete' is 3 working days past its baseline (10 March 2021) with no "
        "actual date."
    )
    # M3 (April 2021, deadline Friday 30 April) enters the window ten working days before.
    m3 = f"milestone:{ids.m3}"
    assert not any(r.item == m3 for r in due([script.view()], date(2021, 4, 15)))
    assert any(r.item == m3 for r in due([script.view()], date(2021, 4, 16)))


def test_a_reforecast_later_than_the_baseline_is_overdue_once_the_baseline_passes() -> None:
    s = Script("slipping")
    s.register(
        "Slipping", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 12, 31)
    )
    s.member(MIKE, "Sponsor", "A", date(2021, 1, 4))
    s.member(GLYN, "Lead", "R", date(2021, 1, 4))
    m = s.milestone("Go live", day("2021-03-10"), date(2021, 1, 4))
    s.reforecast(m, day("2021-03-31"), day("2021-03-10"), "Supplier delay", date(2021, 3, 1))
    [late, *rest] = [r for r in due([s.view()], MONDAY) if r.kind == "milestone_overdue"]
    assert late.summary == (
        "'Go live' is 3 working days past its baseline (10 March 2021) with no actual date; "
        "forecast 31 March 2021."
    )
    assert {r.recipient.email for r in [late, *rest]} == {GLYN.email, MIKE.email}


def test_a_quarter_is_due_on_its_last_working_day_and_an_assumed_date_is_marked() -> None:
    s = Script("quarterly")
    s.register(
        "Quarterly", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 12, 31)
    )
    s.member(GLYN, "Lead", "R", date(2021, 1, 4))
    quarter = DateValue(date=date(2021, 1, 1), precision="quarter", assumed=True)
    s.milestone("Go live", quarter, date(2021, 1, 4))
    # Q1 2021 is due Wednesday 31 March: ten working days on from Wednesday 17 March.
    assert not [r for r in due([s.view()], date(2021, 3, 16)) if r.kind == "milestone_due"]
    [soon] = [r for r in due([s.view()], date(2021, 3, 17)) if r.kind == "milestone_due"]
    assert soon.summary == (
        "'Go live' is due Q1 2021 (assumed) (deadline 31 March 2021), in 10 working days, and "
        "is not achieved."
    )


def test_a_passed_assumed_date_is_not_chased_as_late_but_a_printed_one_is() -> None:
    """An assumed date is never rated late (milestone_rag), so it is never chased as late: the
    seeded 'Cabinet's final decision' (2012, assumed) must not remind anyone every day."""
    s = Script("assumed")
    s.register(
        "Assumed", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 12, 31)
    )
    s.member(GLYN, "Lead", "R", date(2021, 1, 4))
    s.milestone(
        "Decision",
        DateValue(date=date(2021, 1, 1), precision="year", assumed=True),
        date(2021, 1, 4),
    )
    s.milestone("Go live", DateValue(date=date(2021, 3, 1), precision="month"), date(2021, 1, 4))
    later = due([s.view()], date(2022, 2, 1))
    assert [(r.kind, r.title) for r in later if r.kind.startswith("milestone")] == [
        ("milestone_overdue", "Go live")
    ]


def test_a_risk_is_stale_after_thirty_days_without_an_update() -> None:
    script, ids = digital_transition()
    r1 = f"risk:{ids.r1}"
    # Last update 10 February 2021: 29 days on 11 March, 30 on 12 March.
    assert not any(r.item == r1 for r in due([script.view()], date(2021, 3, 11)))
    [stale] = [r for r in due([script.view()], date(2021, 3, 12)) if r.item == r1]
    assert stale.recipient.email == GLYN.email
    assert stale.details == (
        "Latest update: Supplier list agreed",
        "Amber: R1 score 12 (likelihood 3 x impact 4), at or above 8",
    )


def test_informed_members_hear_of_the_approval_within_five_working_days_only() -> None:
    payroll = payroll_transition().view()
    # Approved Friday 12 March: Friday 19 March is 5 working days on, Monday 22 March 6.
    later = [r for r in due([payroll], date(2021, 3, 19)) if r.kind == "closure_approved"]
    too_late = [r for r in due([payroll], date(2021, 3, 22)) if r.kind == "closure_approved"]
    assert [r.recipient.email for r in later] == [IAN.email]
    assert too_late == []
    assert later[0].summary == (
        "The Programme Closure Report of 'Payroll transition' was approved on 12 March 2021 by "
        "Sarah Oldendorp."
    )


def test_an_approval_entered_late_from_the_paper_record_is_news_when_recorded() -> None:
    # Script.view() records every event on 5 January 2026 (builders.RECORDED).
    payroll = payroll_transition().view()
    [news] = [r for r in due([payroll], date(2026, 1, 7)) if r.kind == "closure_approved"]
    assert news.recipient.email == IAN.email
    assert due([payroll], date(2026, 1, 13)) == []


def test_a_closed_programme_gets_no_milestone_risk_or_digest_reminders() -> None:
    payroll = payroll_transition().view()
    assert payroll.lifecycle == "closed"
    assert {r.kind for r in due([payroll], MONDAY)} == {"closure_approved"}


def test_nothing_is_due_on_a_weekend_or_bank_holiday() -> None:
    script, _ = digital_transition()
    easter, _ = easter_cutover()
    views = [script.view(), easter.view(), payroll_transition().view()]
    for off in (date(2021, 3, 13), date(2021, 3, 14), date(2021, 4, 2), date(2021, 4, 5)):
        assert due(views, off) == [], off


def test_easter_a_signoff_submitted_before_good_friday_counts_working_days_only() -> None:
    easter, plan = easter_cutover()
    item = f"deliverable:{plan}"
    # Submitted Thursday 1 April; Good Friday and Easter Monday are bank holidays, so Thursday
    # 8 April is 3 working days on (7 calendar days) and Friday 9 April is 4.
    assert not any(r.item == item for r in due([easter.view()], date(2021, 4, 8)))
    assert [
        r.recipient.email for r in due([easter.view()], date(2021, 4, 9)) if r.item == item
    ] == [GLYN.email]


def test_easter_the_weekly_digest_moves_to_the_tuesday_after_easter_monday() -> None:
    easter, _ = easter_cutover()
    week = [date(2021, 4, 5) + timedelta(days=n) for n in range(5)]
    digests = {
        on: [r.recipient.email for r in due([easter.view()], on) if r.kind == "weekly_digest"]
        for on in week
    }
    # Due from the first working day of the week on; history keeps it to one a week.
    assert digests == {
        date(2021, 4, 5): [],
        date(2021, 4, 6): [MIKE.email],
        date(2021, 4, 7): [MIKE.email],
        date(2021, 4, 8): [MIKE.email],
        date(2021, 4, 9): [MIKE.email],
    }


def test_a_muted_person_gets_nothing_about_that_programme_only() -> None:
    script, ids = digital_transition()
    views = [script.view(), payroll_transition().view()]
    muted = {"digital-transition": frozenset({GLYN.email, IAN.email})}
    found, dropped = due_reminders(views, MONDAY, CALENDAR, RagThresholds(), POLICY, muted)
    glyn = [r for r in found if r.recipient.email == GLYN.email]
    assert glyn == []
    assert dropped == 4
    # Ian is muted on Digital transition, not on Payroll transition.
    assert [r.kind for r in found if r.recipient.email == IAN.email] == ["closure_approved"]
    # Mike's own reminders are unaffected by muting his deputy.
    assert any(r.item == f"deliverable:{ids.d3}" and r.recipient.email == MIKE.email for r in found)


def test_the_escalation_names_only_those_awaited_now() -> None:
    paul = person("paul.sutcliffe@lcc.example", "Paul Sutcliffe")
    s = Script("held-up")
    s.register(
        "Held up", date(2021, 1, 4), starts_on=date(2021, 1, 4), planned_end_on=date(2021, 12, 31)
    )
    s.member(MIKE, "Sponsor", "A", date(2021, 1, 4))
    item = s.deliverable(
        "Asset register", date(2021, 6, 30), [paul], date(2021, 1, 4), endorsers=[ANDREW]
    )
    s.submit(item, date(2021, 3, 1))
    [before] = [r for r in due([s.view()], MONDAY) if r.kind == "signoff_escalation"]
    assert before.summary.endswith("is held up by Andrew Rogers (endorsement).")
    s.endorse(item, ANDREW, date(2021, 3, 12))
    [after] = [r for r in due([s.view()], MONDAY) if r.kind == "signoff_escalation"]
    assert after.summary.endswith("is held up by Paul Sutcliffe (approval).")


def test_the_digest_says_which_way_the_rag_and_the_confidence_moved() -> None:
    before = RagSnapshot(rag="amber", confidence="Amber/Green")
    worse, _ = describe(RagSnapshot(rag="red", confidence="Red"), before, date(2021, 3, 15))
    assert worse == (
        "Red (worse), was Amber on 15 March 2021; delivery confidence Red (worse), was Amber/Green."
    )
    slipped, _ = describe(RagSnapshot(rag="amber", confidence="Amber"), before, date(2021, 3, 15))
    assert slipped == (
        "Amber, unchanged since 15 March 2021; delivery confidence Amber (worse), was Amber/Green."
    )
    same, _ = describe(before, before, date(2021, 3, 15))
    assert same == "Amber, unchanged since 15 March 2021; delivery confidence Amber/Green."
