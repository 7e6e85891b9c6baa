"""Importing a spreadsheet from the programme page, in a real Chromium: upload, preview with
the bad rows marked, confirm; refused to who may not plan; axe-core clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.pages.browsing import axe_violations, shoot, sign_in
from tests.pages.serving import Site

OPEN = "asset-management-system"
BAD = "Milestone,Baseline\nCorporate property data migrated,March 2014\nGo live,Sometime\n"
GOOD = "Milestone,Baseline\nCorporate property data migrated,March 2014\nGo live,30/06/2014\n"


@pytest.fixture
def office(browser: Browser, site: Site) -> Iterator[Page]:
    """A desktop browser signed in as the programme office (admin); axe-core is injected, so
    the page's CSP is bypassed (as tests/pages/test_accessibility.py does)."""
    context = browser.new_context(
        base_url=site.base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, site.given.admin_token)
    yield page
    context.close()


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in axe_violations(page)
        if v["impact"] in ("serious", "critical")
    ]


def _upload(page: Page, tmp_path: Path, text: str) -> None:
    sheet = tmp_path / "milestones.csv"
    sheet.write_text(text)
    page.goto(f"/programmes/{OPEN}")
    page.get_by_role("link", name="Import a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a spreadsheet")
    page.get_by_label("Spreadsheet (.xlsx or .csv, at most 5 MB)").set_input_files(str(sheet))
    page.get_by_label("What it holds").select_option("milestones")
    page.get_by_role("button", name="Preview").click()


def test_upload_preview_and_confirm_write_the_rows_and_bad_rows_write_nothing(
    office: Page, tmp_path: Path
) -> None:
    _upload(office, tmp_path, BAD)
    errors = office.get_by_role("table", name="Rows with errors")
    expect(errors.get_by_role("row")).to_have_count(2)  # the header and row 3
    expect(errors).to_contain_text("Sometime")
    expect(office.get_by_role("button", name="Confirm: write 1 changes")).to_have_count(0)
    assert _serious(office) == []
    shoot(office, "import-preview-errors")

    _upload(office, tmp_path, GOOD)
    changes = office.get_by_role("table", name="Changes, in row order")
    expect(changes).to_contain_text("Corporate property data migrated")
    expect(changes).to_contain_text("Baseline")
    assert _serious(office) == []
    office.get_by_role("button", name="Confirm: write 2 changes").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Asset Management System")
    expect(office.get_by_role("status").first).to_contain_text(
        "Imported milestones.csv: 2 changes written"
    )
    expect(office.locator("main")).to_contain_text("Go live")

    _upload(office, tmp_path, GOOD)  # the same file again: nothing to write
    expect(office.locator("main")).to_contain_text("Nothing to change.")


def test_someone_who_may_not_plan_the_programme_is_told_so(glyn: Page, tmp_path: Path) -> None:
    sheet = tmp_path / "milestones.csv"
    sheet.write_text(GOOD)
    glyn.goto(f"/programmes/{OPEN}/import")
    glyn.get_by_label("Spreadsheet (.xlsx or .csv, at most 5 MB)").set_input_files(str(sheet))
    glyn.get_by_role("button", name="Preview").click()
    expect(glyn.get_by_role("alert")).to_contain_text("Not imported:")
