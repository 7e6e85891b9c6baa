"""The pages in a real headless Chromium against ``tracker serve``: signing in, the portfolio,
a programme and its earlier state, approving and returning, the printed closure report."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.pages.browsing import shoot, sign_in
from tests.pages.given import BTLS, PROGRAMME, SLIPPED, TO_APPROVE, TO_REFUSE, TO_RETURN
from tests.pages.serving import Site


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def deliverable_row(page: Page, title: str) -> str:
    return page.get_by_role("row").filter(has_text=title).first.inner_text()


def test_signing_in_with_a_token_opens_the_portfolio_and_signing_out_ends_it(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(base_url=site.base_url)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.get_by_label("Your access token").fill("trk_not-a-real-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not known or has been revoked")
    expect(page.get_by_label("Your access token")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Your access token").fill(site.given.glyn_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio")
    expect(page.get_by_text("Signed in as")).to_contain_text("Glyn Peach")
    cookies = {c["name"]: c for c in context.cookies()}
    assert (
        cookies["tracker_session"]["httpOnly"] and cookies["tracker_session"]["sameSite"] == "Lax"
    )
    assert cookies["tracker_csrf"]["httpOnly"] and cookies["tracker_csrf"]["sameSite"] == "Lax"
    assert site.given.glyn_token not in cookies["tracker_session"]["value"]
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.goto(f"/programmes/{BTLS}")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fprogrammes%2F" + BTLS))
    context.close()


def test_sign_in_returns_to_the_page_asked_for(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.base_url)
    page = context.new_page()
    page.goto(f"/programmes/{BTLS}?as_of=2021-01-01")
    page.get_by_label("Your access token").fill(site.given.glyn_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/programmes/{BTLS}\?as_of=2021-01-01$"))
    context.close()


def test_portfolio_shows_what_the_person_may_read_with_reasons_and_filters(glyn: Page) -> None:
    cards = (
        glyn.get_by_role("list", name="Programmes")
        .get_by_role("listitem")
        .filter(has=glyn.get_by_role("heading", level=2))
    )
    expect(cards).to_have_count(2)  # BTLS (roster R) and Liquidlogic (named approver)
    liquidlogic = cards.filter(has_text="Liquidlogic")
    expect(liquidlogic).to_contain_text("Active")
    expect(liquidlogic).to_contain_text("Red")
    expect(liquidlogic).to_contain_text("4 submitted")  # tests/pages/given.py submits four
    expect(liquidlogic.get_by_role("heading", name="Next milestones")).to_be_visible()
    trend = liquidlogic.get_by_role("img", name=re.compile(r"^Trend of Social Care"))
    expect(trend).to_have_attribute("aria-label", re.compile(r"a point a week: Red at every point"))
    expect(liquidlogic.locator("figure.trend figcaption")).to_have_text("Steady over 12 weeks")
    expect(trend.locator("polygon")).to_have_count(13)  # 13 weekly red triangles
    why = liquidlogic.locator("details.reasons").first
    why.locator("summary").focus()
    glyn.keyboard.press("Enter")  # the reasons open from the keyboard
    expect(why.locator("li").first).to_contain_text("Red:")
    glyn.get_by_label("Status").select_option("closed")
    glyn.get_by_role("button", name="Apply filters").click()
    expect(glyn.get_by_role("status")).to_have_text("Showing 1 of 2 programmes.")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("BTLS")
    glyn.get_by_label("Status").select_option("")
    glyn.get_by_label("RAG").select_option("red")
    glyn.get_by_role("button", name="Apply filters").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Liquidlogic")
    shoot(glyn, "flow-portfolio-filtered")


def test_a_programme_shows_its_earlier_state_as_of_a_chosen_date(glyn: Page) -> None:
    glyn.get_by_role("link", name="LCC / BTLS Transition").click()
    expect(glyn.get_by_role("heading", level=1)).to_have_text("LCC / BTLS Transition")
    expect(glyn.locator("#lifecycle")).to_contain_text("Closed")
    now = glyn.get_by_role("row").filter(has_text="Signed Off").count()
    assert now == 61
    glyn.get_by_label("Show the programme as it was on").fill("2021-01-01")
    glyn.get_by_role("button", name="Show").click()
    expect(glyn).to_have_url(re.compile(r"as_of=2021-01-01"))
    expect(glyn.get_by_text("Shown as it was on")).to_contain_text("1 January 2021")
    expect(glyn.locator("#lifecycle")).to_contain_text("Active")
    then = glyn.get_by_role("row").filter(has_text="Signed Off").count()
    assert 0 < then < now
    # The paper's 27/11/2021 sign-off is not there yet.
    row = deliverable_row(glyn, "Incident Management")
    assert "Signed Off" not in row
    shoot(glyn, "flow-programme-as-of-2021-01-01")
    glyn.get_by_role("link", name="Show it as it is now").click()
    expect(glyn.locator("#lifecycle")).to_contain_text("Closed")


def test_the_timeline_draws_baseline_forecast_actual_slippage_and_today(glyn: Page) -> None:
    glyn.goto(f"/programmes/{PROGRAMME}")
    chart = glyn.get_by_role("img", name=re.compile("Milestone timeline"))
    expect(chart).to_be_visible()
    svg = glyn.locator("svg.timeline")
    # 20 milestones of 004, 001's review, and the test's own slipped one: all but it achieved
    # (001 implies the go-lives), the two go-lives re-baselined from 000's dates.
    expect(svg.locator("g.ms")).to_have_count(22)
    expect(svg.locator("path.baseline")).to_have_count(22)
    expect(svg.locator("rect.actual")).to_have_count(21)
    expect(svg.locator("circle.forecast")).to_have_count(1)
    expect(svg.locator("line.slip.late")).to_have_count(1)
    expect(svg.locator("text.slip-label")).to_have_text([re.compile(r"^\+\d+ wd$")])
    expect(svg.locator("circle.original")).to_have_count(2)  # the go-lives, re-baselined
    expect(svg.locator("text.today-label")).to_contain_text("off the chart")
    row = deliverable_row(glyn, "September 2014")
    assert SLIPPED in row and "Red" in row
    glyn.get_by_label("Show the programme as it was on").fill("2014-01-15")
    glyn.get_by_role("button", name="Show").click()
    expect(svg.locator("line.today")).to_have_count(1)  # today is on the chart now
    expect(svg.locator("line.slip.late")).to_have_count(0)  # re-forecast in March 2014
    shoot(glyn, "flow-timeline-as-of-2014-01-15")


def test_approving_a_deliverable_goes_through_the_command_and_changes_the_report(
    glyn: Page,
) -> None:
    glyn.goto(f"/programmes/{PROGRAMME}/closure-report")
    before = deliverable_row(glyn, TO_APPROVE)
    assert "Submitted" in before and "awaiting Glyn Peach" in before
    hash_before = glyn.locator(".hash").inner_text()
    glyn.get_by_role("link", name="My sign-offs").click()
    card = glyn.locator(".signoff-card").filter(has_text=TO_APPROVE)
    expect(card).to_contain_text("Your approval")
    card.get_by_role("button", name="Approve").click()
    expect(glyn.get_by_role("status").first).to_have_text(f"Approved '{TO_APPROVE}'.")
    expect(glyn.locator(".signoff-card").filter(has_text=TO_APPROVE)).to_have_count(0)
    shoot(glyn, "flow-signoffs-after-approval")
    glyn.goto(f"/programmes/{PROGRAMME}/closure-report")
    after = deliverable_row(glyn, TO_APPROVE)
    assert "Signed Off" in after and "Glyn Peach" in after and "awaiting" not in after
    assert glyn.locator(".hash").inner_text() != hash_before
    glyn.goto(f"/programmes/{PROGRAMME}")
    assert "Signed Off" in deliverable_row(glyn, TO_APPROVE)


def test_returning_a_deliverable_needs_a_comment_and_shows_in_the_report(glyn: Page) -> None:
    glyn.goto("/my/sign-offs")
    card = glyn.locator(".signoff-card").filter(has_text=TO_RETURN)
    card.get_by_text("Return or defer").click()
    card.get_by_label("Comment for returning it").fill("Totals do not reconcile for ASH&W.")
    card.get_by_role("button", name="Return", exact=True).click()
    expect(glyn.get_by_role("status").first).to_have_text(f"Returned '{TO_RETURN}'.")
    glyn.goto(f"/programmes/{PROGRAMME}/closure-report")
    assert "Returned" in deliverable_row(glyn, TO_RETURN)


def test_a_read_only_token_is_refused_as_by_the_api(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.base_url)
    page = context.new_page()
    sign_in(page, site.given.paul_token, "/my/sign-offs")
    card = page.locator(".signoff-card").filter(has_text=TO_REFUSE)
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text("read-only token")
    expect(page.locator(".signoff-card").filter(has_text=TO_REFUSE)).to_have_count(1)
    context.close()


def test_a_form_without_its_csrf_token_is_refused(glyn: Page) -> None:
    glyn.goto("/my/sign-offs")
    card = glyn.locator(".signoff-card").filter(has_text=TO_REFUSE)
    expect(card).to_have_count(0)  # Paul's item: Glyn sees only his own
    glyn.goto("/")
    glyn.evaluate(
        "() => document.querySelectorAll('input[name=_csrf_token]').forEach(e => e.remove())"
    )
    glyn.get_by_role("button", name="Sign out").click()
    expect(glyn.get_by_role("heading", level=1)).to_have_text("This form could not be accepted")
    glyn.goto("/")
    expect(glyn.get_by_role("heading", level=1)).to_have_text("Portfolio")  # still signed in
    refused = glyn.request.post(
        "/my/sign-offs/approve",
        form={"kind": "deliverable", "item_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert refused.status == 403


def test_the_closure_report_prints_to_pdf_in_the_browser_and_as_a_download(glyn: Page) -> None:
    glyn.goto(f"/programmes/{BTLS}/closure-report")
    content_hash = glyn.locator(".hash").inner_text().removeprefix("Content hash: ")
    glyn.emulate_media(media="print")
    printed = pdf_text(glyn.pdf(format="A4", print_background=True))
    # A long line wraps where the page ends, and the PDF's text sets ligatures ("Oﬃcer").
    flowing = " ".join(unicodedata.normalize("NFKC", printed).split())
    for expected in (
        "Programme Closure Report: LCC / BTLS Transition",
        "Key Transition Roles",
        "1. Purpose of this document",
        "4. Socitm deliverables",  # the paper's numbering (003 line 386)
        "Post Transition",
        "8. Next steps",  # 003 line 507
        "Presented by: Glyn Peach - Chief Digital Officer",  # 003 line 320
        "Data quality",
    ):
        assert expected in flowing, expected
    assert content_hash in printed.replace("\n", "")
    assert "Sign out" not in printed and "My sign-offs" not in printed
    download = glyn.request.get(f"/programmes/{BTLS}/closure-report.pdf")
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    made = pdf_text(download.body())
    assert "Programme Closure Report: LCC / BTLS Transition" in made
    assert "Key Transition Roles" in made and "Glyn Peach" in made
    assert content_hash in made.replace("\n", "")


def test_the_pages_run_under_their_content_security_policy_without_errors(glyn: Page) -> None:
    problems: list[str] = []
    glyn.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    glyn.on("pageerror", lambda e: problems.append(str(e)))
    for path in ("/", f"/programmes/{PROGRAMME}", f"/programmes/{BTLS}/closure-report"):
        glyn.goto(path)
    expect(glyn.get_by_role("button", name="Print")).to_be_visible()  # the script ran
    assert not problems, problems


def test_the_exports_download_beside_the_pages(glyn: Page) -> None:
    glyn.goto(f"/programmes/{BTLS}?as_of=2021-01-01")
    links = {
        name: glyn.get_by_role("link", name=name).get_attribute("href")
        for name in (
            "Closure report (CSV)",
            "Closure report (XLSX)",
            "Deliverables (CSV)",
            "Deliverables (XLSX)",
            "Milestone calendar (iCalendar)",
        )
    }
    assert all(href and href.endswith("?as_of=2021-01-01") for href in links.values()), links
    answers = {name: glyn.request.get(str(href)) for name, href in links.items()}
    assert all(a.status == 200 for a in answers.values())
    closure_csv = answers["Closure report (CSV)"]
    assert closure_csv.text().startswith("id,outcome,deliverable,approved_by,status")
    assert "as-of-2021-01-01.csv" in closure_csv.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answers["Closure report (XLSX)"].body()))
    assert "Deliverables" in book.sheetnames and book["Summary"]["B4"].value == "Active"
    rows = list(csv.DictReader(io.StringIO(answers["Deliverables (CSV)"].text())))
    assert len(rows) == 70 and {r["state"] for r in rows} >= {"signed_off"}
    sheet = load_workbook(io.BytesIO(answers["Deliverables (XLSX)"].body()))["Deliverables"]
    assert sheet.max_row == 71
    assert answers["Milestone calendar (iCalendar)"].text().startswith("BEGIN:VCALENDAR")
