"""Sign-off status and inboxes, hand-computed from the small programme (story.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.projections.builders import RECORDED
from tests.projections.story import (
    ANDREW,
    CALENDAR,
    GABBY,
    GLYN,
    MIKE,
    PAUL,
    THRESHOLDS,
    TODAY,
    small_programme,
)
from tracker.projections.reports.inbox import inbox
from tracker.projections.reports.sealing import verify
from tracker.projections.reports.signoff_status import PersonLine, signoff_status


def test_every_deliverable_shows_its_state_and_who_signed_when_and_for_whom() -> None:
    script, ids = small_programme()
    status = signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS)
    by_id = {item.id: item for item in status.deliverables}
    assert [item.id for item in status.deliverables] == [
        str(ids.d1),
        str(ids.d2),
        str(ids.d3),
        str(ids.d4),
    ]
    assert {k: v.state for k, v in by_id.items()} == {
        str(ids.d1): "signed_off",
        str(ids.d2): "signed_off",
        str(ids.d3): "submitted",
        str(ids.d4): "deferred",
    }
    deputy = by_id[str(ids.d2)].approvals[0]
    assert (deputy.actor, deputy.person, deputy.on_behalf_of) == (
        GLYN.email,
        MIKE.email,
        MIKE.email,
    )
    assert deputy.shown == "Glyn Peach on behalf of Mike Kirby"
    assert deputy.on == date(2021, 3, 1)
    assert by_id[str(ids.d2)].missing_names == []


def test_joint_approval_lists_the_approver_still_missing_after_a_return() -> None:
    script, ids = small_programme()
    status = signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS)
    d3 = next(item for item in status.deliverables if item.id == str(ids.d3))
    assert d3.round == 2
    assert [(s.name, s.on) for s in d3.endorsements] == [("Andrew Rogers", date(2021, 3, 9))]
    assert [(s.shown, s.on) for s in d3.approvals] == [("Gabby Nelson", date(2021, 3, 10))]
    assert d3.endorsements_missing == []
    assert d3.approvals_missing == [PersonLine(email=PAUL.email, name="Paul Sutcliffe")]
    assert d3.missing_names == ["Paul Sutcliffe"]
    assert d3.rag == "amber"
    assert d3.rag_reasons == [
        "Amber: 'Catalogue Matrix of Services' due in 4 working days (2021-03-18), within the "
        "10-day window, not signed off"
    ]


def test_a_returned_deliverable_shows_the_comment_and_missing_everyone() -> None:
    script, ids = small_programme()
    returned_at = next(
        n
        for n, (_, e) in enumerate(script.entries, start=1)
        if type(e.data).__name__ == "DeliverableReturned"
    )
    status = signoff_status(script.view(returned_at), date(2021, 3, 3), CALENDAR, THRESHOLDS)
    d3 = next(item for item in status.deliverables if item.id == str(ids.d3))
    assert (d3.state, d3.returned_comment) == ("returned", "Add prices")
    assert d3.missing_names == ["Andrew Rogers", "Gabby Nelson", "Paul Sutcliffe"]
    # Due in 11 working days is beyond the window: only the return makes it amber.
    assert (d3.rag, d3.rag_reasons) == (
        "amber",
        ["Amber: 'Catalogue Matrix of Services' returned, awaiting resubmission"],
    )


def test_closure_report_endorsers_are_r_and_c_and_its_approver_the_a() -> None:
    script, _ = small_programme()
    closure = signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS).closure
    assert closure.kind == "closure_report"
    assert closure.state == "submitted"
    assert [p.email for p in closure.endorsers] == [GLYN.email, GABBY.email, ANDREW.email]
    assert [p.email for p in closure.approvers] == [MIKE.email]
    assert [(s.name, s.on) for s in closure.endorsements] == [
        ("Glyn Peach", date(2021, 3, 11)),
        ("Andrew Rogers", date(2021, 3, 12)),
    ]
    assert closure.missing_names == ["Gabby Nelson", "Mike Kirby"]


def test_closure_before_submission_is_planned_with_signatories_from_the_roster() -> None:
    script, _ = small_programme()
    closure = signoff_status(script.view(12), TODAY, CALENDAR, THRESHOLDS).closure
    assert closure.state == "planned"
    assert [p.name for p in closure.endorsers] == ["Glyn Peach", "Gabby Nelson", "Andrew Rogers"]
    assert [p.name for p in closure.approvers] == ["Mike Kirby"]


def test_closure_approved_with_override_shows_the_reason_and_who_was_missing() -> None:
    script, _ = small_programme()
    script.approve_closure(
        GLYN, date(2021, 3, 15), behalf=MIKE, override_reason="Gabby on leave", missing=[GABBY]
    )
    closure = signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS).closure
    assert closure.state == "signed_off"
    assert [s.shown for s in closure.approvals] == ["Glyn Peach on behalf of Mike Kirby"]
    assert closure.override_reason == "Gabby on leave"
    assert closure.endorsements_missing_at_approval == ["Gabby Nelson"]
    assert closure.approvals_missing == []
    assert closure.missing_names == ["Gabby Nelson"]


def test_report_is_stamped_with_position_and_sealed() -> None:
    script, _ = small_programme()
    known = datetime(2026, 1, 6, tzinfo=UTC)
    status = signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS, known_at=known)
    assert status.position == len(script.entries)
    assert status.known_at == known
    assert verify(status)
    assert status.deliverables[0].approvals[0].recorded_at > RECORDED


def test_inbox_of_a_joint_approver_holds_the_approval_awaited() -> None:
    script, ids = small_programme()
    box = inbox([script.view()], "Paul.Sutcliffe@LCC.example", TODAY, CALENDAR, THRESHOLDS)
    assert [(i.item_id, i.action, i.as_deputy, i.blocked_by) for i in box.items] == [
        (str(ids.d3), "approve", False, [])
    ]
    assert box.name == "Paul Sutcliffe"
    assert box.items[0].rag == "amber"


def test_inbox_of_a_deputy_holds_the_principals_approval_while_the_delegation_covers_today() -> (
    None
):
    script, _ = small_programme()
    box = inbox([script.view()], GLYN.email, TODAY, CALENDAR, THRESHOLDS)
    assert [(i.kind, i.action, i.for_person, i.as_deputy, i.blocked_by) for i in box.items] == [
        ("closure_report", "approve", MIKE.email, True, ["Gabby Nelson"])
    ]
    after = inbox([script.view()], GLYN.email, date(2021, 7, 1), CALENDAR, THRESHOLDS)
    assert after.items == []


def test_inbox_of_the_sponsor_and_of_a_missing_endorser() -> None:
    script, _ = small_programme()
    view = script.view()
    mike = inbox([view], MIKE.email, TODAY, CALENDAR, THRESHOLDS)
    assert [(i.action, i.as_deputy, i.blocked_by) for i in mike.items] == [
        ("approve", False, ["Gabby Nelson"])
    ]
    gabby = inbox([view], GABBY.email, TODAY, CALENDAR, THRESHOLDS)
    assert [(i.kind, i.action) for i in gabby.items] == [("closure_report", "endorse")]


def test_inbox_spans_programmes_and_carries_each_position() -> None:
    first, _ = small_programme()
    second, _ = small_programme("second-transition")
    views = [first.view(), second.view()]
    box = inbox(views, PAUL.email, TODAY, CALENDAR, THRESHOLDS)
    assert [i.programme_key for i in box.items] == ["test-transition", "second-transition"]
    assert [(p.key, p.position) for p in box.positions] == [
        ("test-transition", 57),
        ("second-transition", 57),
    ]
    assert box.position == 57


def test_a_return_voids_the_rounds_signatures_until_resubmission() -> None:
    script, ids = small_programme()
    script.approve(ids.d3, PAUL, date(2021, 3, 11), round=2)
    script.return_(ids.d3, GABBY, "Prices out of date", date(2021, 3, 12), round=2)
    d3 = next(
        item
        for item in signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS).deliverables
        if item.id == str(ids.d3)
    )
    assert d3.state == "returned"
    assert [s.name for s in d3.approvals] == ["Gabby Nelson", "Paul Sutcliffe"]
    assert d3.missing_names == ["Andrew Rogers", "Gabby Nelson", "Paul Sutcliffe"]
    assert inbox([script.view()], PAUL.email, TODAY, CALENDAR, THRESHOLDS).items == []
