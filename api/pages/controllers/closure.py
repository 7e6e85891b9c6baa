"""The Programme Closure Report: as a page (print-ready) and as PDF (made once per content and
kept, ``api.document_cache``)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Final

from litestar import Response, get
from litestar.exceptions import ImproperlyConfiguredException
from litestar.response import Template

from api.inputs import ProgrammeKey
from api.pages.controllers.programme import AsOf, as_of_query
from api.pages.pdf import PDF, render_pdf, templates_version
from api.pages.reading import closure_of, services, when_of
from api.pages.render import page
from api.pages.session import PageRequest
from tracker.projections.reports.closure_report import ClosureReport

DOWNLOAD_HEADERS: Final = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


async def expensive_read(request: PageRequest) -> None:
    """A PDF or a workbook costs several times a page (docs/pages.md): counted per token, at
    most ``expensive_reads_per_minute``; past it 429 with Retry-After."""
    await services(request).limiter.hit(request.user.token_id, "expensive")


def file_name(key: str, what: str, report_as_of: datetime | None, extension: str) -> str:
    suffix = f"-as-of-{report_as_of.date().isoformat()}" if report_as_of is not None else ""
    return f"{key}-{what}{suffix}.{extension}"


def download(body: bytes, media_type: str, name: str, *, inline: bool = False) -> Response[bytes]:
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={**DOWNLOAD_HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'},
    )


@get("/programmes/{key:str}/closure-report")
async def closure_page(request: PageRequest, key: ProgrammeKey, as_of: AsOf = None) -> Template:
    report = await closure_of(request.user, services(request), key, when_of(request, as_of))
    return page(
        request,
        "closure_report.html",
        title=f"Programme Closure Report: {report.name or key}",
        key=key,
        report=report,
        query=as_of_query(as_of),
    )


def _pdf_html(request: PageRequest, report: ClosureReport) -> str:
    engine = request.app.template_engine
    if engine is None:
        raise ImproperlyConfiguredException("the pages need create_app's template_config")
    template = engine.get_template("closure_pdf.html")
    html: str = template.render(report=report, title=f"Programme Closure Report: {report.name}")
    return html


def pdf_key(report: ClosureReport) -> Hashable:
    """Everything the PDF's bytes depend on. The content hash covers the whole report (its
    programme, as-of, known-at and position included); the rest is said outright."""
    return (
        "closure-report.pdf",
        report.key,
        report.as_of,
        report.known_at,
        report.content_hash,
        templates_version(),
    )


@get("/programmes/{key:str}/closure-report.pdf")
async def closure_pdf(
    request: PageRequest, key: ProgrammeKey, as_of: AsOf = None
) -> Response[bytes]:
    await expensive_read(request)
    found = services(request)
    report = await closure_of(request.user, found, key, when_of(request, as_of))
    body = await found.pdfs.get_or_make(
        pdf_key(report), lambda: render_pdf(_pdf_html(request, report))
    )
    return download(body, PDF, file_name(key, "closure-report", report.as_of, "pdf"), inline=True)


ROUTES = [closure_page, closure_pdf]
