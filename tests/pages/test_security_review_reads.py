"""The security review of issue 14, the findings about reads, against ``tracker serve`` with the
seeded programmes: the API's viewer in Chromium under its Content-Security-Policy (finding 9),
and the closure report's PDF made once and then served from memory (finding 10, with the
times measured)."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.pages.browsing import shoot
from tests.pages.serving import Site


def test_finding_9_the_schema_viewer_runs_in_chromium_from_this_site_alone(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    complaints: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.on("request", lambda request: fetched.append(request.url))
    try:
        answer = page.goto("/schema")
        assert answer is not None and answer.status == 200
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy
        page.wait_for_selector(".opblock", timeout=20_000)
        assert page.locator(".opblock").count() >= 40
        page.locator(".opblock-summary").first.click()
        page.wait_for_selector(".opblock-body", timeout=5_000)
        shoot(page, "schema-viewer")
    finally:
        context.close()
    assert complaints == [], complaints  # a CSP refusal would be logged here
    assert fetched and all(url.startswith(site.base_url + "/") for url in fetched), fetched
