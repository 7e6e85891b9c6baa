"""Fixtures of the page tests: the app served by a real ``tracker serve`` process on a free port
over a seeded SQLite file (``site``), and Debian's Chromium driven by Playwright (``browser``).

Chromium (``/usr/bin/chromium``, or ``TRACKER_TEST_CHROMIUM``) and axe-core
(``tests/pages/node_modules``) are installed by ``.ci/run``; without them the browser tests skip
locally and fail when ``CI=true``. Screenshots and axe results go to ``test-artifacts/pages/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.pages.browsing import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, need, sign_in
from tests.pages.given import given_seeded
from tests.pages.serving import Site, run_async, serving


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("pages")
    url = f"sqlite+aiosqlite:///{folder / 'tracker.db'}"
    given = run_async(given_seeded(url))
    with serving(url, folder / "serve.log") as base:
        yield Site(base_url=base, given=given)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    need(Path(CHROMIUM), "Chromium (Debian's chromium package)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def glyn(browser: Browser, site: Site) -> Iterator[Page]:
    """A desktop browser signed in as Glyn Peach (member)."""
    context = browser.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, site.given.glyn_token)
    yield page
    context.close()
