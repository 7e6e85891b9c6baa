"""Helpers of the browser tests: signing in, screenshots, axe-core, the phone check."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Page

from tests.databases import in_ci

ROOT: Final = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = ROOT / "test-artifacts" / "pages"
CHROMIUM: Final = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE: Final = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE: Final = {"width": 390, "height": 844}


def need(path: Path, what: str) -> None:
    """Present, or skip (locally) / fail (CI=true): CI must never pass without the browser."""
    if path.exists():
        return
    message = f"{what} is missing at {path}: .ci/run installs it"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def sign_in(page: Page, token: str, next_path: str = "/") -> None:
    page.goto(f"/sign-in?next={next_path}")
    page.get_by_label("Your access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shoot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.0-2.2 A and AA, best practice)."""
    need(AXE, "axe-core (npm, tests/pages/package.json)")
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    found: list[dict[str, Any]] = result["violations"]
    return found


def record_axe(name: str, violations: list[dict[str, Any]]) -> None:
    """Append the page's violations by impact to test-artifacts/pages/axe-results.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "axe-results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results[name] = {
        "violations": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": len(v["nodes"]),
                "targets": [n["target"] for n in v["nodes"][:5]],
            }
            for v in violations
        ]
    }
    path.write_text(json.dumps(results, indent=2, sort_keys=True))


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: it fits)."""
    overflow: int = page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    return overflow
