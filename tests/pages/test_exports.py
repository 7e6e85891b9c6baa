"""The exports' contents, from the seeded BTLS and Liquidlogic programmes: the XLSX workbooks'
sheets and rows, the deliverables CSV, text never turned into a formula, and the PDF's text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from api.pages import closure_workbook, exports
from api.pages.pdf import html_to_pdf
from api.pages.router import environment
from seed import load_seed
from tests.pages.given import BTLS
from tests.pages.serving import run_async
from tracker.clock import FixedClock
from tracker.events.open import open_store
from tracker.migrations import upgrade_async
from tracker.projections.read_model.reader import fold_from_store
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.closure_report import ClosureReport
from tracker.projections.reports.csv_cells import cell_text
from tracker.projections.reports.question import ask
from tracker.projections.reports.signoff_status import SignOffStatus
from tracker.settings import Settings

TODAY = date(2021, 4, 20)


class Reports:
    def __init__(self, btls: ClosureReport, signoffs: SignOffStatus, outcomes: dict[int, str]):
        self.btls = btls
        self.signoffs = signoffs
        self.outcomes = outcomes


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('exports') / 'tracker.db'}"

    async def build() -> Reports:
        await upgrade_async(url)
        clock = FixedClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
        store = open_store(Settings(database_url=url), clock=clock)
        try:
            await load_seed(store, clock)
            view = await fold_from_store(store, BTLS)
            btls = render("closure-report", view, ask(today=TODAY))
            then = ask(as_of=TODAY)
            signoffs = render(
                "signoffs", await fold_from_store(store, BTLS, as_of=then.as_of), then
            )
        finally:
            await store.close()
        return Reports(btls, signoffs, dict(view.outcomes))

    yield run_async(build())


def test_the_closure_workbook_has_a_sheet_per_section_and_names_its_question(
    reports: Reports,
) -> None:
    book = load_workbook(io.BytesIO(closure_workbook.closure_xlsx(reports.btls)))
    assert book.sheetnames == [
        "Summary",
        "Roles",
        "Outcomes",
        "Deliverables",
        "Milestones",
        "Learning points",
        "Issues and risks",
        "Recommendations",
        "Next steps",
        "Carried forward (tracker)",
        "Data quality",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Report date"] == datetime(2021, 4, 20)  # 003 line 323
    assert summary["Presented by"] == (
        "Glyn Peach - Chief Digital Officer\nGabby Nelson - Head of Special Projects"
    )  # 003 lines 320-321
    assert book["Next steps"].max_row == 2  # the header and the paper's one step (line 510)
    assert book["Carried forward (tracker)"].max_row == 10  # the nine Post Transition rows
    assert summary["Content hash"] == reports.btls.content_hash
    assert summary["Position"] == reports.btls.position
    deliverables = list(book["Deliverables"].iter_rows(min_row=2, values_only=True))
    assert len(deliverables) == 70
    assert sum(1 for r in deliverables if r[3] == "Signed Off") == 61
    assert sum(1 for r in deliverables if r[3] == "Post Transition") == 9
    assert book["Outcomes"].max_row == 11  # the header and ten outcomes


def test_the_deliverables_exports_list_every_signature_and_who_is_missing(
    reports: Reports,
) -> None:
    rows = list(
        csv.DictReader(io.StringIO(exports.deliverables_csv(reports.signoffs, reports.outcomes)))
    )
    assert len(rows) == 70 and list(rows[0]) == list(exports.DELIVERABLE_COLUMNS)
    incident = next(r for r in rows if r["deliverable"].endswith("Incident Management"))
    assert incident["state"] == "planned" and incident["signed_off"] == ""  # 27/11/2021, later
    assert rows[0]["outcome"].startswith("1. LCC have the management structure")
    book = load_workbook(io.BytesIO(exports.deliverables_xlsx(reports.signoffs, reports.outcomes)))
    assert book["Deliverables"].max_row == 71


def test_text_that_looks_like_a_formula_stays_text() -> None:
    assert cell_text('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell_text("+1") == "'+1" and cell_text("plain") == "plain"
    assert cell_text("\t=1") == "'\t=1" and cell_text("\r@x") == "'\r@x"
    assert cell_text(-3) == "-3" and cell_text(None) == ""
    made = exports.book("t")
    exports.sheet(made, "S", ("a",), [("=1+1",)])
    cell = made["S"]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_the_closure_pdf_carries_the_report_text(reports: Reports) -> None:
    html = environment().get_template("closure_pdf.html").render(report=reports.btls, title="t")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(html_to_pdf(html))).pages)
    for expected in (
        "Programme Closure Report",
        "Key Transition Roles",
        "Post Transition",
        "Content hash",
        "Mike Kirby",
    ):
        assert expected in text, expected
    assert reports.btls.content_hash in text.replace("\n", "")


def test_the_closure_page_body_has_the_papers_headings_date_and_presenters(
    reports: Reports,
) -> None:
    html = environment().get_template("closure_pdf.html").render(report=reports.btls, title="t")
    for expected in (
        "<h2>Key Transition Roles</h2>",  # 003 line 333
        "<h2>3. Governance</h2>",  # line 364
        "<h2>3. Outcomes</h2>",  # line 370
        "<h2>4. Socitm deliverables</h2>",  # lines 386, 416, 442
        "<h2>5. Key learning points: successes, areas for improvements, gaps</h2>",  # line 474
        "<h2>8. Next steps (agreed closure actions)</h2>",  # line 507
        "Report date: 20/04/2021",  # line 323
        "Presented by: Glyn Peach - Chief Digital Officer; Gabby Nelson - Head of Special "
        "Projects.",  # lines 320-321
        "added by the tracker, not in the report's next steps",
    ):
        assert expected in html, expected
    assert "<h2>5. Deliverables</h2>" not in html and "9. Next steps" not in html
