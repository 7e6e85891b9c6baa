"""HTML to PDF with xhtml2pdf: pure Python (ReportLab underneath), so the server needs no
system libraries (WeasyPrint would need Pango); see docs/pages.md for the choice."""

from __future__ import annotations

import io

import anyio.to_thread
from xhtml2pdf import pisa

PDF = "application/pdf"


class PdfFailed(RuntimeError):
    pass


def html_to_pdf(html: str) -> bytes:
    out = io.BytesIO()
    status = pisa.CreatePDF(src=html, dest=out, encoding="utf-8")
    if status.err:
        raise PdfFailed(f"the PDF could not be made ({status.err} errors)")
    return out.getvalue()


async def render_pdf(html: str) -> bytes:
    """In a worker thread: making a PDF takes CPU time the event loop should not wait on."""
    return await anyio.to_thread.run_sync(html_to_pdf, html)
