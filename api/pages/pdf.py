"""HTML to PDF with xhtml2pdf: pure Python (ReportLab underneath), so the server needs no
system libraries (WeasyPrint would need Pango); see docs/pages.md for the choice.

A PDF takes most of a second of CPU, so the pages keep what they made (``api.document_cache``)
under a key that names everything the bytes depend on: the report's content, and the
``templates_version`` here (the templates' text and the renderer's version)."""

from __future__ import annotations

import hashlib
import io
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Final

import anyio.to_thread
from xhtml2pdf import pisa

PDF = "application/pdf"
TEMPLATES: Final = Path(__file__).parent / "templates"


@cache
def templates_version() -> str:
    """A digest of every page template (the PDF's includes the page's body) and of the
    renderer's version: a deployment that changes either makes other PDFs."""
    digest = hashlib.sha256(f"xhtml2pdf {version('xhtml2pdf')}".encode())
    for path in sorted(TEMPLATES.glob("*.html")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


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
