"""The BTLS closure report as the council's paper has it (issue 17): its section numbers and
titles, its date and presenters, its one next step, and no colour or finding before 20 April
2021 that the paper never had. Every expectation names its line of
``003_b42c17e009099bb8.txt``, typed here from the paper independently of ``seed/``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.seed.conftest import Seeded
from tests.seed.reading import end_of
from tracker.calendar import WorkingCalendar
from tracker.projections.read_model.reader import fold_from_store
from tracker.projections.reports.closure_formats import to_csv, to_markdown
from tracker.projections.reports.closure_report import ClosureReport, closure_report, heading
from tracker.projections.reports.data_quality import findings
from tracker.rag import RagThresholds

pytestmark = pytest.mark.asyncio(loop_scope="package")

KEY = "btls-transition"
PAPER = Path(__file__).parents[3] / "shared" / "seeds" / "003_b42c17e009099bb8.txt"
REPORT_DAY = date(2021, 4, 20)

# Every section heading from the report's start (line 327), as printed, with its line.
SECTIONS = [
    ("roles", 333, "", "Key Transition Roles"),
    ("purpose", 348, "1", "Purpose of this document"),
    ("scope", 352, "2", "Scope of the assignment"),
    ("governance", 364, "3", "Governance"),
    ("outcomes", 370, "3", "Outcomes"),
    ("deliverables", 386, "4", "Socitm deliverables"),
    ("learning_points", 474, "5", "Key learning points: successes, areas for improvements, gaps"),
    ("issues_and_risks", 486, "6", "Issues and risks"),
    ("recommendations", 496, "7", "Close-out recommendations"),
    ("next_steps", 507, "8", "Next steps (agreed closure actions)"),
]
# Lines 320-321, under "Digital Services & ICT" (318), dated "20th April 2021" (323).
PRESENTERS = [
    (320, "Glyn Peach - Chief Digital Officer"),
    (321, "Gabby Nelson - Head of Special Projects"),
]
# The nine "Post Transition" rows: no date, no approver.
POST_TRANSITION_LINES = (391, 398, 412, 419, 435, 465, 466, 468, 470)


def paper_line(number: int) -> str:
    return PAPER.read_text(encoding="utf-8").splitlines()[number - 1]


async def report(seeded: Seeded, on: date | None = None) -> ClosureReport:
    as_of = end_of(on) if on is not None else None
    view = await fold_from_store(seeded.store, KEY, as_of=as_of)
    today = on or date(2026, 1, 1)
    return closure_report(view, today, WorkingCalendar(), RagThresholds(), as_of=as_of)


@pytest.mark.skipif(not PAPER.exists(), reason="the source papers are not beside the repository")
async def test_the_expected_headings_and_presenters_are_the_papers_lines() -> None:
    for _, line, number, title in SECTIONS:
        printed = f"{number}. {title}" if number else title
        assert paper_line(line).startswith(printed), (line, paper_line(line))
    assert [paper_line(n) for n in (416, 442)] == [
        "4. Socitm deliverables (2/3)",
        "4. Socitm deliverables (3/3)",
    ]
    assert [paper_line(line) for line, _ in PRESENTERS] == [text for _, text in PRESENTERS]
    assert paper_line(323) == "20th April 2021"


async def test_the_report_carries_the_papers_section_numbers_and_titles(seeded: Seeded) -> None:
    for on in (REPORT_DAY, None):
        r = await report(seeded, on)
        assert [(s.part, s.number, s.title) for s in r.sections] == [
            (part, number, title) for part, _, number, title in SECTIONS
        ]
        assert all(s.from_paper for s in r.sections)
        assert heading(r, "deliverables") == "4. Socitm deliverables"
        assert heading(r, "next_steps") == "8. Next steps (agreed closure actions)"
    lines = (await report(seeded)).submission_source["sections_lines"]
    assert "deliverables 386, 416, 442" in lines
    assert "outcomes 370" in lines and "governance 364" in lines


async def test_markdown_numbers_the_sections_as_the_paper_does(seeded: Seeded) -> None:
    text = to_markdown(await report(seeded, REPORT_DAY))
    shown = [line for line in text.splitlines() if line.startswith("## ")]
    expected = [
        f"## {number}. {title}" if number else f"## {title}" for _, _, number, title in SECTIONS
    ]
    assert [h for h in shown if h in expected] == expected
    assert "## 9. Next steps" not in text and "## 5. Deliverables" not in text


async def test_before_its_submission_the_report_has_the_generic_headings_and_today(
    seeded: Seeded,
) -> None:
    r = await report(seeded, date(2021, 4, 19))
    assert heading(r, "deliverables") == "5. Deliverables"
    assert not any(s.from_paper for s in r.sections)
    assert r.report_date == date(2021, 4, 19) and r.presenters == []


async def test_the_report_is_dated_the_day_presented_with_its_presenters(seeded: Seeded) -> None:
    for on in (REPORT_DAY, REPORT_DAY + timedelta(days=30), None):
        r = await report(seeded, on)
        assert r.report_date == REPORT_DAY  # line 323
        assert r.presenters == [text for _, text in PRESENTERS]  # lines 320-321
    source = (await report(seeded)).submission_source
    assert source["presenters_lines"].startswith("318 (section), 320, 321")
    text = to_markdown(await report(seeded, REPORT_DAY + timedelta(days=30)))
    assert (
        "Report date: 2021-04-20. Presented by: Glyn Peach - Chief Digital Officer; "
        "Gabby Nelson - Head of Special Projects."
    ) in text


async def test_next_steps_are_the_papers_one_and_deferred_rows_are_listed_apart(
    seeded: Seeded,
) -> None:
    r = await report(seeded)
    assert [(n.number, n.description, n.responsible) for n in r.next_steps] == [
        (
            1,
            "Joint LCC / Socitm Advisory lessons learned session to be held",
            "Glyn Peach / Antony Draper",
        )
    ]  # line 510
    assert r.next_steps[0].source["line"] == "510"
    assert len(r.carried_forward) == 9
    assert all(n.carried_forward for n in r.carried_forward)
    text = to_markdown(r)
    table = text.partition("## 8. Next steps (agreed closure actions)")[2].partition("###")[0]
    assert table.count("\n| 1 |") == 1 and "Carry forward" not in table


async def test_post_transition_rows_have_an_assumed_due_date_shown_so(seeded: Seeded) -> None:
    r = await report(seeded, date(2021, 4, 19))
    undated = [d for d in r.deliverables if int(d.source["line"]) in POST_TRANSITION_LINES]
    assert len(undated) == 9
    assert all(d.due_assumed and d.date == date(2021, 4, 1) for d in undated)
    assert not any(d.due_assumed for d in r.deliverables if d not in undated)
    csv_text = to_csv(r)
    assert csv_text.count("2021-04-01 (assumed)") == 9
    assert to_markdown(r).count("01/04/2021 (assumed)") == 9


@pytest.mark.parametrize("day", range(1, 20))
async def test_before_the_report_no_post_transition_row_is_red_nor_lacks_an_approver(
    seeded: Seeded, day: int
) -> None:
    on = date(2021, 4, day)
    r = await report(seeded, on)
    undated = [d for d in r.deliverables if int(d.source["line"]) in POST_TRANSITION_LINES]
    assert [d.rag for d in undated] == ["green"] * 9, [d.rag_reasons for d in undated]
    assert all("assumed" in d.rag_reasons[0] for d in undated)
    flagged = [reason for reason in r.rag_reasons if not reason.startswith("Green")]
    assert not any(d.title in reason for d in undated for reason in flagged), flagged
    assert r.rag == "green", r.rag_reasons  # every other row was signed off or due later
    view = await fold_from_store(seeded.store, KEY, as_of=end_of(on))
    assert [f for f in findings(view) if f.code == "no_approver"] == []


async def test_after_the_report_the_findings_are_unchanged(seeded: Seeded) -> None:
    r = await report(seeded)
    assert "no_approver" not in {f.code for f in r.data_quality}
    deferred = [d for d in r.deliverables if int(d.source["line"]) in POST_TRANSITION_LINES]
    assert [(d.status, d.rag, d.date) for d in deferred] == [("Post Transition", "amber", None)] * 9


async def test_each_outcome_shows_the_status_the_paper_printed_beside_the_trackers(
    seeded: Seeded,
) -> None:
    """3. Outcomes (lines 373-382) prints "Complete" for all ten. On the report's day the
    tracker's own status for outcome 5 is not Complete (line 436 is signed off on 27/11/2021):
    the two stand side by side, in the model and in the Markdown."""
    on_the_day = await report(seeded, REPORT_DAY)
    assert [(o.number, o.paper_status) for o in on_the_day.outcomes] == [
        (n, "Complete") for n in range(1, 11)
    ]
    fifth = on_the_day.outcomes[4]
    assert fifth.number == 5 and fifth.status != "Complete"
    assert "| Status | Status in the paper |" in to_markdown(on_the_day)
    later = await report(seeded)
    assert all(o.status == o.paper_status == "Complete" for o in later.outcomes)
