"""The main path of the pages once more with ``tracker serve`` on PostgreSQL (production's
database): sign in, portfolio, a programme as of a date, approve, the report changes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from playwright.sync_api import Browser, expect

from tests.databases import ADMIN_DSN, in_ci, postgres_reachable
from tests.pages.browsing import shoot, sign_in
from tests.pages.given import BTLS, PROGRAMME, TO_APPROVE, given_seeded
from tests.pages.serving import Site, run_async, serving

pytestmark = pytest.mark.postgres


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not run_async(postgres_reachable()):
        if in_ci():
            pytest.fail(f"PostgreSQL is unreachable at {ADMIN_DSN} and CI=true: tests must run")
        pytest.skip(f"PostgreSQL is unreachable at {ADMIN_DSN}")
    name = f"tracker_pages_{uuid.uuid4().hex[:12]}"
    run_async(_admin(f'CREATE DATABASE "{name}"'))
    base, _, _ = ADMIN_DSN.rpartition("/")
    url = f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        given = run_async(given_seeded(url))
        log: Path = tmp_path_factory.mktemp("pages-pg") / "serve.log"
        with serving(url, log) as served:
            yield Site(base_url=served, given=given)
    finally:
        run_async(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_the_pages_work_on_postgresql(browser: Browser, pg_site: Site) -> None:
    context = browser.new_context(base_url=pg_site.base_url)
    page = context.new_page()
    sign_in(page, pg_site.given.glyn_token)
    expect(page.get_by_role("status")).to_have_text("Showing 2 of 2 programmes.")
    page.goto(f"/programmes/{BTLS}?as_of=2021-01-01")
    expect(page.locator("#lifecycle")).to_contain_text("Active")
    page.goto("/my/sign-offs")
    page.locator(".signoff-card").filter(has_text=TO_APPROVE).get_by_role(
        "button", name="Approve"
    ).click()
    expect(page.get_by_role("status").first).to_have_text(f"Approved '{TO_APPROVE}'.")
    page.goto(f"/programmes/{PROGRAMME}/closure-report")
    row = page.get_by_role("row").filter(has_text=TO_APPROVE).first.inner_text()
    assert re.search(r"Glyn Peach\s+Signed Off", row), row
    shoot(page, "postgres-closure-report-after-approval")
    context.close()
