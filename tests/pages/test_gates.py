"""A phase gate on the programme page, in a real Chromium: open with what it waits for and no
button; once its deliverable is signed off in My sign-offs, ready with an Approve button for its
approver; approved from the page, passed, its flag filled on the timeline; axe-core clean at
each step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.pages.browsing import axe_violations, shoot, sign_in
from tests.pages.given import GATE, PROGRAMME, TO_GATE
from tests.pages.serving import Site


@pytest.fixture
def glyn_axe(browser: Browser, site: Site) -> Iterator[Page]:
    """Glyn Peach signed in, with the CSP bypassed so that axe-core can be injected."""
    context = browser.new_context(
        base_url=site.base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, site.given.glyn_token)
    yield page
    context.close()


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in axe_violations(page)
        if v["impact"] in ("serious", "critical")
    ]


def test_a_gate_waits_for_its_deliverable_then_is_approved_from_the_programme_page(
    glyn_axe: Page,
) -> None:
    page = glyn_axe
    page.goto(f"/programmes/{PROGRAMME}")
    gates = page.locator("section").filter(has=page.get_by_role("heading", name="Phase gates"))
    row = gates.get_by_role("row").filter(has_text=GATE)
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text(
        f"Deliverable '{TO_GATE}' is submitted: it waits for approval from: Glyn Peach"
    )
    expect(row.get_by_role("button")).to_have_count(0)  # nothing to approve yet
    flag = page.locator("svg.timeline g.gate")
    expect(flag).to_have_count(1)
    expect(flag).to_have_class("gate gate-open")
    expect(flag.locator("text")).to_contain_text(f"Gate 1: {GATE} (Open, criteria due")
    assert _serious(page) == []
    shoot(page, "gate-open")

    page.goto("/my/sign-offs")
    card = page.locator(".signoff-card").filter(has_text=TO_GATE)
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_have_text(f"Approved '{TO_GATE}'.")
    gate_card = page.locator(".signoff-card").filter(has_text=GATE)
    expect(gate_card).to_contain_text("Phase gate (ready to pass)")

    page.goto(f"/programmes/{PROGRAMME}")
    expect(row).to_contain_text("Ready: awaiting approval")
    expect(row).to_contain_text("Nothing: every deliverable and milestone is done")
    expect(flag).to_have_class("gate gate-ready")
    assert _serious(page) == []
    row.get_by_role("button", name=f"Approve gate {GATE}").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}")
    expect(page.get_by_role("status").first).to_have_text(f"Approved gate '{GATE}'.")
    expect(row).to_contain_text("Passed")
    expect(row).to_contain_text("Glyn Peach")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(flag).to_have_class("gate gate-passed")
    assert _serious(page) == []
    shoot(page, "gate-passed")

    page.goto(f"/programmes/{PROGRAMME}/closure-report")
    expect(page.get_by_role("heading", name="Phase gates")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=GATE)).to_contain_text("Passed")
