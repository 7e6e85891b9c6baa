"""The security review of issue 14, the findings about reads, against ``tracker serve`` with the
seeded programmes: the API's viewer in Chromium under its Content-Security-Policy (finding 9),
and the closure report's PDF made once and then served from memory (finding 10, with the
times measured)."""

from __future__ import annotations

import re
import time
from contextlib import closing

import httpx
from playwright.sync_api import Browser
from prometheus_client.parser import text_string_to_metric_families

from tests.pages.browsing import shoot
from tests.pages.given import BTLS
from tests.pages.serving import Site

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def signed_in(site: Site, token: str) -> httpx.Client:
    client = httpx.Client(base_url=site.base_url, timeout=30)
    found = CSRF_FIELD.search(client.get("/sign-in").text)
    assert found is not None
    answer = client.post("/sign-in", data={"_csrf_token": found.group(1), "token": token})
    assert answer.status_code == 303, answer.text
    return client


def pdf_lookups(site: Site) -> dict[str, float]:
    text = httpx.get(f"{site.base_url}/metrics", timeout=10).text
    found = {"hit": 0.0, "render": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "tracker_document_cache_total" and sample.labels["kind"] == "pdf":
                found[sample.labels["result"]] = float(sample.value)
    return found


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


def test_finding_10_the_closure_report_pdf_is_served_from_memory_after_it_is_made(
    site: Site,
) -> None:
    # An as-of date no other test asks for: the first request certainly renders.
    path = f"/programmes/{BTLS}/closure-report.pdf?as_of=2020-12-31"
    with closing(signed_in(site, site.given.glyn_token)) as client:
        before = pdf_lookups(site)
        started = time.perf_counter()
        first = client.get(path)
        first_ms = (time.perf_counter() - started) * 1000
        made = pdf_lookups(site)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            again = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert again.status_code == 200 and again.content == first.content
        after = pdf_lookups(site)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert made["render"] - before["render"] == 1
    assert after["render"] == made["render"] and after["hit"] - made["hit"] == 5
    cached_ms = sorted(timings)[len(timings) // 2]
    print(
        f"closure report PDF, BTLS ({len(first.content)} bytes): first {first_ms:.0f} ms, "
        f"from memory {cached_ms:.1f} ms (median of 5)"
    )  # the counters above prove the cache; what it saves: python -m benchmarks.pdf_cache
