"""Each data-quality finding, on the seed's own oddities."""

from __future__ import annotations

from datetime import date

from tests.projections.builders import Script, month, person
from tests.projections.story import CALENDAR, THRESHOLDS, TODAY
from tracker.events.deliverables import DeliverableReplanned
from tracker.projections.reports.data_quality import data_quality, findings

GLYN = person("glyn.peach@lcc.example", "Glyn Peach")
PAUL = person("paul.sutcliffe@lcc.example", "Paul Sutcliffe")
ON = date(2012, 1, 2)


def programme(key: str = "p", *, roster: bool = True) -> Script:
    """A programme whose roster has the approvers these tests name (unless ``roster`` is
    False: then nobody is on it)."""
    script = Script(key)
    script.register("P", ON, starts_on=ON, planned_end_on=date(2021, 12, 31))
    if roster:
        script.member(GLYN, "Lead", "R", ON)
        script.member(PAUL, "Sponsor", "A", ON)
    return script


def test_milestone_dated_before_the_previous_one_in_its_workstream_is_out_of_sequence() -> None:
    s = programme()
    cycle3 = s.milestone("Cycle 3 Testing complete", month(2013, 11), ON, workstream="ASH&W")
    cycle4 = s.milestone("Cycle 4 Testing complete", month(2013, 1), ON, workstream="ASH&W")
    s.milestone("Go live", month(2012, 12), ON, workstream="CYP")  # another workstream
    s.milestone("Cycle 5 Testing complete", month(2013, 1), ON, workstream="ASH&W")  # same month
    found = findings(s.view())
    assert [(f.code, f.item_ids) for f in found] == [
        ("milestone_out_of_sequence", [str(cycle4), str(cycle3)])
    ]
    assert found[0].message == (
        "Milestone 'Cycle 4 Testing complete' (baseline January 2013) is listed after "
        "'Cycle 3 Testing complete' (baseline November 2013) in workstream ASH&W but is dated "
        "earlier"
    )


def test_sign_off_dated_after_the_closure_report_that_lists_it() -> None:
    s = programme()
    late = s.deliverable("Incident Management assessment", date(2021, 3, 18), [PAUL], ON, outcome=5)
    early = s.deliverable("Catalogue of Business Issues", date(2020, 7, 15), [PAUL], ON, outcome=5)
    s.sign_off(early, PAUL, date(2020, 7, 15))
    s.submit_closure(GLYN, [PAUL], [], date(2021, 4, 20))
    s.sign_off(late, PAUL, date(2021, 11, 27))
    found = findings(s.view())
    assert [(f.code, f.item_ids) for f in found] == [("signed_off_after_closure", [str(late)])]
    assert found[0].message == (
        "Deliverable 'Incident Management assessment' was signed off 2021-11-27, after the "
        "closure report that lists it was submitted 2021-04-20"
    )


def test_deliverable_with_no_approver_that_is_not_deferred() -> None:
    s = programme()
    orphan = s.deliverable("True-Up of payments", date(2021, 3, 31), [], ON, outcome=3)
    deferred = s.deliverable(
        "All live Purchase Orders transferred", date(2021, 3, 31), [], ON, outcome=10
    )
    s.defer(deferred, "After transition", "Post Transition", date(2021, 3, 31))
    found = findings(s.view())
    assert [(f.code, f.item_ids, f.message) for f in found] == [
        (
            "no_approver",
            [str(orphan)],
            "Deliverable 'True-Up of payments' has no approver and is not deferred",
        )
    ]


def test_no_approver_is_not_flagged_while_the_due_date_is_assumed() -> None:
    """The BTLS paper's "Post Transition" rows: no date, no approver, deferred on the report's
    day; before then the gap is the paper's own, and re-planning a real date ends the pass."""
    s = programme()
    undated = s.deliverable(
        "All live Purchase Orders transferred",
        date(2021, 4, 1),
        [],
        ON,
        outcome=10,
        due_assumed=True,
    )
    assert findings(s.view()) == []
    s.add(
        f"deliverable:{undated}",
        DeliverableReplanned(
            deliverable_id=undated,
            programme_key=s.key,
            due_on=date(2021, 6, 30),
            previous_due_on=date(2021, 4, 1),
            reason="agreed with business as usual",
        ),
        date(2021, 4, 2),
    )
    assert [(f.code, f.item_ids) for f in findings(s.view())] == [("no_approver", [str(undated)])]


def test_duplicate_titles_within_an_outcome_ignoring_case_and_spacing() -> None:
    s = programme()
    title = "Plan in place to review apps rationalisation following transition"
    first = s.deliverable(title, date(2021, 3, 25), [PAUL], ON, outcome=6)
    second = s.deliverable(
        title.upper().replace(" ", "  ", 1), date(2021, 3, 18), [GLYN], ON, outcome=6
    )
    s.deliverable(title, date(2021, 3, 18), [GLYN], ON, outcome=7)  # another outcome
    found = findings(s.view())
    assert [(f.code, f.item_ids, f.message) for f in found] == [
        ("duplicate_title", [str(first), str(second)], f"Outcome 6 lists '{title}' 2 times")
    ]


def test_one_email_named_two_ways_is_a_name_variant() -> None:
    s = programme()
    s.member(person("rachel.tanner@lcc.example", "Rachael Tanner"), "Procurement", "R", ON)
    item = s.deliverable(
        "Staff in place who can deal with LA procurement",
        date(2021, 3, 1),
        [person("rachel.tanner@lcc.example", "Rachel Tanner")],
        ON,
        outcome=10,
    )
    found = findings(s.view())
    assert [(f.code, f.item_ids) for f in found] == [
        ("name_variants", ["roster:rachel.tanner@lcc.example", str(item)])
    ]
    assert found[0].message == (
        "rachel.tanner@lcc.example is named 2 ways: 'Rachael Tanner' (1 place), "
        "'Rachel Tanner' (1 place)"
    )


def test_report_wraps_findings_with_stable_ids_and_a_hash() -> None:
    s = programme()
    s.deliverable("Orphan", date(2021, 3, 31), [], ON)
    first = data_quality(s.view(), TODAY, CALENDAR, THRESHOLDS)
    again = data_quality(s.view(), TODAY, CALENDAR, THRESHOLDS)
    assert first == again
    assert first.findings[0].id.startswith("no_approver:")
    assert first.position == 5


def test_an_approver_not_on_the_roster_is_a_finding_once_per_person() -> None:
    s = programme(roster=False)
    s.member(GLYN, "Lead", "R", ON)
    first = s.deliverable("Plan", date(2021, 3, 1), [PAUL], ON)
    second = s.deliverable("Catalogue", date(2021, 3, 1), [PAUL, GLYN], ON)
    s.deliverable("Known", date(2021, 3, 1), [GLYN], ON)
    [found] = [f for f in findings(s.view()) if f.code == "approver_not_on_roster"]
    assert found.message == (
        "Approvers not on the programme's roster: Paul Sutcliffe (2 deliverables)"
    )
    assert found.item_ids == [str(first), str(second)]


def test_a_paper_oddity_recorded_in_the_source_is_a_finding_once_per_line() -> None:
    """Several events cite one row (planned, submitted, approved): one entry per line."""
    s = programme()
    row = {
        "document": "003_b42c17e009099bb8.txt",
        "line": "437",
        "oddity": "outlier_sign_off_date: early",
    }
    item = s.deliverable("Catalogue of Business Issues", date(2020, 7, 15), [GLYN], ON, source=row)
    s.sign_off(item, GLYN, date(2020, 7, 15))
    merged = {
        "document": "003_b42c17e009099bb8.txt",
        "line": "391",
        "oddity": "merged_row: three in one\nstatus_in_approver_cell: 'd Post Transition'",
    }
    other = s.deliverable("Data in the system", date(2021, 1, 7), [GLYN], ON, source=merged)
    found = {f.code: f for f in findings(s.view())}
    assert found["outlier_sign_off_date"].message == (
        "A sign-off date far from every other: early (003 line 437)"
    )
    assert found["outlier_sign_off_date"].item_ids == [str(item)]
    assert (
        found["merged_row"].message
        == "A row that holds several deliverables: three in one (003 line 391)"
    )
    assert found["status_in_approver_cell"].item_ids == [str(other)]
    codes = [f.code for f in findings(s.view())]
    assert (
        codes.index("merged_row")
        < codes.index("status_in_approver_cell")
        < codes.index("outlier_sign_off_date")
    )
