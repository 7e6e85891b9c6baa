"""Import a spreadsheet from the programme page (docs/import.md): upload, preview (a dry run:
what each row would do, every bad row marked), confirm. The same import as the command line
and the API, through the API's ``Writer``: the signed-in person's authority, the domain's
rules. Between preview and confirm the file travels back in the form (it is the person's own
upload), with its SHA-256 shown and checked again on confirm."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Annotated, Literal

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from api.controllers.imports import FORM_OVERHEAD
from api.errors import ApiProblem
from api.inputs import ProgrammeKey
from api.pages.reading import services
from api.pages.render import page
from api.pages.session import PageRequest, flash
from api.writes import Writer
from tracker.errors import TrackerError
from tracker.imports.run import ImportReport, import_sheet
from tracker.imports.sheet import MAX_BYTES

Kind = Literal["deliverables", "milestones", "raid"]
KINDS: tuple[tuple[str, str], ...] = (
    ("deliverables", "Deliverables"),
    ("milestones", "Milestones"),
    ("raid", "RAID log"),
)
FORM_LIMIT = MAX_BYTES * 2 + FORM_OVERHEAD
"""The confirm form carries the file in base64 (4/3 of it) besides the fields."""


@dataclass
class UploadForm:
    file: UploadFile
    kind: Kind = "deliverables"


@dataclass
class ConfirmForm:
    content: str
    filename: str
    sha256: str
    kind: Kind = "deliverables"


def _path(key: str) -> str:
    return f"/programmes/{key}/import"


async def _run(
    request: PageRequest, key: str, filename: str, content: bytes, kind: str, dry_run: bool
) -> ImportReport:
    writer = Writer(request, services(request), if_match=None, idempotency_key=None)
    return await import_sheet(
        writer.handlers,
        programme_key=key,
        filename=filename,
        content=content,
        kind=kind,
        dry_run=dry_run,
        actor=request.user.person,
        acting_as=request.user.scope,
    )


def _form(request: PageRequest, key: str, problem: str | None = None) -> Template:
    return page(
        request,
        "import.html",
        title="Import a spreadsheet",
        key=key,
        kinds=KINDS,
        report=None,
        problem=problem,
        status_code=200 if problem is None else 400,
    )


@get("/programmes/{key:str}/import")
async def import_page(request: PageRequest, key: ProgrammeKey) -> Template:
    return _form(request, key)


@post("/programmes/{key:str}/import", request_max_body_size=MAX_BYTES + FORM_OVERHEAD)
async def preview(
    request: PageRequest,
    key: ProgrammeKey,
    data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    content = await data.file.read(MAX_BYTES + 1)
    filename = data.file.filename or "upload"
    try:
        report = await _run(request, key, filename, content, data.kind, dry_run=True)
    except (TrackerError, ApiProblem) as exc:
        return _form(request, key, problem=f"Not imported: {exc}")
    return page(
        request,
        "import.html",
        title="Import a spreadsheet: preview",
        key=key,
        kinds=KINDS,
        report=report,
        problem=None,
        kind=data.kind,
        content=base64.b64encode(content).decode("ascii"),
    )


@post("/programmes/{key:str}/import/confirm", status_code=303, request_max_body_size=FORM_LIMIT)
async def confirm(
    request: PageRequest,
    key: ProgrammeKey,
    data: Annotated[ConfirmForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    try:
        content = base64.b64decode(data.content, validate=True)
    except binascii.Error:
        content = b""
    if hashlib.sha256(content).hexdigest() != data.sha256:
        await flash(request, "error", "Not imported: the file changed between preview and confirm")
        return Redirect(_path(key), status_code=303)
    try:
        report = await _run(request, key, data.filename, content, data.kind, dry_run=False)
    except (TrackerError, ApiProblem) as exc:
        await flash(request, "error", f"Not imported: {exc}")
        return Redirect(_path(key), status_code=303)
    if report.errors or report.stopped:
        why = report.stopped or f"{len(report.errors)} rows are not valid"
        await flash(request, "error", f"Not imported: {why}")
        return Redirect(_path(key), status_code=303)
    await flash(
        request,
        "success",
        f"Imported {data.filename}: {len(report.actions)} changes written, "
        f"{report.unchanged} rows already as the sheet says.",
    )
    return Redirect(f"/programmes/{key}", status_code=303)


ROUTES = [import_page, preview, confirm]
