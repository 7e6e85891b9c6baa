"""The closure report, section by section, hand-computed from the small programme."""

from __future__ import annotations

from datetime import date

from tests.projections.builders import Script, person
from tests.projections.story import (
    CALENDAR,
    GABBY,
    MIKE,
    THRESHOLDS,
    TODAY,
    small_programme,
)
from tracker.events.closure import ReportSection
from tracker.projections.reports.closure_report import ClosureReport, closure_report, heading
from tracker.projections.reports.signoff_status import signoff_status

ON = date(2020, 6, 1)


def report() -> ClosureReport:
    script, _ = small_programme()
    return closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)


def test_key_roles_list_the_roster_in_its_order_with_deputies_and_provenance() -> None:
    r = report()
    assert [(x.name, x.raci, x.role_title, x.deputies) for x in r.roles] == [
        ("Mike Kirby", "A", "Sponsor", ["Glyn Peach"]),
        ("Glyn Peach", "R", "Transition Lead Officer", []),
        ("Gabby Nelson", "R", "Programme Assurance", []),
        ("Andrew Rogers", "C", "SOCITM Advisory Lead", []),
        ("Ian Young", "I", "Finance Lead", []),
    ]
    assert r.roles[0].source == {"document": "003", "row": "1"}
    assert [d.shown for d in r.deputies] == [
        "Glyn Peach deputises for Mike Kirby from 2021-01-04 to 2021-06-30"
    ]


def test_purpose_scope_governance_and_lifecycle() -> None:
    r = report()
    assert r.purpose == "Confirm the outcomes have been delivered."
    assert r.scope == "Bring the service back in house by 1 April 2021."
    assert r.governance == "A monthly programme board."
    assert r.lifecycle == "closing"


def test_outcome_is_complete_only_when_every_deliverable_is_signed_off_or_deferred() -> None:
    r = report()
    assert [(o.number, o.status, o.rag, o.confidence_label) for o in r.outcomes] == [
        (1, "Complete", "green", "Green"),
        (2, "In Progress", "amber", "Amber"),
    ]
    assert r.outcomes[1].rag_reasons[0] == "Amber: Outcome 2: 2 of 2 parts amber"


def test_outcome_with_signed_off_and_deferred_deliverables_is_complete() -> None:
    script, ids = small_programme()
    script.approve(ids.d3, MIKE, date(2021, 3, 15), round=2)
    script.signed_off(ids.d3, [GABBY, MIKE], date(2021, 3, 15), round=2)
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert r.outcomes[1].status == "Complete"


def test_deliverables_by_outcome_with_approved_by_status_and_date() -> None:
    r = report()
    rows = [
        (d.outcome_number, d.title, d.approved_by, d.awaiting, d.status, d.date, d.date_kind)
        for d in r.deliverables
    ]
    assert rows == [
        (
            1,
            "Management team in place",
            ["Glyn Peach"],
            [],
            "Signed Off",
            date(2021, 1, 4),
            "signed off",
        ),
        (
            1,
            "Key staff gaps filled",
            ["Glyn Peach on behalf of Mike Kirby"],
            [],
            "Signed Off",
            date(2021, 3, 1),
            "signed off",
        ),
        (
            2,
            "Catalogue Matrix of Services",
            ["Gabby Nelson"],
            ["Paul Sutcliffe"],
            "Submitted",
            date(2021, 3, 18),
            "planned",
        ),
        (2, "All supplier contracts novated", [], [], "Post Transition", None, ""),
    ]
    assert r.deliverables[0].source == {"document": "003", "table": "4", "row": "2"}
    assert r.deliverables[3].rag_reasons == [
        "Amber: 'All supplier contracts novated' deferred (carried forward)"
    ]


def test_learning_points_issues_risks_and_recommendations() -> None:
    r = report()
    assert [(n.number, n.recommendation) for n in r.learning_points] == [
        (1, "Hold kick-offs face to face")
    ]
    assert [x.ref for x in r.issues] == ["I1"]
    assert [x.ref for x in r.risks] == ["R1"]
    assert [(n.number, n.responsible) for n in r.recommendations] == [(1, "Glyn Peach")]


def test_deferred_deliverables_are_carried_forward_beside_the_recorded_next_steps() -> None:
    """The paper's "Next steps" table holds what was recorded; a deferred deliverable the table
    does not cover is listed beside it, numbered on its own (issue 17: 003 records one next
    step, and the report showed ten)."""
    script, ids = small_programme()
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert [(n.number, n.description, n.responsible, n.carried_forward) for n in r.next_steps] == [
        (1, "Joint lessons learned session to be held", "Glyn Peach / Antony Draper", False),
    ]
    assert [(n.number, n.description, n.responsible) for n in r.carried_forward] == [
        (
            1,
            "Carry forward 'All supplier contracts novated' (Post Transition: Novation "
            "continues after transition)",
            "Glyn Peach",
        ),
    ]
    assert r.carried_forward[0].carried_forward
    assert r.carried_forward[0].deliverable_id == str(ids.d4)


def test_a_recorded_next_step_for_a_deferred_deliverable_is_not_repeated() -> None:
    script, ids = small_programme()
    script.next_step(
        2, "Novate the remaining contracts", "Rachael Tanner", date(2021, 3, 12), deliverable=ids.d4
    )
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert [(n.number, n.carried_forward) for n in r.next_steps] == [(1, False), (2, False)]
    assert r.carried_forward == []


def test_programme_rag_and_confidence_over_deliverables_milestones_and_open_raid() -> None:
    """8 parts: D1, D2, M1, M3 green; D3, D4, M2, R1 amber; I1 closed is not a part."""
    r = report()
    assert r.rag == "amber"
    assert r.rag_reasons == [
        "Amber: Test transition: 4 of 8 parts amber",
        "Amber: 'Catalogue Matrix of Services' due in 4 working days (2021-03-18), within the "
        "10-day window, not signed off",
        "Amber: 'All supplier contracts novated' deferred (carried forward)",
        "Amber: 'Cycle 2 testing complete' forecast April 2021, 20 working days after baseline "
        "March 2021, within the 20-day tolerance",
        "Amber: R1 score 12 (likelihood 3 x impact 4), at or above 8",
    ]
    assert (r.confidence, r.confidence_label) == ("amber", "Amber")
    assert r.confidence_reasons[0] == (
        "Amber: Test transition: 0 red and 4 amber of 8 parts; amber more than 20%"
    )


def test_closure_sign_off_status_and_the_one_finding() -> None:
    """Paul Sutcliffe approves D3 but is not on the roster (as in the BTLS paper)."""
    r = report()
    assert r.sign_off.state == "submitted"
    assert r.sign_off.missing_names == ["Gabby Nelson", "Mike Kirby"]
    assert [(f.code, f.message) for f in r.data_quality] == [
        (
            "approver_not_on_roster",
            "Approvers not on the programme's roster: Paul Sutcliffe (1 deliverable)",
        )
    ]
    assert r.position == 57


def test_a_signature_keeps_the_spelling_of_the_row_that_names_its_approver() -> None:
    """003: the roster (line 342) says "Rachael Tanner", the approver cell of line 469 "Rachel
    Tanner": one person, one address, and each place prints as the paper does (issue 17)."""
    script, _ = small_programme()
    script.member(person("rachel.tanner@lcc.example", "Rachael Tanner"), "Procurement", "R", ON)
    row = person("rachel.tanner@lcc.example", "Rachel Tanner")
    item = script.deliverable(
        "Staff in place who can deal with LA procurement", date(2021, 3, 1), [row], ON, outcome=1
    )
    script.sign_off(item, row, date(2021, 3, 1))
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    (line,) = [d for d in r.deliverables if d.id == str(item)]
    assert line.approved_by == ["Rachel Tanner"] and line.approvers == ["Rachel Tanner"]
    assert "Rachael Tanner" in [x.name for x in r.roles]
    status = signoff_status(script.view(), TODAY, CALENDAR, THRESHOLDS)
    items = {i.id: i for i in status.deliverables}
    assert [s.name for s in items[str(item)].approvals] == ["Rachel Tanner"]


def test_key_roles_keep_the_order_the_roster_was_set_out_in() -> None:
    """003's Key Transition Roles lists Andrew Rogers (C) before Rachael Tanner (R)."""
    script, _ = small_programme()
    script.member(person("rachael.tanner@lcc.example", "Rachael Tanner"), "Procurement", "R", ON)
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert [x.raci for x in r.roles] == ["A", "R", "R", "C", "I", "R"]
    assert r.roles[-1].name == "Rachael Tanner"


def test_the_phase_gates_in_order_with_state_blockers_and_approvals() -> None:
    """G1 passed on the deputy's approval; G2 waits for D3 (submitted, Paul still to approve),
    M2 and M3; D4 deferred counts as met. Gates are not parts of the programme's RAG."""
    r = report()
    g1, g2 = r.gates
    assert (g1.title, g1.state, g1.rag, g1.passed_on) == (
        "Design complete",
        "passed",
        "green",
        date(2021, 2, 2),
    )
    assert [a.shown for a in g1.approvals] == ["Glyn Peach on behalf of Mike Kirby"]
    assert (g2.title, g2.order, g2.state) == ("Ready for go-live", 2, "open")
    assert g2.blocking == [
        "Deliverable 'Catalogue Matrix of Services' is submitted: it waits for approval from: "
        "Paul Sutcliffe",
        "Milestone 'Cycle 2 testing complete' is not achieved (forecast April 2021): it waits "
        "to be achieved",
        "Milestone 'Go live' is not achieved (forecast 2021-04-07): it waits to be achieved",
    ]
    assert [c.met for c in g2.criteria] == [False, True, False, False]
    assert g2.rag == "amber" and g2.rag_reasons[0] == (
        "Amber: gate 'Ready for go-live' waits for 3 of its 4 items"
    )
    assert g2.awaiting == ["Mike Kirby", "Gabby Nelson"]
    assert g2.expected_on == date(2021, 4, 30)  # April 2021 read as its last day


def test_a_report_whose_submission_records_no_paper_headings_numbers_its_own() -> None:
    r = report()
    assert [s.shown for s in r.sections] == [
        "Key Transition Roles",
        "1. Purpose of this document",
        "2. Scope of the assignment",
        "3. Governance",
        "4. Outcomes",
        "5. Deliverables",
        "6. Key learning points: successes, areas for improvements, gaps",
        "7. Issues and risks",
        "8. Close-out recommendations",
        "9. Next steps (agreed closure actions)",
    ]
    assert not any(s.from_paper for s in r.sections)
    assert heading(r, "outcomes") == "4. Outcomes"


def test_the_papers_headings_replace_the_report_s_own_and_other_parts_lose_their_number() -> None:
    script, _ = small_programme()
    script.submit_closure(
        MIKE,
        [GABBY],
        [],
        date(2021, 4, 20),
        revision=2,
        presenters=("Glyn Peach - Chief Digital Officer",),
        sections=(
            ReportSection(part="outcomes", number="3", title="Outcomes"),
            ReportSection(part="deliverables", number="4", title="Socitm deliverables"),
        ),
    )
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    shown = {s.part: (s.shown, s.from_paper) for s in r.sections}
    assert shown["outcomes"] == ("3. Outcomes", True)
    assert shown["deliverables"] == ("4. Socitm deliverables", True)
    assert shown["governance"] == ("Governance", False)
    assert (r.report_date, r.presenters) == (
        date(2021, 4, 20),
        ["Glyn Peach - Chief Digital Officer"],
    )


def test_a_report_not_yet_submitted_is_dated_the_day_it_is_read() -> None:
    script = Script("unsubmitted")
    script.register("Unsubmitted", ON, starts_on=ON, planned_end_on=date(2021, 4, 1))
    r = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert (r.report_date, r.presenters) == (TODAY, [])
    submitted = report()
    assert submitted.report_date == date(2021, 3, 11) != submitted.today
