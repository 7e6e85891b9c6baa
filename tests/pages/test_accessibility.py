"""Every page, in Chromium at desktop and phone sizes: axe-core finds no serious or critical
violation (WCAG 2.0 to 2.2, A and AA), the page fits a phone's width without sideways
scrolling, and the keyboard reaches everything. Screenshots and the axe results by impact are
kept in test-artifacts/pages/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.pages.browsing import (
    PHONE,
    axe_violations,
    horizontal_overflow,
    record_axe,
    shoot,
    sign_in,
)
from tests.pages.given import BTLS, PROGRAMME
from tests.pages.serving import Site

PAGES: Final = {
    "portfolio": "/",
    "portfolio-filtered": "/?status=active&rag=red",
    "programme": f"/programmes/{PROGRAMME}",
    "programme-btls": f"/programmes/{BTLS}",
    "programme-as-of": f"/programmes/{BTLS}?as_of=2021-01-01",
    "closure-report": f"/programmes/{BTLS}/closure-report",
    "my-sign-offs": "/my/sign-offs",
    "not-allowed": "/programmes/documentum-dms",
}
SERIOUS: Final = frozenset({"serious", "critical"})


@pytest.fixture(params=["desktop", "phone"])
def context(
    request: pytest.FixtureRequest, browser: Browser, site: Site
) -> Iterator[BrowserContext]:
    """A signed-in context; ``bypass_csp`` lets axe-core be injected as a script."""
    size = PHONE if request.param == "phone" else {"width": 1280, "height": 900}
    opened = browser.new_context(
        base_url=site.base_url,
        viewport=size,
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        locale="en-GB",
        bypass_csp=True,
    )
    sign_in(opened.new_page(), site.given.glyn_token)
    yield opened
    opened.close()


def _check(page: Page, name: str) -> None:
    shoot(page, name)
    violations = axe_violations(page)
    record_axe(name, violations)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in SERIOUS
    ]
    assert not serious, serious


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations_and_fits_the_screen(
    context: BrowserContext, name: str, request: pytest.FixtureRequest
) -> None:
    size = request.node.callspec.params["context"]
    page = context.new_page()
    page.goto(PAGES[name])
    for details in page.locator("details").all()[:6]:
        details.evaluate("d => d.open = true")  # check the reasons' contents too
    _check(page, f"{name}-{size}")
    assert horizontal_overflow(page) == 0


def test_sign_in_and_error_pages_are_accessible(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.base_url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto("/sign-in")
    _check(page, "sign-in-phone")
    page.get_by_role("button", name="Sign in").click()  # empty: the browser asks for it
    page.get_by_label("Your access token").fill("trk_wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    _check(page, "sign-in-error-phone")
    assert horizontal_overflow(page) == 0
    context.close()


def test_the_keyboard_reaches_the_main_content_and_the_actions(glyn: Page) -> None:
    glyn.goto("/my/sign-offs")
    glyn.keyboard.press("Tab")
    skip = glyn.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    glyn.keyboard.press("Enter")
    expect(glyn.locator("main")).to_be_focused()
    for _ in range(30):
        glyn.keyboard.press("Tab")
        focused = glyn.evaluate("() => document.activeElement.textContent.trim()")
        if focused in ("Approve", "Endorse"):
            break
    else:
        pytest.fail("no sign-off action reachable by Tab")
    outline = glyn.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
