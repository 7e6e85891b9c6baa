"""The closure report as JSON, Markdown and CSV, and the content hash."""

from __future__ import annotations

import csv
import io
from datetime import date

import msgspec

from tests.projections.builders import Script, month
from tests.projections.story import CALENDAR, GABBY, THRESHOLDS, TODAY, small_programme
from tracker.projections.reports.closure_formats import (
    CSV_COLUMNS,
    none_text,
    to_csv,
    to_json,
    to_markdown,
)
from tracker.projections.reports.closure_report import (
    CARRIED_FORWARD_HEADING,
    ClosureReport,
    closure_report,
)
from tracker.projections.reports.sealing import canonical_json, content_hash, verify


def render() -> ClosureReport:
    script, _ = small_programme()
    return closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)


def test_markdown_has_the_papers_tables_and_ends_with_position_and_hash() -> None:
    r = render()
    text = to_markdown(r)
    assert "| Name | RACI | Transition Role | Deputies |" in text
    assert "| Mike Kirby | A | Sponsor | Glyn Peach |" in text
    assert "| Glyn Peach | R | Transition Lead Officer |  |" in text
    assert "| 2 | LCC are able to support the business | In Progress |  | Amber | Amber |" in text
    assert (
        "| 1. LCC have the management structure to run the service | Management team in place "
        "| Glyn Peach | Signed Off | 04/01/2021 | Green |"
    ) in text
    assert "|  | Key staff gaps filled | Glyn Peach on behalf of Mike Kirby | Signed Off |" in text
    assert "| Gabby Nelson; awaiting Paul Sutcliffe | Submitted | 18/03/2021 | Amber |" in text
    assert "| All supplier contracts novated |  | Post Transition |  | Amber |" in text
    assert "Still missing: Gabby Nelson, Mike Kirby" in text
    assert "| Ref | Description | Impact | Owner | Latest Update | RAG | Status |" in text
    assert text.rstrip().endswith(f"Position: {r.position}\n\nContent hash: {r.content_hash}")


def test_markdown_lists_carried_forward_deliverables_under_the_recorded_next_steps() -> None:
    text = to_markdown(render())
    steps, _, rest = text.partition("## 9. Next steps (agreed closure actions)")[2].partition(
        f"### {CARRIED_FORWARD_HEADING}"
    )
    assert "added by the tracker, not in the report's next steps" in CARRIED_FORWARD_HEADING
    assert "| 1 | Joint lessons learned session to be held |" in steps
    assert "Carry forward" not in steps
    carried = rest.partition("## RAG and delivery confidence")[0]
    assert "| 1 | Carry forward 'All supplier contracts novated' (Post Transition: " in carried


def test_markdown_escapes_pipes_in_cells() -> None:
    script, _ = small_programme()
    script.next_step(2, "Split A | B", "Glyn Peach", date(2021, 3, 12))
    text = to_markdown(closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS))
    assert "| 2 | Split A \\| B | Glyn Peach |" in text


def test_csv_has_one_row_per_deliverable_then_per_milestone_with_position_and_hash() -> None:
    r = render()
    rows = list(csv.DictReader(io.StringIO(to_csv(r))))
    assert [row["kind"] for row in rows] == ["deliverable"] * 4 + ["milestone"] * 3
    assert len(rows) == len(r.deliverables) + len(r.milestones) == 7
    assert (rows[4]["deliverable"], rows[4]["status"], rows[4]["date"]) == (
        "Cycle 1 testing complete",
        "Achieved",
        "2021-02-01",
    )
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["outcome"] == "1. LCC have the management structure to run the service"
    assert rows[0]["source_row"] == "document=003; row=2; table=4"
    assert rows[1]["approved_by"] == "Glyn Peach on behalf of Mike Kirby"
    assert (rows[3]["status"], rows[3]["date"], rows[3]["rag"]) == ("Post Transition", "", "amber")
    assert rows[2]["reasons"].startswith("Amber: 'Catalogue Matrix of Services' due in 4")
    assert {row["position"] for row in rows} == {str(r.position)}
    assert {row["content_hash"] for row in rows} == {r.content_hash}


def test_json_round_trips_and_the_hash_verifies() -> None:
    r = render()
    decoded = msgspec.json.decode(to_json(r), type=ClosureReport)
    assert decoded == r
    assert verify(decoded)
    assert len(r.content_hash) == 64
    assert b"content_hash" not in canonical_json(r)


def test_content_hash_is_stable_across_renders_and_changes_with_an_event() -> None:
    first, second = render(), render()
    assert first.content_hash == second.content_hash
    assert to_markdown(first) == to_markdown(second)
    script, _ = small_programme()
    script.endorse_closure(GABBY, date(2021, 3, 12))
    changed = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert changed.content_hash != first.content_hash


def test_a_tampered_report_fails_verification() -> None:
    r = render()
    tampered = msgspec.structs.replace(r, rag="green")
    assert not verify(tampered)
    assert content_hash(tampered) != r.content_hash


def test_a_programme_of_milestones_only_is_not_an_empty_table_nor_claims_no_risks() -> None:
    """004's programmes have milestones and no RAID log: the CSV lists the milestones, and the
    report says no risks are *recorded*, not that there are none (issue 17)."""
    script = Script("asset-management-system")
    on = date(2012, 10, 1)
    script.register("Asset Management System", on, starts_on=on, planned_end_on=date(2016, 7, 31))
    done = script.milestone("Establish Business Requirements", month(2012, 10), on)
    script.achieve(done, month(2012, 10), date(2012, 10, 31))
    script.milestone("Implement PPMS", month(2016, 7), on)
    r = closure_report(script.view(), date(2014, 3, 4), CALENDAR, THRESHOLDS)
    rows = list(csv.DictReader(io.StringIO(to_csv(r))))
    assert [(row["kind"], row["deliverable"], row["status"], row["date"]) for row in rows] == [
        ("milestone", "Establish Business Requirements", "Achieved", "October 2012"),
        ("milestone", "Implement PPMS", "Forecast", "July 2016"),
    ]
    text = to_markdown(r)
    assert "No risks recorded" in text and "No issues recorded" in text
    assert "|  | No risks |" not in text


def test_an_approved_closure_report_says_no_risks_as_the_paper_does() -> None:
    script, _ = small_programme()
    approved = closure_report(script.view(), TODAY, CALENDAR, THRESHOLDS)
    assert none_text(approved, "risks") == "No risks recorded"  # submitted, not approved
    signed = msgspec.structs.replace(
        approved, sign_off=msgspec.structs.replace(approved.sign_off, state="signed_off")
    )
    assert none_text(signed, "risks") == "No risks"
